"""``manage.py rescore --scheme SLUG``: every enterprise's latest run re-scored under a scheme.

Creates a re-scoring job and hands it to the Celery workers (in chunks); prints the job's id,
which the admin shows with its progress. ``--wait`` polls the job and prints its progress
until it is finished (exit status 1 if it failed).
"""

from __future__ import annotations

import argparse
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluations.models import RescoreJob
from evaluations.services import scheme_by_slug
from evaluations.services.rescore import rescore_create


class Command(BaseCommand):
    help = "Re-scores every enterprise's latest evaluation run under a published weight scheme."

    def create_parser(self, prog_name, subcommand, **kwargs):
        """``--version`` is the scheme version here, not Django's version."""
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, help="The target scheme's slug.")
        parser.add_argument(
            "--version", type=int, dest="scheme_version", help="Default: the latest published."
        )
        parser.add_argument("--chunk-size", type=int, help="Runs per task (default 5000).")
        parser.add_argument("--wait", action="store_true", help="Print progress until done.")
        parser.add_argument("--poll", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args, scheme: str, scheme_version, chunk_size, wait: bool, poll, **options):
        target = scheme_by_slug(scheme, scheme_version)
        if target is None:
            which = f"{scheme} v{scheme_version}" if scheme_version else scheme
            raise CommandError(f"No published scheme {which}.")
        try:
            job = rescore_create(scheme=target, chunk_size=chunk_size)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(str(job.pk))
        if not wait:
            return
        shown = None
        while True:
            job.refresh_from_db()
            line = (
                f"job {job.pk} {job.status}: {job.processed:,}/{job.total:,} "
                f"({job.progress_percent:.0f} %)"
            )
            if line != shown:
                self.stdout.write(line)
                shown = line
            if job.is_finished:
                break
            time.sleep(poll)
        if job.status == RescoreJob.Status.FAILED:
            raise CommandError(f"job {job.pk} failed: {job.error}")
        if job.skipped:
            self.stdout.write(f"{job.skipped:,} runs could not be scored under {target}.")
