#!/usr/bin/env python
"""Saves README's picture of the result page (docs/screenshot-result.png) from the demo data.

Run it while `make run` serves the demo:

    .venv/bin/python scripts/screenshot.py [--url http://127.0.0.1:8000] [--out FILE.png]

It logs in as the demo owner, opens the latest result of the current enterprise from the
dashboard, as a person would, and keeps the top of the page at desktop width, in English.
Debian's chromium through Playwright, as the browser tests use it (BROWSER_TESTS_CHROMIUM).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for demo.accounts, which imports no Django

from demo.accounts import DEMO_PASSWORD, DEMO_USER  # noqa: E402

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 1000}


def take(url: str, out: Path) -> Path:
    """The result page's screenshot at ``out``, taken from the demo served at ``url``."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
            context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
            page = context.new_page()
            page.goto(f"{url}/accounts/login/")
            main = page.locator("main")
            main.locator("input[name=username]").fill(DEMO_USER.email)
            main.locator("input[name=password]").fill(DEMO_PASSWORD)
            main.locator("button[type=submit]").first.click()
            page.wait_for_url(lambda address: "/accounts/login/" not in address)
            page.goto(f"{url}/")  # the current enterprise's dashboard
            page.locator("main a", has_text="See the result").first.click()
            page.locator("#overall-score").wait_for()
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=False)
        finally:
            browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-result.png")
    args = parser.parse_args()
    print(take(args.url.rstrip("/"), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
