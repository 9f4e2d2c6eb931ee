"""The main path as a person does it, in a real browser (issue 8).

Sign up, create the enterprise, invite a colleague, create an assessment, save a draft, submit,
watch the status change by itself, read the chart and the recommendations, try a what-if,
switch to Chinese and download the PDF.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from enterprises.models import Invitation
from evaluations.models import EvaluationRun
from evaluations.services import assessments as assessment_services
from evaluations.services.runs import run_execute
from tests.factories import COMPLETE_VALUES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-browser-test-passphrase-2026"
INDICATOR_LABELS = {
    "logistics_cost": "Logistics costs",
    "npd_cycle": "New product development cycle",
    "tech_update_speed": "Technology update speed",
    "market_response_time": "Market response time",
    "environmental_impact_score": "Environmental impact score",
}
DIMENSIONS = [
    "Operational efficiency",
    "Innovation capacity",
    "Market adaptability",
    "Sustainability",
]


def test_sign_up_assess_submit_and_read_the_result(watch, live_server, monkeypatch):
    page = watch.page
    main = page.locator("main")
    url = live_server.url

    # --- sign up ----------------------------------------------------------------------------
    page.goto(f"{url}/accounts/signup/")
    expect(main.get_by_role("heading", name="Create an account")).to_be_visible()
    watch.shot("signup")
    main.locator("#id_email").fill("mei.lin@example.com")
    main.locator("#id_full_name").fill("Mei Lin")
    main.locator("input[name=password1]").fill(PASSWORD)
    main.locator("input[name=password2]").fill(PASSWORD)
    main.get_by_role("button", name="Create account").first.click()
    expect(main.get_by_role("heading", name="Check your inbox")).to_be_visible()
    link = re.search(r"https?://\S+/accounts/verify/\S+", mail.outbox[-1].body).group()
    page.goto(link)  # the link in the e-mail confirms the address and logs in
    expect(main.get_by_text("Your e-mail address is confirmed. Welcome!")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    watch.shot("no-enterprise-yet")

    # --- create the enterprise, with two operation modes -------------------------------------
    main.get_by_role("link", name="Create an enterprise profile").click()
    main.locator("#id_name").fill("Ningbo Blue Wave Trading Co., Ltd.")
    main.get_by_label("B2B (business to business)").check()
    main.get_by_label("Live-streaming commerce").check()
    watch.shot("enterprise-form")
    main.get_by_role("button", name="Save").click()
    expect(main.get_by_text("The enterprise profile has been created.")).to_be_visible()
    enterprise_pk = int(re.search(r"/enterprises/(\d+)/", page.url).group(1))
    watch.shot("enterprise-profile")

    # --- invite a colleague from the owner's member page ------------------------------------
    page.goto(f"{url}/enterprises/{enterprise_pk}/members/")
    invite = main.locator("form", has=page.get_by_role("button", name="Send invitation"))
    invite.locator("#id_email").fill("colleague@example.com")
    invite.locator("#id_role").select_option("editor")
    invite.get_by_role("button", name="Send invitation").click()
    expect(main.get_by_role("status")).to_contain_text("colleague@example.com")
    expect(main.locator("li", has_text="colleague@example.com")).to_contain_text("Editor")
    watch.shot("members-with-invitation")
    invitation = Invitation.objects.get(enterprise_id=enterprise_pk)
    assert (invitation.email, invitation.role) == ("colleague@example.com", "editor")
    assert mail.outbox[-1].to == ["colleague@example.com"]

    # --- a new assessment, its values, a draft ----------------------------------------------
    page.goto(f"{url}/enterprises/{enterprise_pk}/dashboard/")
    watch.shot("empty-dashboard")
    main.get_by_role("link", name="New assessment").click()
    expect(main.get_by_role("heading", name="New assessment")).to_be_visible()
    watch.shot("new-assessment")
    main.get_by_role("button", name="Create").click()
    expect(main.get_by_text("The assessment has been created; enter its values.")).to_be_visible()
    form = page.locator("#assessment-form")
    for code, label in INDICATOR_LABELS.items():
        field = form.locator(f"#id_{code}")
        expect(form.locator(f"label[for=id_{code}]")).to_contain_text(label)
        field.fill(str(COMPLETE_VALUES[code]))
    watch.shot("assessment-filled")
    form.get_by_role("button", name="Save draft").click()
    expect(main.get_by_text("Draft saved.")).to_be_visible()
    expect(form.locator("#id_logistics_cost")).to_have_value(re.compile(r"^18(\.0)?$"))
    watch.shot("draft-saved")

    # --- submit: the run waits for a worker; the page follows it without a reload ------------
    # The live server runs in a thread of this process, so holding back the enqueue here keeps
    # the run queued until the test plays the worker.
    held_back = []
    monkeypatch.setattr(
        assessment_services, "run_enqueue", lambda run_id, **kw: held_back.append(run_id)
    )
    form.get_by_role("button", name="Submit for evaluation").click()
    expect(main.get_by_text("Submitted. The evaluation is being computed.")).to_be_visible()
    status = page.locator("#run-status")
    expect(status).to_contain_text("queued", ignore_case=True)
    run = EvaluationRun.objects.get(enterprise_id=enterprise_pk)
    assert held_back == [run.pk]
    watch.shot("run-queued")
    page.evaluate("window.__samePage = true")

    # A worker picks it up: the polled badge changes in place (the page is the same document).
    EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRun.Status.RUNNING)
    expect(status).to_contain_text("running", ignore_case=True)
    assert page.evaluate("window.__samePage === true")
    watch.shot("run-running")

    # It finishes: the poll asks the page to refresh itself and the result appears.
    assert run_execute(run.pk)
    expect(page.locator("#overall-score")).to_have_text("57.1", timeout=15_000)
    expect(status).to_contain_text("succeeded", ignore_case=True)
    watch.shot("run-succeeded")

    # --- the chart and the recommendations --------------------------------------------------
    chart = main.locator("svg.chart").first
    expect(chart).to_be_visible()
    for dimension in DIMENSIONS:
        expect(chart.locator("text", has_text=dimension)).to_have_count(1)
    expect(chart.locator("rect")).to_have_count(4)
    advice = main.locator("section", has=page.get_by_role("heading", name="What to improve first"))
    expect(advice).to_be_visible()
    assert advice.locator("#recommendations > li").count() >= 1
    expect(advice.locator("#recommendations > li").first).to_contain_text("points")

    # --- what if logistics cost fell to 5 % of revenue? (+13 points, without a reload) -------
    page.evaluate("window.__samePage = true")
    what_if = page.locator("#what-if-form")
    what_if.get_by_label("Logistics costs").fill("5")  # one field: the what-if's own
    expect(page.locator("#what-if-overall")).to_have_text("70.1")
    assert page.evaluate("window.__samePage === true")
    expect(page.locator("#what-if-result")).to_contain_text("+13.0")
    watch.shot("what-if")

    # --- 简体中文 -----------------------------------------------------------------------------
    page.locator("nav button[name=language][value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise_pk}/runs/{run.pk}/$"))
    expect(main.get_by_role("rowheader", name="物流成本")).to_be_visible()
    expect(main.locator("svg.chart text", has_text="运营效率")).to_have_count(1)
    watch.shot("result-in-chinese")

    # --- the PDF report ---------------------------------------------------------------------
    pdf_link = main.locator(f'a[href$="/runs/{run.pk}/report.pdf"]')
    expect(pdf_link).to_have_text(re.compile("PDF"))
    watch.expect_status(r"/report\.pdf$")  # a download is an aborted navigation to Chromium
    # rendering a PDF takes seconds, more on a busy 2-core machine: a longer deadline, no sleep
    with page.expect_download(timeout=45_000) as download_info:
        pdf_link.click(timeout=45_000)
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    watch.shot("after-download")


def test_the_watch_sees_what_it_must_report(watch, live_server):
    """The guard of every browser test works: a CSP violation, a console error and an HTTP
    error are all caught (then cleared, as this test causes them on purpose)."""
    page = watch.page
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";  // no nonce: CSP must refuse it
          document.body.append(script);
          console.error("a deliberate console error");
          return fetch("/no-such-page/");
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__inlineRan === undefined")
    watch.collect_page_violations()
    assert any(v["directive"].startswith("script-src") for v in watch.csp_violations)
    assert any("a deliberate console error" in e for e in watch.console_errors)
    assert any("/no-such-page/: 404" in r for r in watch.bad_responses)
    watch.shot("deliberate-problems")
    watch.forget()
