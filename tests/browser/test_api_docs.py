"""The API docs page (/api/v1/docs/) renders Swagger UI in a real browser under the site's CSP:
no CSP violation, no console error, every operation listed from the schema."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone_and_languages import PHONE, fits_a_phone, log_in, use_language
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_api_docs_render_under_the_csp(watch, live_server):
    page = watch.page
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CBEC")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 15
    watch.shot("api-docs")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_tokens_are_made_shown_once_and_revoked_on_a_phone(watch, live_server, language):
    page = watch.page
    page.set_viewport_size(PHONE)
    UserFactory(email="lin@example.com")
    use_language(page, live_server.url, language)
    log_in(page, live_server.url, "lin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/accounts/me/")
    page.locator('main a[href="/accounts/me/tokens/"]').click()
    main = page.locator("main")
    main.locator("#id_name").fill("ERP")
    main.locator("#id_scope").select_option("write")
    main.locator("button[type=submit]").last.click()
    token = main.locator("#new-token")
    expect(token).to_have_text(re.compile(r"^cbec_\S{40,}$"))
    fits_a_phone(page, "API tokens", language)
    watch.shot(f"{language}-tokens")
    page.reload()
    expect(main.locator("#new-token")).to_have_count(0)
    main.locator("li form button[type=submit]").click()
    expect(main.locator("li .badge")).to_have_count(1)
    fits_a_phone(page, "API tokens (revoked)", language)
