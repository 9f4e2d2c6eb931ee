"""``scripts/dev_env.py`` writes the development ``.env`` once and never changes it after."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _write(env_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/dev_env.py"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_ENV_FILE": str(env_file)},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )


def _read(env_file: Path) -> dict[str, str]:
    lines = env_file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_a_missing_file_is_written_with_debug_and_a_fresh_key(tmp_path):
    env_file = tmp_path / ".env"
    _write(env_file)
    values = _read(env_file)
    assert values["DJANGO_DEBUG"] == "true"
    key = values["DJANGO_SECRET_KEY"]
    assert len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600

    other = tmp_path / "other.env"
    _write(other)
    assert _read(other)["DJANGO_SECRET_KEY"] != key  # generated, not a constant


def test_an_existing_file_is_left_as_it_is(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=false\n")
    result = _write(env_file)
    assert env_file.read_text() == "DJANGO_DEBUG=false\n"
    assert "left as it is" in result.stdout
