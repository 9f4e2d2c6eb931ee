"""The engine must stay importable without Django (Celery, CLI and bulk jobs rely on it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_engine_imports_without_django():
    code = "import evaluations.scoring, sys; assert 'django' not in sys.modules, 'django imported'"
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
