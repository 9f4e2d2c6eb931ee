"""What a submission needs, checked for ``/healthz``: the database, the cache, the broker, and a
worker on each queue.

Each check proves what the work needs, not only that something answers: the broker takes a small
probe message through the same pooled producer every send uses (a broker file that is read-only
or deleted, or a Redis out of memory, still accepts connections); a queue's worker took the
heartbeat beat sends through that queue (``core.liveness``). A check that fails, whatever it
raises, reads False; the reason goes to the log, never into the response. Cheap enough to be
called every few seconds: one ``SELECT 1``, one cache read, and one message published and purged
at once, so the probe queue never grows.
"""

from __future__ import annotations

import logging
import time

from celery import current_app
from django.conf import settings
from django.db import connection
from kombu import Queue

from core import liveness
from core.dispatch import QUEUES

logger = logging.getLogger(__name__)

# Its own queue, which no worker consumes: a probe message must never reach a task.
PROBE = Queue("cbec.healthz-probe", routing_key="cbec.healthz-probe")
# One retry: a pooled connection to a broker that restarted is replaced once, then it is down.
PROBE_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _first_line(error: Exception) -> str:
    return str(error).split("\n", 1)[0]  # SQLAlchemy's follow with the statement and its data


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:  # noqa: BLE001 - any failure is "not ok"
        logger.warning("health: database: %s: %s", type(error).__name__, _first_line(error))
        return False


def broker_ok() -> bool:
    """Publish a probe message through the app's producer pool, then purge the probe queue.

    Purging, rather than reading one message back, keeps the queue empty whatever happens
    (a probe that died half-way, concurrent probes), and it is a write too. Not requiring the
    purged count to be 1 keeps two concurrent probes from failing each other.
    """
    try:
        with current_app.producer_pool.acquire(block=True, timeout=2) as producer:
            producer.publish(
                {"probe": time.time()},
                exchange="",
                routing_key=PROBE.routing_key,
                declare=[PROBE],
                serializer="json",
                retry=True,
                retry_policy=PROBE_RETRY,
            )
            PROBE(producer.channel).purge()
        return True
    except Exception as error:  # noqa: BLE001 - any failure is "not ok"
        logger.warning("health: broker: %s: %s", type(error).__name__, _first_line(error))
        return False


def workers_seen() -> dict[str, bool] | None:
    """Per queue: did a worker take the heartbeat within WORKER_SEEN_WITHIN? None when the
    cache cannot be read."""
    try:
        seen = liveness.last_seen(QUEUES)
    except Exception as error:  # noqa: BLE001 - any failure is "not ok"
        logger.warning("health: cache: %s: %s", type(error).__name__, _first_line(error))
        return None
    oldest = time.time() - settings.WORKER_SEEN_WITHIN.total_seconds()
    return {queue: at is not None and at >= oldest for queue, at in seen.items()}


def status() -> tuple[bool, dict[str, object]]:
    """Whether every check holds, and each check's answer."""
    workers = workers_seen()
    checks: dict[str, object] = {
        "database": database_ok(),
        "cache": workers is not None,
        "broker": broker_ok(),
        "workers": workers if workers is not None else dict.fromkeys(QUEUES, False),
    }
    ok = checks["database"] and checks["cache"] and checks["broker"]
    return ok and all(checks["workers"].values()), checks
