"""Production settings refuse to start insecurely; the environment chooses the services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "Zq8#pL2@xV9!mN4$wR7^tY1&uI5*oP3(aS6)dF0" + "e" * 10


def _start(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="cbec_site.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "DJANGO_SECRET_KEY is not set"),
        ("short", "too weak"),
        ("a" * 60, "too weak"),
        ("django-insecure-" + "x1y2z3w4v5" * 5, "too weak"),
    ],
)
def test_without_debug_a_missing_or_weak_key_stops_the_start(key, message):
    env = {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "example.com"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = _start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_without_debug_allowed_hosts_are_required():
    result = _start(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=STRONG)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_a_strong_key_starts():
    result = _start(
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY=STRONG, DJANGO_ALLOWED_HOSTS="example.com"
    )
    assert result.returncode == 0, result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_ci_runs_on_postgresql_and_redis(settings):
    """CI sets DATABASE_URL and CELERY_BROKER_URL; a silent fallback to SQLite would fail here."""
    from django.db import connection

    if os.environ.get("CI"):
        assert connection.vendor == "postgresql"
        assert settings.CELERY_BROKER_URL.startswith("redis://")
