"""Sharing a result with a partner, in a real browser (issue 17): the owner shares a period with
a person by e-mail; the partner opens the shared result on a phone in Chinese with no sideways
scroll; the owner revokes; the partner then reads why (403). The check page of a shared report
in both languages, before and after the grant ended."""

import re

import pytest
from playwright.sync_api import expect

from enterprises.models import Grant, Role
from evaluations.models import ReportFile
from evaluations.services.reports import shared_table_file
from tests.browser.steps import PHONE, log_in, no_sideways_scroll
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    UserFactory,
    submitted_run,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"width": 1280, "height": 900}


def in_language(page, url: str, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])


def test_an_owner_shares_a_result_the_partner_reads_it_on_a_phone_then_it_is_revoked(
    watch, live_server
):
    page, url = watch.page, live_server.url
    main = page.locator("main")
    owner = MembershipFactory(
        role=Role.OWNER,
        enterprise__name="宁波蓝波贸易有限公司",
        user__email="owner@example.com",
        user__language="en",
    )
    enterprise = owner.enterprise
    submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=2), owner.user)
    partner = UserFactory(email="investor@example.com", full_name="王投资", language="zh-hans")

    # The owner shares 2026 Q2 with the partner, from the enterprise's page.
    page.set_viewport_size(DESKTOP)
    log_in(page, url, owner.user.email)
    page.goto(f"{url}/enterprises/{enterprise.pk}/")
    main.locator("#sharing-link").click()
    expect(main.get_by_role("heading", name="Sharing with partners and investors")).to_be_visible()
    main.get_by_role("textbox", name="E-mail address").fill(partner.email)
    expect(main.get_by_label("2026 Q2")).to_be_checked()
    main.get_by_role("button", name="Share", exact=True).click()
    expect(main.locator("#grants")).to_contain_text("investor@example.com")
    expect(main.locator(".grant-status").first).to_have_text("active")
    expect(main.locator(".last-looked").first).to_have_text("not yet")
    grant = Grant.objects.get(enterprise=enterprise)
    assert grant.periods == ["2026Q2"] and not grant.include_evidence
    watch.shot("owner-shared")

    # The partner reads it on a phone, in Chinese: read only, no sideways scroll.
    page.set_viewport_size(PHONE)
    log_in(page, url, partner.email)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{url}/shared/")
    expect(main.get_by_role("heading", name="共享给我的评估结果")).to_be_visible()
    no_sideways_scroll(page)
    main.get_by_role("link", name="2026年第二季度").click()
    expect(main.locator("#overall-score")).to_be_visible()
    expect(main.locator("#shared-by")).to_contain_text("仅供查看")
    expect(main.locator("#recommendations")).to_be_visible()
    assert main.locator("#what-if-form").count() == 0
    assert main.locator(".plan-add").count() == 0
    no_sideways_scroll(page)
    watch.shot("partner-result-zh-hans-phone")
    shared_url = page.url

    # The owner sees the look, and revokes (after confirming).
    page.set_viewport_size(DESKTOP)
    log_in(page, url, owner.user.email)
    page.goto(f"{url}/enterprises/{enterprise.pk}/sharing/")
    expect(main.locator(".last-looked").first).not_to_have_text("not yet")
    main.locator(".grant-revoke summary").first.click()
    main.get_by_role("button", name="Yes, revoke now").click()
    expect(main.locator(".grant-status").first).to_have_text("revoked")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    watch.shot("owner-revoked")

    # The partner now reads why, in Chinese, on the phone.
    page.set_viewport_size(PHONE)
    log_in(page, url, partner.email)
    watch.expect_status(r"/shared/\d+/2026/2/$", 403)
    page.goto(shared_url)
    expect(main).to_contain_text("企业所有者可以再次")
    assert main.locator("#overall-score").count() == 0
    no_sideways_scroll(page)
    watch.shot("partner-403-zh-hans")


@pytest.mark.parametrize(
    ("language", "withdrawn", "period"),
    [("en", "Withdrawn", "2026 Q2"), ("zh-hans", "已撤回", "2026年第二季度")],
)
def test_the_check_page_in_both_languages(watch, live_server, language, withdrawn, period):
    page, url = watch.page, live_server.url
    main = page.locator("main")
    owner = MembershipFactory(role=Role.OWNER, enterprise__name="Ningbo Blue Wave Trading")
    run = submitted_run(
        AssessmentFactory(enterprise=owner.enterprise, year=2026, quarter=2), owner.user
    )
    partner = UserFactory(email="partner@example.com")
    grant = Grant.objects.create(
        enterprise=owner.enterprise,
        email=partner.email,
        periods=["2026Q2"],
        created_by=owner.user,
        expires_at=run.created_at.replace(year=run.created_at.year + 1),
    )
    code = shared_table_file(
        run=run, grant=grant, kind=ReportFile.Kind.RUN_CSV, user=partner, language=language
    ).check_code

    page.set_viewport_size(PHONE)
    in_language(page, url, language)
    page.goto(f"{url}/check/{code}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(main.locator("#check-enterprise")).to_have_text("Ningbo Blue Wave Trading")
    expect(main.locator("#check-period")).to_have_text(period)
    expect(main.locator("#check-overall")).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(main.locator("#check-grade")).to_contain_text(run.grade)
    no_sideways_scroll(page)
    watch.shot(f"check-{language}")

    Grant.objects.filter(pk=grant.pk).update(revoked_at=run.finished_at)
    page.reload()
    expect(main.locator("#check-withdrawn")).to_have_text(withdrawn)
    assert main.locator("#check-overall").count() == 0
    expect(main).not_to_contain_text("Ningbo Blue Wave Trading")
    watch.shot(f"check-withdrawn-{language}")
