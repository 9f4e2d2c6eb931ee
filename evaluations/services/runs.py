"""Evaluation runs on the worker: execute once, fail readably, and never stay queued forever.

The lifecycle (PRODUCT.md section 5):

    queued --(worker starts)--> running --(results stored)--> succeeded
       ^                           |
       +--(error or stale, < 3)----+--(3rd attempt fails)--> failed, with its reason

Execution is idempotent: the results are written in one transaction that first re-checks,
under a row lock, that the run has not succeeded meanwhile, and the result rows are unique per
run, so a message delivered twice (or re-sent by the sweep while the first copy was still
waiting) leaves exactly one result.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dispatch
from evaluations.models import EvaluationRun, RunDimension, RunIndicator
from evaluations.scoring import (
    ScoreResult,
    ScoringError,
    robustness_band,
    scheme_from_dict,
    score,
)
from evaluations.signals import run_finished

from .reports import report_file_prerender

logger = logging.getLogger(__name__)
Status = EvaluationRun.Status
RUN = "evaluations.tasks.run_evaluation"


def run_enqueue(run_id: int, *, countdown: float | None = None, stamped: bool = False) -> bool:
    """Send the run to a worker; if the broker is down, log it and leave it to the sweep.

    ``stamped``: the run was created with ``sent_at`` already set (the submission path, which
    saves a commit per submit); only a failed send then writes, clearing it so the sweep sends
    the run again within seconds. A process that dies between the commit and the send leaves
    ``sent_at`` set, and the sweep re-sends it once it is stale.
    """
    try:
        dispatch.send(RUN, run_id, countdown=countdown)
    except Exception as error:  # noqa: BLE001 - any broker failure: the sweep sends it later
        logger.warning("run %s not sent, the sweep will retry: %s", run_id, error)
        if stamped:
            EvaluationRun.objects.filter(pk=run_id).update(sent_at=None)
        return False
    if not stamped:
        EvaluationRun.objects.filter(pk=run_id).update(sent_at=timezone.now())
    return True


def run_result(run: EvaluationRun, changes: Mapping[str, float] | None = None) -> ScoreResult:
    """Recompute a run from what it stored, its snapshot and its values, optionally with some
    values changed (the what-if). Pure: nothing is written."""
    values = {**run.values, **changes} if changes else run.values
    return score(scheme_from_dict(run.scheme_snapshot), values)


def _relaxed_commit() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL is flushed. Only for
    marks whose loss a crash repairs by itself (a run not marked running is simply sent again
    by the sweep), never for results or user data."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _locked_unfinished(run_id: int) -> EvaluationRun | None:
    """The run, locked for this transaction, unless it is gone or already finished."""
    run = EvaluationRun.objects.select_for_update().filter(pk=run_id).first()
    return None if run is None or run.is_finished else run


def _end_failed(run: EvaluationRun, reason: str, now=None) -> None:
    """End a locked run as failed with a reason a person can read."""
    run.status = Status.FAILED
    run.error = reason[:2000]
    run.finished_at = now or timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    _announce_finished(run)


def _announce_finished(run: EvaluationRun) -> None:
    """Tell the apps above (webhooks) once the run's end is committed (``signals``)."""
    run_id, status = run.pk, run.status
    transaction.on_commit(
        lambda: run_finished.send(EvaluationRun, run_id=run_id, status=status), robust=True
    )


def _start(run_id: int) -> EvaluationRun | None:
    with transaction.atomic():
        _relaxed_commit()
        run = _locked_unfinished(run_id)
        if run is None:
            return None
        fresh = timezone.now() - settings.EVALUATION_RUNNING_STALE
        if run.status == Status.RUNNING and run.started_at and run.started_at > fresh:
            return None  # another delivery is computing it: a duplicate uses no attempt
        run.status = Status.RUNNING
        run.attempts += 1  # the row is locked: no concurrent increment to lose
        run.started_at = timezone.now()
        run.save(update_fields=["status", "attempts", "started_at"])
        return run


def run_band(run: EvaluationRun) -> dict | None:
    """The run's robustness band from its own snapshot and values (the draws are fixed per
    scheme version), or None for a snapshot made before bands existed."""
    scheme = scheme_from_dict(run.scheme_snapshot)
    if scheme.weight_spread is None or scheme.bound_spread is None:
        return None
    return robustness_band(scheme, run.values).as_dict()


