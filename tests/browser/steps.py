"""Steps the browser walks share: logging in afresh, and a page checked for sideways scrolling
(at its own width, or at a phone's)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}


def log_in(page, url: str, email: str, password: str = PASSWORD) -> None:
    """Log in as someone else: the cookies of whoever was logged in go first."""
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    main = page.locator("main")
    main.locator("input[name=username]").fill(email)
    main.locator("input[name=password]").fill(password)
    main.locator("[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def no_sideways_scroll(page) -> None:
    """Nothing on the page is wider than the window it is shown in."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def fits_a_phone(page) -> None:
    """The page as it stands, at 390 px: nothing scrolls sideways."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.set_viewport_size(size)
