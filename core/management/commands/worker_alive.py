"""``python manage.py worker_alive --queue reports``: a liveness probe for one worker.

Exits 0 when a worker on this machine took a task from the queue within WORKER_STALE_SECONDS
(240 by default; ``--max-age`` overrides it), 1 when it has not (or never did), 2 when
``WORKER_HEARTBEAT_DIR`` is not set. It reads the heartbeat file the worker touches for each
task and for beat's heartbeat (``core.liveness``), so it must run with the worker's
``WORKER_HEARTBEAT_DIR``, on the worker's machine (a systemd timer, a Kubernetes exec probe);
a worker that fails it is frozen and must be killed and started again (README, Deploying).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import liveness
from core.dispatch import QUEUES


class Command(BaseCommand):
    help = "Exit 1 when no worker on this machine took a task from the queue lately."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue", required=True, choices=QUEUES)
        parser.add_argument(
            "--max-age",
            type=float,
            default=settings.WORKER_STALE_AFTER.total_seconds(),
            help="seconds without a task after which the worker counts as frozen "
            "(default: WORKER_STALE_SECONDS)",
        )

    def handle(self, *, queue: str, max_age: float, **options) -> None:
        path = liveness.heartbeat_file(queue)
        if path is None:
            raise CommandError(
                "WORKER_HEARTBEAT_DIR is not set: give the worker and this check the same "
                "directory, where the worker touches a file per queue.",
                returncode=2,
            )
        age = liveness.file_age(queue)
        if age is None:
            raise CommandError(f"{queue}: no worker has taken a task yet ({path})", returncode=1)
        if age > max_age:
            raise CommandError(
                f"{queue}: no task taken for {age:.0f} s (limit {max_age:.0f} s; {path})",
                returncode=1,
            )
        self.stdout.write(f"{queue}: a worker took a task {age:.0f} s ago")
