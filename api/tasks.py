"""Celery tasks of the API: ids in, one service call (the mail queue: CELERY_TASK_ROUTES)."""

from __future__ import annotations

from celery import shared_task

from api.services import webhooks


@shared_task(name=webhooks.DELIVER)
def deliver_webhook(delivery_id: int) -> bool:
    """One attempt; a failed one is sent again later with backoff until the last attempt."""
    wait = webhooks.delivery_attempt(delivery_id=delivery_id)
    if wait is not None:
        webhooks.delivery_retry(delivery_id=delivery_id, countdown=wait)
    return wait is None
