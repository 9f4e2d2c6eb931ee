"""Liveness of the three things a submission needs: the database, the broker and a worker.

A worker proves itself by running ``core.tasks.heartbeat`` (scheduled by beat); the health view
reads the time it last ran from the shared cache.
"""

from __future__ import annotations

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def worker_seen_recently() -> bool:
    last = cache.get(settings.CELERY_WORKER_HEARTBEAT_KEY)
    if last is None:
        return False
    age = timezone.now().timestamp() - float(last)
    return age <= settings.WORKER_SEEN_WITHIN.total_seconds()


def status() -> dict[str, bool]:
    return {"database": database_ok(), "broker": broker_ok(), "worker": worker_seen_recently()}
