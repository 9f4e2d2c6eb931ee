"""An environment for a subprocess that keeps every file of the project in a temporary directory.

The caller's environment without the project's own variables (so neither the test settings nor
CI's services leak in), with ``DJANGO_VAR_DIR`` (the beat schedule, private files), a SQLite
database and a SQLite broker in ``var_dir``. Nothing is written into the project's ``var/``, and
the developer's ``.env`` is not read unless ``DJANGO_ENV_FILE`` says so.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_VARIABLES = (
    "DATABASE_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "PRIVATE_FILES_ROOT",
    "TEST_SQLITE_NAME",
    "LOG_LEVEL",
)


def isolated_environment(var_dir: Path, **variables: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_")) and key not in PROJECT_VARIABLES
    }
    env.update(
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        CELERY_BROKER_URL=f"sqla+sqlite:///{var_dir / 'celery-broker.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    env.update(variables)
    return env
