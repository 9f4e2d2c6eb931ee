"""Platform tasks: delivering e-mail (the mail queue) and the workers' heartbeat."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from celery.signals import task_prerun
from django.conf import settings
from django.core.mail import send_mail

from core import liveness
from core.dispatch import EVALUATIONS
from core.mail import DELIVER


@shared_task(name=DELIVER, bind=True, max_retries=5, default_retry_delay=60)
def deliver_mail(self, message: dict) -> None:
    """Send one queued message; a mail server that is down is tried again later."""
    try:
        send_mail(
            subject=message["subject"],
            message=message["body"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=message["to"],
        )
    except (OSError, SMTPException) as error:
        raise self.retry(exc=error) from error


@shared_task(name="core.tasks.heartbeat")
def heartbeat(queue: str = EVALUATIONS) -> None:
    """Sent through ``queue`` (by beat, and by a worker as it starts): the worker that takes it
    records when, for ``/healthz`` (``core.liveness``)."""
    liveness.record(queue)


@task_prerun.connect
def took_a_task(task, **kwargs) -> None:
    """Any task a worker starts proves it alive too (the heartbeat file only), so a worker busy
    with a backlog, which reaches the heartbeat late, is never taken for a frozen one."""
    request = task.request
    queue = (request.delivery_info or {}).get("routing_key")
    if queue and not request.is_eager:
        liveness.touch(queue)
