"""Test settings: the real settings module, made fast and deterministic.

``DATABASE_URL`` and ``CELERY_BROKER_URL`` still come from the environment, so CI runs the same
suite against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
# Playwright's sync API runs an event loop in the test thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *  # noqa: E402,F403
from .settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the finders, without collectstatic (as runserver does).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
# Eager tasks would render each fresh result's PDF inside the request; the tests that check
# pre-rendering turn it on.
REPORT_PRERENDER = False
PRIVATE_FILES_ROOT = VAR_DIR / "test-private"
LANGUAGE_CODE = "en"

# A file, not memory, for the SQLite test database: the reliability tests start real Celery
# workers in other processes, which must see the same data.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": env.str("TEST_SQLITE_NAME", default=str(VAR_DIR / "test-db.sqlite3"))  # noqa: F405
    }
