"""When a worker last took the heartbeat from each queue: what ``/healthz`` judges workers by.

Beat sends ``core.tasks.heartbeat`` through every queue (and a worker sends one through each of
its queues when it starts); the worker that takes it records the time in the shared cache, one
key per queue, read by ``/healthz`` (``cbec_site.health``): a heartbeat taken within
``WORKER_SEEN_WITHIN`` means the queue moves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache


def _cache_key(queue: str) -> str:
    return f"{settings.CELERY_WORKER_HEARTBEAT_KEY}:{queue}"


def record(queue: str) -> None:
    """A worker took the heartbeat from ``queue`` now."""
    cache.set(_cache_key(queue), time.time(), timeout=None)


def last_seen(queues: Iterable[str]) -> dict[str, float | None]:
    """Per queue, when a worker last took the heartbeat (a timestamp), or None."""
    queues = list(queues)
    found = cache.get_many([_cache_key(queue) for queue in queues])
    return {queue: found.get(_cache_key(queue)) for queue in queues}
