"""When a worker last took a task from each queue: what ``/healthz``, the runner of ``make run``
and ``manage.py worker_alive`` judge a worker by.

Beat sends ``core.tasks.heartbeat`` through every queue (and a worker sends one through each of
its queues when it starts); the worker that takes it records the time in two places:

- the shared cache, one key per queue, read by ``/healthz`` (``cbec_site.health``): a heartbeat
  taken within ``WORKER_SEEN_WITHIN`` means the queue moves;
- with ``WORKER_HEARTBEAT_DIR`` set, a file per queue on the worker's machine, whose
  modification time is the moment. The worker also touches it when it starts any other task, so
  a worker busy with a long backlog is never taken for a frozen one. ``scripts/run.py`` (plain
  Python, no Django) and ``manage.py worker_alive`` (a liveness probe) read it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

_QUEUE_NAME = re.compile(r"[\w.-]+")  # a file name, never a path


def _cache_key(queue: str) -> str:
    return f"{settings.CELERY_WORKER_HEARTBEAT_KEY}:{queue}"


def heartbeat_file(queue: str) -> Path | None:
    """The queue's file under WORKER_HEARTBEAT_DIR, or None when no directory is set."""
    if not settings.WORKER_HEARTBEAT_DIR or not _QUEUE_NAME.fullmatch(queue):
        return None
    return Path(settings.WORKER_HEARTBEAT_DIR) / queue


def touch(queue: str) -> None:
    """A worker took a task from ``queue`` now (the file only: cheap enough for every task)."""
    path = heartbeat_file(queue)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def record(queue: str) -> None:
    """A worker took the heartbeat from ``queue`` now (the file first: it proves this worker
    alive even when the shared cache is down)."""
    touch(queue)
    cache.set(_cache_key(queue), time.time(), timeout=None)


def last_seen(queues: Iterable[str]) -> dict[str, float | None]:
    """Per queue, when a worker last took the heartbeat (a timestamp), or None."""
    queues = list(queues)
    found = cache.get_many([_cache_key(queue) for queue in queues])
    return {queue: found.get(_cache_key(queue)) for queue in queues}


def file_age(queue: str) -> float | None:
    """Seconds since a worker on this machine last took a task from ``queue``; None when there
    is no file (no directory set, or no task taken yet)."""
    path = heartbeat_file(queue)
    try:
        return time.time() - path.stat().st_mtime if path is not None else None
    except FileNotFoundError:
        return None
