"""The administrator's path in a real browser: a draft weight scheme is checked, fixed and
published from Django admin (PRODUCT.md section 4)."""

import re

import pytest
from playwright.sync_api import expect

from evaluations.models import WeightScheme
from tests.factories import PASSWORD, UserFactory, WeightSchemeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def weight_input(page, indicator: str):
    """The weight field of the inline row whose indicator select shows ``indicator``."""
    prefix = page.evaluate(
        """(name) => {
          const selects = document.querySelectorAll('select[name^="rows-"][name$="-indicator"]');
          for (const select of selects) {
            if (select.selectedOptions[0]?.text.includes(name)) {
              return select.name.replace(/-indicator$/, "");
            }
          }
          return null;
        }""",
        indicator,
    )
    assert prefix, f"no inline row for {indicator}"
    return page.locator(f'input[name="{prefix}-weight"]')


def test_an_administrator_fixes_and_publishes_a_draft_scheme(watch, live_server):
    page = watch.page
    UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    draft = WeightSchemeFactory(slug="ye-2025-revised", name="Ye (2025), revised weights")
    change_url = f"{live_server.url}/admin/evaluations/weightscheme/{draft.pk}/change/"

    # --- log in (admin sends an anonymous visitor to the site's log-in page) ------------------
    page.goto(change_url)
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    watch.shot("login")
    main = page.locator("main, #content-main").first
    main.locator("input[name=username]").fill("root@example.com")
    main.locator("input[name=password]").fill(PASSWORD)
    main.locator("[type=submit]").click()
    expect(page).to_have_url(change_url)
    expect(page.locator(".fieldBox.field-check_result")).to_contain_text("Ready to publish.")
    watch.shot("draft-scheme")

    # --- a weight that breaks the sum is refused, naming the problem ------------------------
    weight = weight_input(page, "Logistics costs")
    expect(weight).to_have_value(re.compile(r"^0\.250*$"))
    weight.fill("0.35")
    page.locator("input[name=_continue]").click()
    errors = page.locator(".errornote, .errorlist")
    expect(errors.first).to_be_visible()
    expect(page.locator("#content")).to_contain_text("weights sum to 1.1")
    expect(page.locator("#content")).to_contain_text("they must sum to 1")
    watch.shot("weight-sum-error")
    draft.refresh_from_db()
    assert str(draft.rows.get(indicator__code="logistics_cost").weight).startswith("0.25")

    # --- fixed and saved --------------------------------------------------------------------
    weight_input(page, "Logistics costs").fill("0.20")
    weight_input(page, "Environmental impact score").fill("0.35")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator(".fieldBox.field-weight_sum .readonly")).to_have_text("1")
    expect(page.locator(".fieldBox.field-check_result")).to_contain_text("Ready to publish.")
    watch.shot("draft-fixed")

    # --- published with the changelist action ----------------------------------------------
    page.goto(f"{live_server.url}/admin/evaluations/weightscheme/")
    row = page.locator("#result_list tbody tr", has_text="ye-2025-revised")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Publish the selected drafts…")
    watch.shot("publish-action")
    page.locator("button[name=index], input[name=index]").first.click()
    # it asks first, saying what follows (issue 15)
    expect(page.locator("#content-main")).to_contain_text("freezes the version")
    watch.shot("publish-confirm")
    page.locator("#content-main input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Ye (2025), revised weights (ye-2025-revised v1) is published."
    )
    row = page.locator("#result_list tbody tr", has_text="ye-2025-revised")
    expect(row.locator("td.field-status")).to_have_text("published")
    watch.shot("published")

    draft.refresh_from_db()
    assert draft.status == WeightScheme.Status.PUBLISHED
    weights = dict(draft.rows.values_list("indicator__code", "weight"))
    assert (str(weights["logistics_cost"]), str(weights["environmental_impact_score"])) == (
        "0.200000000",
        "0.350000000",
    )

    # A published version is read-only: its page offers no save button any more.
    page.goto(change_url)
    expect(page.locator("input[name=_save], input[name=_continue]")).to_have_count(0)
    watch.shot("published-read-only")


def test_the_scheme_admin_pages_raise_no_console_error_or_csp_violation(watch, live_server):
    """Issue 15: the preview's inline style broke the site's CSP. Every scheme page, and the
    steps clone → edit → preview → publish → default, with the watch failing on any console
    error or CSP violation."""
    page = watch.page
    UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    table_4 = WeightScheme.objects.get(slug="ye-2025-table-4", version=1)
    base = f"{live_server.url}/admin/evaluations/weightscheme"
    page.goto(f"{base}/")
    main = page.locator("main, #content-main").first
    main.locator("input[name=username]").fill("root@example.com")
    main.locator("input[name=password]").fill(PASSWORD)
    main.locator("[type=submit]").click()
    expect(page.locator(".scheme-steps")).to_contain_text("Make the default")
    watch.shot("scheme-list")

    page.goto(f"{base}/{table_4.pk}/change/")
    page.locator("#clone-scheme").click()
    expect(page.locator("#content-main")).to_contain_text("same weights, bounds and grade bands")
    page.locator("#content-main input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Created the draft")
    draft = WeightScheme.objects.get(slug="ye-2025-table-4", version=2)
    expect(page).to_have_url(re.compile(rf"/weightscheme/{draft.pk}/change/$"))
    watch.shot("draft")
    for path in ("preview/", "ahp/"):
        page.goto(f"{base}/{draft.pk}/{path}")
        expect(page.locator("#content")).to_be_visible()
    page.goto(
        f"{base}/{draft.pk}/preview/?logistics_cost=12&npd_cycle=30&tech_update_speed=12"
        "&market_response_time=14&environmental_impact_score=60"
    )
    expect(page.locator("#content")).to_contain_text("Current default")
    watch.shot("preview")
    page.goto(f"{base}/{draft.pk}/publish/")
    page.locator("#content-main input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")
    page.goto(f"{base}/{draft.pk}/make-default/")
    expect(page.locator("#content-main")).to_contain_text("re-score it afterwards")
    page.locator("#content-main input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("is now the default")
    watch.shot("default")
    draft.refresh_from_db()
    assert draft.is_default
