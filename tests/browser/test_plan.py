"""The improvement plan on a phone, in Chinese (issue 15): from a result, add a recommendation to
the plan and find it there, with no sideways scroll and nothing wrong in the console."""

import re

import pytest
from playwright.sync_api import expect

from enterprises.models import Role
from evaluations.models import PlanAction
from tests.browser.conftest import run_axe
from tests.browser.steps import PHONE, no_sideways_scroll
from tests.factories import PASSWORD, AssessmentFactory, MembershipFactory, submitted_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_editor_adds_a_recommendation_to_the_plan_on_a_phone_in_chinese(watch, live_server):
    page = watch.page
    main = page.locator("main")
    page.set_viewport_size(PHONE)
    member = MembershipFactory(
        role=Role.EDITOR,
        user__email="mei@example.com",
        user__full_name="林梅",
        user__language="zh-hans",
        enterprise__name="宁波蓝波贸易有限公司",
    )
    enterprise, user = member.enterprise, member.user
    run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=1), user)

    page.goto(f"{live_server.url}/accounts/login/")
    main.locator("input[name=username]").fill(user.email)
    main.locator("input[name=password]").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/runs/{run.pk}/")
    expect(main.get_by_role("heading", name="改进计划")).to_be_visible()
    no_sideways_scroll(page)
    watch.shot("result-zh-hans-phone")

    first = main.locator("#recommendations li").first
    title = first.locator("h3").first.inner_text()
    first.get_by_role("link", name="列入改进计划").first.click()
    expect(main.get_by_role("heading", name="列入改进计划")).to_be_visible()
    expect(main.locator("#chosen-item")).to_contain_text(title)
    expect(main.locator("#chosen-item")).to_contain_text("分")
    no_sideways_scroll(page)
    watch.shot("add-form")
    main.get_by_role("button", name="列入改进计划").click()

    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/plan/$"))
    expect(main.get_by_role("status")).to_contain_text("已列入改进计划")
    expect(main.locator("#plan-open")).to_contain_text(title)
    expect(main.locator("#plan-open")).to_contain_text("林梅")
    no_sideways_scroll(page)
    watch.shot("plan")
    serious = [v["id"] for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious

    action = PlanAction.objects.get()
    assert action.owner == user and action.planned_from == run
    assert action.expected_points is not None and action.expected_points > 0

    page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/runs/{run.pk}/")
    expect(main.get_by_role("link", name=re.compile("已列入计划")).first).to_be_visible()
    no_sideways_scroll(page)
