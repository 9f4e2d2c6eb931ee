"""axe-core on the main pages: no violation of impact "serious" or "critical" (issue 8).

axe-core is vendored in ``static/vendor/axe/`` (see its VERSION file) and served by the live
server like any static file. Each page's full list of violations, minor ones included, is kept
next to its screenshot as ``NN-name.axe.json``.
"""

import json

import pytest
from playwright.sync_api import expect

from enterprises.models import Role
from tests.browser.conftest import run_axe
from tests.factories import (
    PASSWORD,
    AssessmentFactory,
    MembershipFactory,
    submitted_run,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BLOCKING = {"serious", "critical"}


def test_main_pages_have_no_serious_accessibility_violation(watch, live_server):
    page = watch.page
    main = page.locator("main")
    owner = MembershipFactory(
        role=Role.OWNER,
        user__email="owner@example.com",
        enterprise__name="Hangzhou Accessible Trading Co.",
        enterprise__modes=["b2b", "b2c"],
    )
    enterprise, user = owner.enterprise, owner.user
    run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=1), user)
    draft = AssessmentFactory(enterprise=enterprise, year=2026, quarter=2, values={})
    base = f"{live_server.url}/enterprises/{enterprise.pk}"

    found: dict[str, list[dict]] = {}

    def audit(name: str) -> None:
        shot = watch.shot(name)
        violations = run_axe(page)
        shot.with_suffix(".axe.json").write_text(json.dumps(violations, indent=2))
        found[name] = [v for v in violations if v["impact"] in BLOCKING]

    page.goto(f"{live_server.url}/accounts/login/")
    expect(main.get_by_role("heading", name="Log in")).to_be_visible()
    audit("login")
    main.locator("input[name=username]").fill(user.email)
    main.locator("input[name=password]").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{base}/dashboard/")

    page.goto(f"{live_server.url}/enterprises/")
    expect(main.get_by_text("Hangzhou Accessible Trading Co.")).to_be_visible()
    audit("enterprise-list")

    page.goto(f"{base}/dashboard/")
    expect(main.get_by_role("heading", name="Assessments")).to_be_visible()
    audit("dashboard")

    page.goto(f"{base}/assessments/{draft.pk}/")
    expect(page.locator("#assessment-form")).to_be_visible()
    audit("assessment-form")

    page.goto(f"{base}/runs/{run.pk}/")
    expect(page.locator("#overall-score")).to_be_visible()
    audit("result")

    page.goto(f"{base}/trail/")
    expect(main.get_by_role("heading", name="Audit trail of Hangzhou Accessible")).to_be_visible()
    audit("audit-trail")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/runs/{run.pk}/")
    page.locator("nav button[name=language][value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    audit("result-zh-hans")

    report = [
        f"{page_name}: {v['id']} ({v['impact']}) {v['help']} — {node['target']}: {node['html']}"
        for page_name, violations in found.items()
        for v in violations
        for node in v["nodes"]
    ]
    assert not report, "axe-core found serious or critical violations:\n" + "\n".join(report)
