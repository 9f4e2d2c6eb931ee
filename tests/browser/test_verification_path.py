"""Verification as its people do it, in a real browser, once per language (PRODUCT.md section
11): an organisation's analyst reviews a submission shared with it and asks about one indicator;
the owner can change only that one and resubmits; the analyst verifies, and the stamp shows on
the enterprise's result page. Every page of the walk also fits a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from enterprises.models import OrgRole, Role
from evaluations.models import Assessment, EvaluationRun, Verification
from tests.browser.steps import fits_a_phone, log_in
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    OrganisationMembershipFactory,
    ProgrammeFactory,
    joined_invitee,
    submitted_run,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TEXT = {
    "en": {
        "review": "Review and verify this submission",
        "indicator": "Logistics costs",
        "asks": "An analyst asks for information",
        "submit": "Submit for evaluation",
        "stamp": "Verified by Zhejiang CBEC Association on",
    },
    "zh-hans": {
        "review": "核验这份自评",
        "indicator": "物流成本",
        "asks": "分析员要求补充信息",
        "submit": "提交评估",
        "stamp": "Zhejiang CBEC Association已于",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_analyst_asks_about_one_indicator_the_owner_answers_the_analyst_verifies(
    watch, live_server, language
):
    page, url, text = watch.page, live_server.url, TEXT[language]
    main = page.locator("main")
    analyst = OrganisationMembershipFactory(
        role=OrgRole.ANALYST,
        organisation__name="Zhejiang CBEC Association",
        user__email="analyst@example.com",
        user__language=language,
    )
    owner = MembershipFactory(
        role=Role.OWNER,
        enterprise__name="Ningbo Blue Wave Trading Co., Ltd.",
        user__email="owner@example.com",
        user__language=language,
    )
    organisation, enterprise = analyst.organisation, owner.enterprise
    programme = ProgrammeFactory(organisation=organisation, periods=["2026Q3"])
    invitee = joined_invitee(programme, owner=owner.user, enterprise=enterprise)
    assessment = AssessmentFactory(enterprise=enterprise, year=2026, quarter=3)
    submitted_run(assessment, owner.user)

    # --- the analyst opens the enterprise's shared results and starts a review ---------------
    log_in(page, url, analyst.user.email)
    page.goto(
        f"{url}/programmes/organisations/{organisation.pk}/programmes/{programme.pk}"
        f"/invitees/{invitee.pk}/"
    )
    main.get_by_role("link", name=text["review"]).first.click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment.pk}/verification/\d+/$"))
    main.locator("#start-review").click()
    expect(main.locator("#verification-state")).to_have_attribute("data-state", "under_review")

    # --- and asks about one indicator, chosen by its name ----------------------------------------
    request = main.locator("#request-form")
    request.get_by_label(text["indicator"], exact=True).check()
    request.locator("textarea[name=comment]").fill("Please check the freight invoices.")
    fits_a_phone(page)
    watch.shot("review")
    request.locator("[type=submit]").click()
    expect(main.locator("#verification-state")).to_have_attribute(
        "data-state", "information_requested"
    )
    assert Assessment.objects.get(pk=assessment.pk).is_draft

    # --- the owner sees the request: only that indicator is open -------------------------------
    log_in(page, url, owner.user.email)
    page.goto(f"{url}/enterprises/{enterprise.pk}/assessments/{assessment.pk}/")
    expect(main.locator("#information-requested")).to_contain_text(text["asks"])
    expect(main.locator("#information-requested")).to_contain_text("freight invoices")
    expect(main.locator("input[name=npd_cycle]")).to_be_disabled()
    expect(main.locator("input[name=logistics_cost]")).to_be_enabled()
    main.locator("input[name=logistics_cost]").fill("12")
    fits_a_phone(page)
    watch.shot("owner-draft")
    main.get_by_role("button", name=text["submit"]).click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/runs/\d+/$"))
    latest = EvaluationRun.objects.filter(
        assessment=assessment, origin=EvaluationRun.Origin.SUBMISSION
    ).latest("created_at")
    assert latest.values["logistics_cost"] == 12
    assert latest.values["npd_cycle"] == assessment.values["npd_cycle"]

    # --- the new run is back to review; the analyst verifies ------------------------------------
    log_in(page, url, analyst.user.email)
    page.goto(
        f"{url}/enterprises/{enterprise.pk}/assessments/{assessment.pk}/verification/"
        f"{organisation.pk}/"
    )
    expect(main.locator("#verification-state")).to_have_attribute("data-state", "under_review")
    expect(main.locator("#verification-history li")).to_have_count(3)
    main.locator("#verify").click()
    expect(main.locator("#verification-state")).to_have_attribute("data-state", "verified")
    assert Verification.objects.get().state == Verification.State.VERIFIED

    # --- the stamp on the enterprise's result page ----------------------------------------------
    log_in(page, url, owner.user.email)
    page.goto(f"{url}/enterprises/{enterprise.pk}/runs/{latest.pk}/")
    expect(main.locator(".verification-stamp")).to_contain_text(text["stamp"])
    fits_a_phone(page)
    watch.shot("stamp")
