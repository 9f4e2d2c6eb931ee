"""Queueing work for the Celery workers, by task name: the one place services send tasks.

Task modules import services; services never import task modules. They name the task instead,
and Celery's routes (``CELERY_TASK_ROUTES`` in settings) choose its queue, so every import
points down and the web process never loads what only a worker needs (WeasyPrint).

Under ``CELERY_TASK_ALWAYS_EAGER`` (the tests) the task runs here and now, as ``delay`` would.
"""

from __future__ import annotations

from celery import current_app

# The queues, each with its own workers (Procfile, ``make run``). Evaluations come first: a
# tenant asking for many PDFs must never make another tenant's evaluation wait.
EVALUATIONS = "evaluations"
REPORTS = "reports"
MAIL = "mail"
QUEUES = (EVALUATIONS, REPORTS, MAIL)


def send(name: str, *args, countdown: float | None = None) -> None:
    """Queue task ``name`` with ``args``; raises what the broker raises when it cannot take it."""
    app = current_app
    if app.conf.task_always_eager:
        app.loader.import_default_modules()  # registers every task module's tasks (cheap again)
        app.tasks[name].apply_async(args, countdown=countdown)
        return
    app.send_task(name, args, countdown=countdown)
