"""A first-time visitor and a member on a phone, in Chinese and in English (issue 15).

At 390 px no page scrolls sideways (tables scroll inside their card), and no chart text is drawn
smaller than 11 px; the landing page tells a visitor what the tool does with an example result;
the target markets are a searchable list; the PDF downloads by itself once it is ready.
Every page is watched for console errors and CSP violations (tests/browser/conftest.py).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from core import dispatch
from demo.accounts import DEMO_PASSWORD, DEMO_USER
from enterprises.models import Enterprise
from evaluations import services
from evaluations.models import Assessment, EvaluationRun, PlanAction, ReportFile
from evaluations.services import assessments as assessment_services
from evaluations.services.rendering import report_file_render
from evaluations.services.runs import run_execute
from tests.factories import COMPLETE_VALUES, PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
PASSWORD_OF_THE_WALK = "a-long-browser-test-passphrase-2026"
LANGUAGES = ["zh-hans", "en"]

# What the page reads as: its width against the viewport, and the smallest chart text drawn.
MEASURE = """() => {
  let smallest = null;
  for (const text of document.querySelectorAll("svg text")) {
    if (!text.getClientRects().length) continue;  // not drawn (a period label a phone leaves out)
    const matrix = text.getScreenCTM();
    const size = parseFloat(getComputedStyle(text).fontSize) * (matrix ? Math.abs(matrix.a) : 1);
    if (smallest === null || size < smallest) smallest = size;
  }
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((e) => {
      for (let a = e.parentElement; a; a = a.parentElement) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(a).overflowX)) return false;
      }
      return true;
    })
    .slice(0, 3)
    .map((e) => e.outerHTML.slice(0, 120));
  return {width: document.documentElement.scrollWidth, smallest, wide,
          lang: document.documentElement.lang};
}"""


def fits_a_phone(page, what: str, language: str) -> dict:
    measured = page.evaluate(MEASURE)
    assert measured["lang"] == language, (what, measured["lang"])
    assert measured["width"] <= PHONE["width"], (what, measured)
    if measured["smallest"] is not None:
        assert measured["smallest"] >= 11, (what, measured)
    return measured


def log_in(page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    main = page.locator("main")
    main.locator("input[name=username]").fill(email)
    main.locator("input[name=password]").fill(password)
    main.locator("button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"), timeout=10_000)


def use_language(page, url: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])


@pytest.fixture
def demo(db):
    """The demo of `make run`: its enterprises, six scored quarters, its peers."""
    call_command("seed_demo", "--force")
    enterprise = Enterprise.objects.get(name__startswith="Hangzhou")
    run = EvaluationRun.objects.filter(enterprise=enterprise).order_by("-year", "-quarter").first()
    draft = Assessment.objects.create(
        enterprise=enterprise, year=2026, quarter=3, values={"logistics_cost": 12.0}
    )
    other = services.scheme_clone(scheme=run.scheme)
    services.scheme_publish(scheme=other, user=None)
    return {"enterprise": enterprise, "run": run, "draft": draft, "other_scheme": other}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_signed_in_page_fits_a_phone(watch, live_server, demo, monkeypatch, language):
    page = watch.page
    page.set_viewport_size(PHONE)
    url = live_server.url
    # PDFs wait for a worker that never comes, so the download page shows its progress.
    monkeypatch.setattr(dispatch, "send", lambda *args, **kwargs: None)
    e, run = demo["enterprise"].pk, demo["run"]
    pages = {
        "enterprises": "/enterprises/",
        "profile": f"/enterprises/{e}/",
        "profile form": f"/enterprises/{e}/edit/",
        "members": f"/enterprises/{e}/members/",
        "dashboard": f"/enterprises/{e}/dashboard/",
        "new assessment": f"/enterprises/{e}/assessments/new/",
        "assessment (submitted)": f"/enterprises/{e}/assessments/{run.assessment_id}/",
        "assessment (draft)": f"/enterprises/{e}/assessments/{demo['draft'].pk}/",
        "result": f"/enterprises/{e}/runs/{run.pk}/",
        "compare": f"/enterprises/{e}/runs/{run.pk}/compare/?scheme={demo['other_scheme'].pk}",
        "report progress": f"/enterprises/{e}/runs/{run.pk}/report.pdf",
        "audit trail": f"/enterprises/{e}/trail/",
        "account": "/accounts/me/",
        "API tokens": "/accounts/me/tokens/",
        "password": "/accounts/password_change/",
        "methodology": "/methodology/",
    }
    # The progress page polls; the walk moving on may cut a poll short (not an error).
    watch.expect_aborted(r"/report\.pdf/status/$")
    log_in(page, url, DEMO_USER.email, DEMO_PASSWORD)
    use_language(page, url, language)
    for name, path in pages.items():
        page.goto(f"{url}{path}")
        expect(page.locator("main")).to_be_visible()
        fits_a_phone(page, name, language)
        watch.shot(f"{language}-{name}")

    # The members' buttons are on screen, not scrolled off to the right (it was 509 px).
    page.goto(f"{url}/enterprises/{e}/members/")
    for button in page.locator("main li.member button").all():
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    # The result page's charts and the peer table, and a what-if swapped in by htmx.
    page.goto(f"{url}/enterprises/{e}/runs/{run.pk}/")
    expect(page.locator("svg.chart")).to_have_count(2)  # dimensions, peers' box plots
    peers = page.locator("#peers-heading").locator("xpath=..")
    expect(peers.locator(".table-responsive table")).to_be_visible()
    expect(page.locator("#peers-counted")).to_contain_text(re.compile(r"\d"))
    page.locator("#what-if-form input[name=logistics_cost]").fill("5")
    expect(page.locator("#what-if-result")).not_to_be_empty()
    fits_a_phone(page, "what-if", language)
    watch.shot(f"{language}-what-if")


def test_a_visitor_reads_the_landing_page_on_a_phone_in_chinese(watch, live_server):
    page = watch.page
    page.set_viewport_size(PHONE)
    use_language(page, live_server.url, "zh-hans")
    page.goto(f"{live_server.url}/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(
        "您的跨境电商业务可持续发展水平如何？"
    )
    for heading in ("适用对象", "需要填写什么", "能得到什么", "评估结果示例", "数据从何而来"):
        expect(main.get_by_role("heading", name=heading)).to_be_visible()
    sample = main.locator("section", has=page.locator("#sample-heading"))
    expect(sample.locator("svg.chart text", has_text="运营效率")).to_have_count(1)
    expect(sample).to_contain_text("示例")
    expect(page.locator("#sample-overall")).to_have_text(re.compile(r"^\d{1,3}\.\d$"))
    expect(main.locator('a[href="/accounts/signup/"]')).to_be_visible()
    expect(main.locator('a[href="/methodology/"]').first).to_be_visible()
    expect(page.locator("footer")).to_contain_text(
        "《中国跨境电商运营模式创新及其长期可持续发展机制研究》"
    )
    fits_a_phone(page, "landing", "zh-hans")
    watch.shot("landing-zh")
    main.locator('a[href="/accounts/signup/"]').first.click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))


def test_target_markets_are_searched_and_a_spaced_credit_code_is_accepted(watch, live_server):
    page = watch.page
    page.set_viewport_size(PHONE)
    UserFactory(email="lin@example.com")
    log_in(page, live_server.url, "lin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/enterprises/new/")
    main = page.locator("main")
    main.locator("#id_name").fill("Ningbo Blue Wave Trading Co., Ltd.")
    main.locator("#id_credit_code").fill("9135 0100 m000 100y 43")
    main.get_by_label("B2C (business to consumer)").check()
    picker = main.locator(".market-picker")
    search = picker.locator("input[type=search]")
    expect(search).to_be_visible()
    search.fill("germ")
    expect(picker.locator(".form-check:visible")).to_have_count(1)
    picker.get_by_label("Germany").check()
    search.fill("united states of")
    picker.get_by_label("United States of America").check()
    expect(picker.locator(".market-chosen")).to_have_text(
        "Ticked: Germany, United States of America"
    )
    search.fill("zzzz")
    expect(picker.locator(".market-none")).to_be_visible()
    search.press("Enter")  # never submits the form
    expect(page).to_have_url(re.compile(r"/enterprises/new/$"))
    fits_a_phone(page, "enterprise form", "en")
    watch.shot("markets")
    main.get_by_role("button", name="Save").click()
    expect(main.get_by_text("The enterprise profile has been created.")).to_be_visible()
    enterprise = Enterprise.objects.get()
    assert enterprise.credit_code == "91350100M000100Y43"
    assert sorted(c.code for c in enterprise.target_markets) == ["DE", "US"]
    # a new enterprise's page leads on to its first assessment
    main.get_by_role("link", name="Start the first assessment").click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/assessments/new/$"))


def test_the_pdf_downloads_by_itself_once_it_is_ready(watch, live_server, demo, monkeypatch):
    page = watch.page
    sent = []
    monkeypatch.setattr(dispatch, "send", lambda name, *args, **kwargs: sent.append(args))
    e, run = demo["enterprise"].pk, demo["run"]
    log_in(page, live_server.url, DEMO_USER.email, DEMO_PASSWORD)
    watch.expect_status(r"/report\.pdf$")  # a download is an aborted navigation to Chromium
    page.goto(f"{live_server.url}/enterprises/{e}/runs/{run.pk}/report.pdf")
    state = page.locator("#pdf-state")
    expect(state).to_contain_text("Waiting for a worker")
    expect(page.locator("#pdf-progress[hx-get]")).to_have_count(1)
    watch.shot("pdf-waiting")
    report = ReportFile.objects.get()
    with page.expect_download(timeout=45_000) as download_info:  # a render takes seconds
        report_file_render(report_file_id=report.pk)  # the worker
    download = download_info.value
    assert download.failure() is None and download.suggested_filename.endswith(".pdf")
    expect(state).to_have_text("Your PDF report is ready; the download starts by itself.")
    expect(page.locator("#pdf-progress[hx-get]")).to_have_count(0)  # polling has ended
    expect(page.locator("#pdf-download")).to_have_text("Download it again")
    watch.shot("pdf-ready")


def test_a_new_visitor_walks_in_chinese_on_a_phone_to_a_result_and_a_plan(
    watch, live_server, monkeypatch
):
    """Issue 15's "Done when": from the landing page, in Chinese, at 390 px, to a submitted
    result and an action in the improvement plan. On every page: the language is zh-hans, no
    sideways scroll, chart text readable, and no console error or CSP violation so far."""
    page, url = watch.page, live_server.url
    main = page.locator("main")
    page.set_viewport_size(PHONE)

    def check(what: str) -> None:
        expect(main).to_be_visible()
        fits_a_phone(page, what, "zh-hans")
        watch.shot(f"walk-{what}")  # also collects the page's CSP violations
        assert not watch.problems(), (what, watch.problems())

    # --- the landing page, switched to Chinese by a visitor who is not logged in -------------
    page.goto(f"{url}/")
    page.locator(".navbar-toggler").click()  # the phone's menu holds the language switch
    page.locator("nav button[name=language][value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{url}/")
    expect(main.get_by_role("heading", level=1)).to_have_text(
        "您的跨境电商业务可持续发展水平如何？"
    )
    check("landing")

    # --- sign up; the link in the e-mail confirms the address and logs in --------------------
    main.locator('a[href="/accounts/signup/"]').first.click()
    expect(main.get_by_role("heading", name="创建账户")).to_be_visible()
    check("signup")
    main.locator("#id_email").fill("lin.mei@example.com")
    main.locator("#id_full_name").fill("林梅")
    main.locator("input[name=password1]").fill(PASSWORD_OF_THE_WALK)
    main.locator("input[name=password2]").fill(PASSWORD_OF_THE_WALK)
    main.get_by_role("button", name="创建账户").first.click()
    expect(main.get_by_role("heading", name="请查收邮件")).to_be_visible()
    check("check-your-inbox")
    message = mail.outbox[-1]
    link = re.search(r"https?://\S+/accounts/verify/\S+", message.body).group()
    page.goto(link)
    expect(main.get_by_text("您的电子邮件地址已确认。欢迎使用！")).to_be_visible()
    check("confirmed")

    # --- the enterprise, then its first assessment ------------------------------------------
    main.get_by_role("link", name="创建企业档案").click()
    main.locator("#id_name").fill("宁波蓝波贸易有限公司")
    main.locator("input[name=operation_modes]").first.check()
    check("enterprise-form")
    main.get_by_role("button", name="保存").click()
    expect(main.get_by_text("企业档案已创建。")).to_be_visible()
    check("enterprise")
    main.get_by_role("link", name="开始首次自评").click()
    check("new-assessment")
    main.get_by_role("button", name="创建").click()
    expect(main.get_by_text("自评已创建，请填写各项数值。")).to_be_visible()
    form = page.locator("#assessment-form")
    for code, value in COMPLETE_VALUES.items():
        form.locator(f"#id_{code}").fill(str(value))
    check("assessment-filled")

    # --- submit; the test plays the worker, the page follows by itself -----------------------
    held_back = []
    monkeypatch.setattr(
        assessment_services, "run_enqueue", lambda run_id, **kw: held_back.append(run_id)
    )
    form.get_by_role("button", name="提交评估").click()
    expect(main.get_by_text("已提交，正在计算评估结果。")).to_be_visible()
    run = EvaluationRun.objects.get(enterprise__name="宁波蓝波贸易有限公司")
    assert held_back == [run.pk]
    check("submitted")
    assert run_execute(run.pk)
    expect(page.locator("#overall-score")).to_have_text("57.1", timeout=15_000)
    expect(main.get_by_role("heading", name="优先改进事项")).to_be_visible()
    check("result")

    # --- a recommendation becomes an action of the improvement plan --------------------------
    first = main.locator("#recommendations li").first
    title = first.locator("h3").first.inner_text()
    first.get_by_role("link", name="列入改进计划").first.click()
    expect(main.locator("#chosen-item")).to_contain_text(title)
    check("plan-add")
    main.get_by_role("button", name="列入改进计划").click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{run.enterprise_id}/plan/$"))
    expect(main.get_by_role("status")).to_contain_text("已列入改进计划")
    expect(main.locator("#plan-open")).to_contain_text(title)
    expect(main.locator("#plan-open")).to_contain_text("林梅")
    check("plan")
    action = PlanAction.objects.get()
    assert action.planned_from == run and action.owner.email == "lin.mei@example.com"
    assert action.owner.language == "zh-hans"  # the choice made before signing up is kept
