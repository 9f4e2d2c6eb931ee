"""README's screenshot of the result page is made by scripts/screenshot.py from the demo data;
this runs the script (in its own process, as a person runs it) against the live server, into a
temporary file."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from PIL import Image

from tests.scripts.test_run import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_screenshot_script_saves_the_result_page(live_server, tmp_path):
    call_command("seed_demo", "--force")
    out = tmp_path / "result.png"
    done = subprocess.run(
        [sys.executable, "scripts/screenshot.py", "--url", live_server.url, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with Image.open(out) as picture:
        assert picture.size == (1280, 1000)
    assert (ROOT / "docs" / "screenshot-result.png").is_file()  # the one README shows
    assert "docs/screenshot-result.png" in (ROOT / "README.md").read_text(encoding="utf-8")
