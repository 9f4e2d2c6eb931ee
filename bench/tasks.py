"""The floor of bench/submit.py: a no-op task that writes one row (``bench.settings`` only)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django.utils import timezone

FLOOR_DONE_TABLE = "bench_floor_done"


@shared_task(name="bench.tasks.floor_task", acks_late=True, reject_on_worker_lost=True)
def floor_task(row_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_DONE_TABLE} (floor_id, done_at) VALUES (%s, %s)",
            [row_id, timezone.now()],
        )
