"""The assessment form in a browser (issue 15, points 2, 8 and 10): what is typed survives
attaching a file, leaving with unsaved changes asks first, the progress line follows the typing,
the environmental score is typed or computed (one shown at a time), and a submission leaves once.
On a phone, with no sideways scroll and nothing wrong in the console."""

import re

import pytest
from playwright.sync_api import expect

from enterprises.models import Role
from evaluations.models import Assessment, EvaluationRun
from evaluations.services import assessments as assessment_services
from tests.browser.steps import PHONE, no_sideways_scroll
from tests.factories import PASSWORD, AssessmentFactory, MembershipFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    main = page.locator("main")
    main.locator("input[name=username]").fill(user.email)
    main.locator("input[name=password]").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_typed_values_survive_attaching_a_file_and_leaving_asks_first(
    watch, live_server, monkeypatch
):
    page = watch.page
    main = page.locator("main")
    page.set_viewport_size(PHONE)
    member = MembershipFactory(role=Role.EDITOR, user__email="erin@example.com")
    enterprise, user = member.enterprise, member.user
    draft = AssessmentFactory(enterprise=enterprise, year=2026, quarter=1, values={})
    _sign_in(page, live_server, user)
    url = f"{live_server.url}/enterprises/{enterprise.pk}/assessments/{draft.pk}/"
    page.goto(url)
    progress = main.locator("#form-progress-text")
    expect(progress).to_have_text("0 of 5 indicators filled")

    # Typing moves the progress line; the guidance is there, collapsed, under each field.
    main.locator("#id_logistics_cost").fill("17.5")
    main.locator("#id_npd_cycle").fill("44")
    expect(progress).to_have_text("2 of 5 indicators filled")
    guidance = main.locator("#guidance-logistics_cost")
    expect(guidance.get_by_text("Worked example")).to_be_hidden()
    guidance.locator("summary").click()
    expect(guidance.get_by_text("Worked example")).to_be_visible()

    # The environmental score is typed or computed: only the chosen way is shown.
    expect(main.locator("#env-checklist")).to_be_hidden()
    main.get_by_label("computed with the checklist").check()
    expect(main.locator("#env-checklist")).to_be_visible()
    expect(main.locator("#id_environmental_impact_score")).to_be_hidden()
    main.get_by_label("typed (an external 0–100 rating)").check()
    expect(main.locator("#id_environmental_impact_score")).to_be_visible()
    expect(main.locator("#env-checklist")).to_be_hidden()
    watch.shot("typed-phone")
    no_sideways_scroll(page)

    # Leaving with unsaved changes asks first; staying keeps the page as it was.
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    with page.expect_event("dialog") as leaving:
        main.locator(".breadcrumb a").first.click()
    assert leaving.value.type == "beforeunload"
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(url)
    expect(main.locator("#id_npd_cycle")).to_have_value("44")
    page.remove_listener("dialog", stay)

    # Attaching a file keeps (saves) what was typed, and asks nothing.
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.accept())
    main.locator("#id_indicator_code").select_option("logistics_cost")
    main.locator("#id_file").set_input_files(
        {"name": "freight.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    main.get_by_role("button", name="Attach").click()
    expect(main.get_by_text("The file has been attached.")).to_be_visible()
    expect(main.locator("#id_logistics_cost")).to_have_value(re.compile(r"^17\.5$"))
    expect(main.locator("#id_npd_cycle")).to_have_value(re.compile(r"^44(\.0)?$"))
    expect(main.get_by_role("link", name="freight.pdf")).to_be_visible()
    assert dialogs == ["beforeunload"]  # none more
    draft.refresh_from_db()
    assert draft.values == {"logistics_cost": 17.5, "npd_cycle": 44.0}
    expect(progress).to_have_text("2 of 5 indicators filled")

    # The rest, then submit: the buttons are disabled as the form leaves; one run only.
    main.locator("#id_tech_update_speed").fill("8")
    main.locator("#id_market_response_time").fill("30")
    main.locator("#id_environmental_impact_score").fill("55")
    expect(progress).to_have_text("5 of 5 indicators filled")
    held_back = []
    monkeypatch.setattr(
        assessment_services, "run_enqueue", lambda run_id, **kw: held_back.append(run_id)
    )
    disabled = page.evaluate(
        """() => {
          const button = document.querySelector('#assessment-form button[name=submit]');
          button.click();
          const first = button.disabled;
          button.click();  // a second press does nothing
          return first;
        }"""
    )
    assert disabled is True
    expect(main.get_by_text("Submitted. The evaluation is being computed.")).to_be_visible()
    assert dialogs == ["beforeunload"]
    assert EvaluationRun.objects.filter(assessment=draft).count() == 1
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.SUBMITTED


def test_the_form_and_deleting_a_draft_in_chinese_on_a_phone(watch, live_server):
    page = watch.page
    main = page.locator("main")
    page.set_viewport_size(PHONE)
    member = MembershipFactory(
        role=Role.EDITOR, user__email="mei@example.com", user__language="zh-hans"
    )
    enterprise, user = member.enterprise, member.user
    draft = AssessmentFactory(enterprise=enterprise, year=2026, quarter=1, values={})
    _sign_in(page, live_server, user)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/assessments/{draft.pk}/")
    expect(main.locator("#form-progress-text")).to_have_text("已填写0项指标，共5项")
    expect(main.locator("#guidance-npd_cycle summary")).to_have_text("如何计量")

    # The checklist, computed as it is answered, reads answers by name in Chinese.
    main.get_by_label("按环境自查清单计算").check()
    main.locator("#id_checklist_green_packaging_pct").fill("50")
    main.locator("#id_checklist_low_carbon_shipping_pct").fill("40")
    main.locator("#id_checklist_renewable_electricity_pct").fill("20")
    result = main.locator("#checklist-result")
    expect(result).to_contain_text("采用绿色包装的发货占比（%）")
    expect(result).not_to_contain_text("green_packaging_pct")
    expect(main.locator("#form-progress-text")).to_have_text("已填写1项指标，共5项")
    no_sideways_scroll(page)
    watch.shot("form-zh-hans-phone")

    main.get_by_role("button", name="保存草稿").click()
    expect(main.get_by_text("草稿已保存。")).to_be_visible()
    main.get_by_role("link", name="删除草稿").click()
    expect(main.get_by_role("heading", name="删除2026年第一季度的自评草稿？")).to_be_visible()
    no_sideways_scroll(page)
    watch.shot("delete-zh-hans-phone")
    main.get_by_role("button", name="删除草稿").click()
    expect(main.get_by_text("2026年第一季度的自评草稿已删除。")).to_be_visible()
    assert not Assessment.objects.filter(pk=draft.pk).exists()
