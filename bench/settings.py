"""The product's settings plus the benchmarks' floor views and floor task, for bench/*.py only.

The floors (an empty page in the site's own layout; a POST that saves one row and sends a
no-op task) must go through the same middleware, session and navigation as the pages they are
compared with, so they are served by the same gunicorn, but they are never part of the
product's URLs: only this settings module routes to them.
"""

from cbec_site.settings import *  # noqa: F403
from cbec_site.settings import INSTALLED_APPS, STORAGES, VAR_DIR

ROOT_URLCONF = "bench.floor_urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # Celery's autodiscovery finds bench.tasks

# Hashed static URLs as in production, collected into the benchmarks' own folder; no
# compression (files are not what is measured, and compressing them all takes a minute).
STATIC_ROOT = VAR_DIR / "bench" / "static"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
