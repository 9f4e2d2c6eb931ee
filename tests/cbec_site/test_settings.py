"""Production settings refuse to start insecurely; the environment chooses the services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "Zq8#pL2@xV9!mN4$wR7^tY1&uI5*oP3(aS6)dF0" + "e" * 10


def _start(code: str = "", **env) -> subprocess.CompletedProcess:
    """Set Django up in a fresh interpreter with ``env``, never the developer's ``.env`` (which
    ``make run`` writes with a secret key), unless ``DJANGO_ENV_FILE`` names another file."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_ENV_FILE": os.devnull, **env})
    environment["DJANGO_SETTINGS_MODULE"] = "cbec_site.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
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


@pytest.mark.parametrize(
    "url",
    [
        "postgres://cbec:secret@db.example.com:5432/cbec",
        "postgres://cbec@10.0.0.5/cbec",
        "postgres://cbec@/cbec?host=db.example.com",
        "mysql://cbec@127.0.0.1/cbec",
    ],
)
def test_debug_refuses_a_database_that_is_not_local(url):
    result = _start(DJANGO_DEBUG="true", DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "not on this machine" in result.stderr
    assert "secret" not in result.stderr.split("ImproperlyConfigured", 1)[1]  # no password


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////tmp/cbec-local.sqlite3",
        "postgres://cbec@localhost/cbec",
        "postgres://cbec@127.0.0.1:5432/cbec",
        "postgres://cbec@[::1]:5432/cbec",
        "postgres:///cbec",
        "postgres:////var/run/postgresql/cbec",
        "postgres://%2Fvar%2Frun%2Fpostgresql/cbec",
        "postgres://cbec@/cbec?host=/var/run/postgresql",
    ],
)
def test_debug_runs_on_a_local_database(url):
    result = _start(DJANGO_DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr


def test_without_debug_any_database_may_be_used():
    result = _start(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=STRONG,
        DJANGO_ALLOWED_HOSTS="example.com",
        DATABASE_URL="postgres://cbec@db.example.com/cbec",
    )
    assert result.returncode == 0, result.stderr


def test_the_env_file_and_the_var_dir_can_be_moved(tmp_path):
    env_file = tmp_path / "dev.env"
    env_file.write_text(f"DJANGO_DEBUG=false\nDJANGO_SECRET_KEY={STRONG}\n")
    result = _start(
        "from django.conf import settings\n"
        "print(settings.DEBUG, settings.VAR_DIR, settings.CELERY_BEAT_SCHEDULE_FILENAME)",
        DJANGO_ENV_FILE=str(env_file),
        DJANGO_VAR_DIR=str(tmp_path / "var"),
        DJANGO_ALLOWED_HOSTS="example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        str(tmp_path / "var"),
        str(tmp_path / "var" / "celerybeat-schedule"),
    ]
