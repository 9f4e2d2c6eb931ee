"""A programme as its people do it, in a real browser, once per language: an association's
manager creates a programme and invites an enterprise, its owner joins from the dashboard, and
the programme's dashboard withholds figures over fewer than five enterprises (PRODUCT.md
section 10). Every page of the walk also fits a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from enterprises.models import Grant, OrgRole, Role
from programmes.models import Invitee, Programme
from tests.browser.steps import fits_a_phone, log_in
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    OrganisationMembershipFactory,
    submitted_run,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CODE = "91330100MA2DEM0X1F"
TEXT = {
    "en": {
        "new": "New programme",
        "save": "Save",
        "invite": "Invite",
        "join": "Join the programme",
        "joined": "joined",
        "answer": "Join or decline",
        "withheld": "fewer than 5",
    },
    "zh-hans": {
        "new": "新建评估项目",
        "save": "保存",
        "invite": "邀请",
        "join": "加入评估项目",
        "joined": "已加入",
        "answer": "加入或谢绝参加",
        "withheld": "少于5家",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_runs_a_programme_an_owner_joins_small_figures_are_withheld(
    watch, live_server, language
):
    page, url, text = watch.page, live_server.url, TEXT[language]
    main = page.locator("main")
    manager = OrganisationMembershipFactory(
        role=OrgRole.MANAGER,
        organisation__name="Zhejiang CBEC Association",
        user__email="manager@example.com",
        user__language=language,
    )
    owner = MembershipFactory(
        role=Role.OWNER,
        enterprise__name="Ningbo Blue Wave Trading Co., Ltd.",
        enterprise__credit_code=CODE,
        user__email="owner@example.com",
        user__language=language,
    )
    organisation, enterprise = manager.organisation, owner.enterprise

    # --- the manager creates a programme ----------------------------------------------------
    log_in(page, url, manager.user.email)
    page.goto(f"{url}/programmes/")
    main.get_by_role("link", name=organisation.name).click()
    watch.shot("organisation")
    main.get_by_role("link", name=text["new"]).first.click()
    main.locator("#id_name").fill("2026 Q3 survey")
    main.locator("input[name=periods][value='2026Q3']").check()
    main.locator("#id_deadline").fill("2026-10-15")
    fits_a_phone(page)
    watch.shot("programme-form")
    main.get_by_role("button", name=text["save"]).click()
    programme = Programme.objects.get()
    expect(page).to_have_url(re.compile(rf"/programmes/{programme.pk}/invite/$"))

    # --- and invites an enterprise registered under its credit code ---------------------------
    one = main.locator("form", has=page.locator("#id_credit_code"))
    one.locator("#id_name").fill(enterprise.name)
    one.locator("#id_credit_code").fill(CODE)
    one.locator("#id_email").fill(owner.user.email)
    one.get_by_role("button", name=text["invite"], exact=True).click()
    invitee = Invitee.objects.get()
    assert invitee.enterprise == enterprise
    fits_a_phone(page)
    watch.shot("invited")

    # --- the owner sees it on the dashboard and joins ------------------------------------------
    log_in(page, url, owner.user.email)
    page.goto(f"{url}/enterprises/{enterprise.pk}/dashboard/")
    partial = main.locator("section", has=page.locator("#programmes-heading"))
    expect(partial).to_contain_text("2026 Q3 survey")
    fits_a_phone(page)
    watch.shot("dashboard-invited")
    partial.get_by_role("link", name=text["answer"]).click()
    main.locator("#id_include_evidence").check()
    fits_a_phone(page)
    watch.shot("invitation")
    main.get_by_role("button", name=text["join"]).click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/dashboard/$"))
    expect(partial.locator(".badge")).to_have_text(text["joined"])
    grant = Grant.objects.get()
    assert (grant.organisation, grant.periods, grant.include_evidence) == (
        organisation,
        ["2026Q3"],
        True,
    )
    watch.shot("dashboard-joined")

    # --- one submitted result: the dashboard counts it and withholds every figure ---------------
    submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=3), owner.user)
    log_in(page, url, manager.user.email)
    page.goto(f"{url}/programmes/organisations/{organisation.pk}/programmes/{programme.pk}/")
    expect(main.locator("#count-joined")).to_have_text("1")
    expect(main.locator("#count-submitted")).to_have_text("1")
    expect(main.locator("#cohort-suppressed")).to_be_visible()
    expect(main.locator("svg.chart#cohort-boxes")).to_have_count(0)
    expect(main.get_by_text(text["withheld"]).first).to_be_visible()
    fits_a_phone(page)
    watch.shot("programme-dashboard")