def _store(run_id: int, result: ScoreResult, band: dict | None = None) -> bool:
    """Write the results once; False when another delivery already did."""
    with transaction.atomic():
        run = _locked_unfinished(run_id)
        if run is None:
            return False
        RunDimension.objects.bulk_create(
            RunDimension(run=run, code=d.code, weight=d.weight, score=d.score)
            for d in result.dimensions
        )
        RunIndicator.objects.bulk_create(
            RunIndicator(
                run=run,
                code=i.code,
                dimension=i.dimension,
                value=i.value,
                normalized=i.normalized,
                score=i.score,
                weight=i.weight,
                contribution=i.contribution,
                potential_gain=i.potential_gain,
            )
            for i in result.indicators
        )
        run.overall = result.overall
        run.grade = result.grade
        run.robustness = band
        run.status = Status.SUCCEEDED
        run.error = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["overall", "grade", "robustness", "status", "error", "finished_at"])
        _announce_finished(run)
        return True


def run_fail(run_id: int, reason: str) -> None:
    """End a run as failed with a reason a person can read (saved, so the trail records it)."""
    with transaction.atomic():
        run = (
            EvaluationRun.objects.select_for_update()
            .filter(pk=run_id)
            .exclude(status=Status.SUCCEEDED)
            .first()
        )
        if run is not None:
            _end_failed(run, reason)


def run_attempt_failed(run_id: int, reason: str) -> bool:
    """After an unexpected error: queue it again, or fail it after the last attempt.

    Returns True when the run should be tried again.
    """
    with transaction.atomic():
        run = _locked_unfinished(run_id)
        if run is None:
            return False
        if run.attempts >= settings.EVALUATION_MAX_ATTEMPTS:
            _end_failed(
                run,
                _("Gave up after %(n)d attempts. Last error: %(reason)s")
                % {"n": run.attempts, "reason": reason},
            )
            return False
        run.status = Status.QUEUED
        run.error = reason[:2000]
        run.save(update_fields=["status", "error"])
        return True


def run_execute(run_id: int, *, prerender: bool = True) -> bool:
    """The worker's one call: compute and store a run once. True if this call stored it.

    Invalid stored data cannot get better by retrying, so it fails the run at once; any other
    error propagates to the task, which reports it through ``run_attempt_failed``. A stored
    result's PDF is then queued for its submitter (unless ``prerender`` is off, or the setting
    ``REPORT_PRERENDER``), so that the first click on "PDF" finds it ready.
    """
    run = _start(run_id)
    if run is None:
        return False
    try:
        result = run_result(run)
        band = run_band(run)
    except (ScoringError, KeyError, TypeError, ValueError) as error:
        run_fail(run_id, _("The stored values or scheme cannot be scored: %s") % error)
        return False
    stored = _store(run_id, result, band)
    if stored and prerender and settings.REPORT_PRERENDER:
        report_file_prerender(run_id=run_id)
    return stored


def runs_sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-send runs that waited too long; fail those out of attempts. Run by celery beat."""
    now = now or timezone.now()
    queued_before = now - settings.EVALUATION_QUEUED_STALE
    running_before = now - settings.EVALUATION_RUNNING_STALE
    unsent_before = now - settings.EVALUATION_UNSENT_GRACE
    counts = {"resent": 0, "failed": 0}
    stale = EvaluationRun.objects.filter(
        Q(status=Status.QUEUED, sent_at__isnull=True, created_at__lt=unsent_before)
        | Q(status=Status.QUEUED, sent_at__lt=queued_before)
        | Q(status=Status.RUNNING, started_at__lt=running_before)
    ).values_list("pk", flat=True)
    for run_id in list(stale[:1000]):
        with transaction.atomic():
            run = _locked_unfinished(run_id)
            if run is None:
                continue
            if run.status == Status.RUNNING and run.attempts >= settings.EVALUATION_MAX_ATTEMPTS:
                _end_failed(
                    run,
                    _("Gave up after %(n)d attempts: the worker stopped or timed out each time.")
                    % {"n": run.attempts},
                    now,
                )
                counts["failed"] += 1
                continue
            if run.status == Status.RUNNING:
                run.status = Status.QUEUED
                run.save(update_fields=["status"])
        counts["resent"] += run_enqueue(run_id)
    return counts
