"""Re-scoring every enterprise's latest result under another scheme version.

    rescore_create(scheme=…)       the job, queued; its start task is sent after the commit
    rescore_begin(job_id=…)        (worker) select the runs, count them, split them in chunks
    rescore_run_chunk(job_id=…, …) (worker) score one chunk with the bulk engine and store it

Which runs: per enterprise, its latest succeeded *submission* run (latest period, then latest
created), whatever scheme it used; re-scoring never re-scores a re-scoring. Each gets one new
``EvaluationRun`` (``origin="rescore"``, succeeded, the target scheme's snapshot, the same values)
with its dimension and indicator rows; the original run is only read.

A chunk is scored with ``score_bulk`` (the very kernel ``score()`` runs, so the numbers are
bit-identical to a single evaluation) and written in one transaction together with its
``RescoreChunk`` marker and the job's counter (``F()``), so a redelivered chunk writes nothing
and the progress is exact. On PostgreSQL the rows go in with ``COPY`` (psycopg 3), which is
several times faster than ``bulk_create`` here (bench/rescore.py measures both); elsewhere
``bulk_create``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dispatch
from evaluations import selectors
from evaluations.models import (
    EvaluationRun,
    RescoreChunk,
    RescoreJob,
    RunDimension,
    RunIndicator,
    WeightScheme,
)
from evaluations.scoring import (
    BulkResult,
    SchemeSpec,
    robustness_bulk,
    scheme_from_dict,
    score_bulk,
)

from .schemes import scheme_snapshot, scheme_spec

logger = logging.getLogger(__name__)
Status = RescoreJob.Status
RunStatus = EvaluationRun.Status

START = "evaluations.tasks.rescore_start"
BANDS = "evaluations.tasks.add_robustness_bands"
MAX_CHUNK_SIZE = 50_000  # a chunk must finish well inside the task time limit


# --- Selectors --------------------------------------------------------------------------------


def chunked(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


# --- Writes -----------------------------------------------------------------------------------


def rescore_create(*, scheme: WeightScheme, user=None, chunk_size: int | None = None) -> RescoreJob:
    """A queued job re-scoring every enterprise's latest run under ``scheme``.

    The scheme must be published (or retired: an old version may still be compared); a draft
    can still change, so nothing is scored with it. The start task is sent after the commit.
    """
    if scheme.status == WeightScheme.Status.DRAFT:
        raise ValidationError(
            _("%(scheme)s is a draft; publish it before re-scoring with it.") % {"scheme": scheme}
        )
    chunk_size = chunk_size or RescoreJob._meta.get_field("chunk_size").default
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValidationError(
            _("The chunk size must be between 1 and %(max)d.") % {"max": MAX_CHUNK_SIZE}
        )
    with transaction.atomic():
        job = RescoreJob.objects.create(scheme=scheme, created_by=user, chunk_size=chunk_size)
        transaction.on_commit(lambda: _send_start(job.pk), robust=True)
    return job


def _send_start(job_id: int) -> None:
    dispatch.send(START, job_id)


def rescore_begin(*, job_id: int) -> list[list[int]]:
    """Queued → running: select the runs and return them in chunks (empty if not queued).

    A job with nothing to re-score is done at once.
    """
    with transaction.atomic():
        job = RescoreJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Status.QUEUED:
            return []
        ids = sorted(selectors.latest_submitted_results())
        job.status = Status.RUNNING if ids else Status.DONE
        job.total = len(ids)
        job.started_at = timezone.now()
        job.finished_at = None if ids else job.started_at
        job.save(update_fields=["status", "total", "started_at", "finished_at"])
    return chunked(ids, job.chunk_size)


def rescore_fail(*, job_id: int, reason: str) -> None:
    """End a job as failed with a reason a person can read (what is stored stays).

    Saved, not updated in bulk, so the audit trail records how the job ended."""
    with transaction.atomic():
        job = RescoreJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == Status.DONE:
            return
        job.status = Status.FAILED
        job.error = reason[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])


@dataclass(frozen=True)
class _Sources:
    """The chunk's source runs (scorable ones only) as parallel lists."""

    ids: list[int]
    assessment_ids: list[int]
    enterprise_ids: list[int]
    years: list[int]
    quarters: list[int]
    matrix: np.ndarray  # (n, k) in the target scheme's indicator order
    available: np.ndarray | None = None  # (n, k), False where not available; None: all are


def _load(run_ids: Sequence[int], spec: SchemeSpec) -> tuple[_Sources, int]:
    """The runs' stored values as a matrix; rows the scheme cannot score are left out (counted).

    An indicator the run has no value for (the target scheme added it, or it was not available)
    is not available: NaN in the matrix and False in ``available`` (PRODUCT.md section 8). A
    value that is not a number, not finite or outside the indicator's range makes the row
    unscorable; the engine would refuse the whole chunk for one such row.
    """
    rows = list(
        EvaluationRun.objects.filter(pk__in=run_ids)
        .order_by("id")
        .values_list("id", "assessment_id", "enterprise_id", "year", "quarter", "values")
    )
    codes = spec.codes
    try:
        matrix = np.array([[r[5].get(code) for code in codes] for r in rows], dtype=np.float64)
    except (TypeError, ValueError, AttributeError):  # a stored value that is not a number
        matrix = np.array([[_number(r[5], code) for code in codes] for r in rows], np.float64)
    matrix = matrix.reshape(len(rows), len(codes))
    missing = np.array([[r[5].get(code) is None for code in codes] for r in rows], dtype=bool)
    missing = missing.reshape(len(rows), len(codes))
    lower = np.array([ind.min_value for ind in spec.indicators], dtype=np.float64)
    upper = np.array(
        [math.inf if ind.max_value is None else ind.max_value for ind in spec.indicators]
    )
    with np.errstate(invalid="ignore"):
        good = np.isfinite(matrix) & (matrix >= lower) & (matrix <= upper)
    ok = (good | missing).all(axis=1)
    keep = np.flatnonzero(ok)
    if len(keep) != len(rows):
        rows = [rows[i] for i in keep.tolist()]
        matrix = matrix[keep]
        missing = missing[keep]
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 6
    sources = _Sources(
        ids=list(columns[0]),
        assessment_ids=list(columns[1]),
        enterprise_ids=list(columns[2]),
        years=list(columns[3]),
        quarters=list(columns[4]),
        matrix=np.ascontiguousarray(matrix),
        available=~missing if missing.any() else None,
    )
    return sources, len(run_ids) - len(keep)


def _number(values: object, code: str) -> float:
    try:
        return float(values.get(code))  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError):
        return math.nan


def rescore_run_chunk(*, job_id: int, run_ids: Sequence[int], writer: str | None = None) -> int:
    """Score and store one chunk of a running job; the number of new runs (0 if done before).
    The new runs' robustness bands follow in a task of their own (``runs_add_bands``), so the
    re-score itself never waits for them.

    ``writer`` forces "copy" or "orm" (tests and the benchmark); by default COPY on PostgreSQL.
    """
    job = RescoreJob.objects.select_related("scheme").filter(pk=job_id).first()
    if job is None or job.status != Status.RUNNING or not run_ids:
        return 0
    spec = scheme_spec(job.scheme)
    sources, skipped = _load(run_ids, spec)
    result = score_bulk(spec, sources.matrix, available=sources.available)
    writer = writer or ("copy" if connection.vendor == "postgresql" else "orm")
    write = _write_copy if writer == "copy" else _write_orm
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                RescoreChunk.objects.create(job=job, first_run_id=min(run_ids), size=len(run_ids))
        except IntegrityError:  # another delivery of this chunk stored it
            return 0
        runs = new_runs(job, spec, sources, result, now)
        write(runs, result)
        new_ids = [run.pk for run in runs]
        if new_ids and spec.weight_spread is not None:
            transaction.on_commit(lambda: dispatch.send(BANDS, new_ids))
        RescoreJob.objects.filter(pk=job_id).update(
            done=F("done") + len(sources.ids), skipped=F("skipped") + skipped
        )
        finished = (
            RescoreJob.objects.select_for_update()
            .filter(pk=job_id, status=Status.RUNNING, done__gte=F("total") - F("skipped"))
            .first()
        )
        if finished is not None:  # the last chunk: saved, so the trail records the job's end
            finished.status = Status.DONE
            finished.finished_at = now
            finished.save(update_fields=["status", "finished_at"])
    if skipped:
        logger.warning("re-scoring job %s: %d runs could not be scored", job_id, skipped)
    return len(sources.ids)


# --- The two writers: the same rows from one builder -------------------------------------------


def _run_fields(job: RescoreJob, spec: SchemeSpec, now) -> dict:
    return {
        "origin": EvaluationRun.Origin.RESCORE,
        "scheme_id": job.scheme_id,
        "scheme_slug": spec.slug,
        "scheme_version": spec.version,
        "status": RunStatus.SUCCEEDED,
        "attempts": 1,
        "error": "",
        "created_by_id": job.created_by_id,
        "created_at": now,
        "started_at": now,
        "finished_at": now,
    }


def new_runs(
    job: RescoreJob, spec: SchemeSpec, sources: _Sources, result: BulkResult, now
) -> list[EvaluationRun]:
    """The chunk's new runs as unsaved model instances: both writers store exactly these, so a
    field added to the model reaches both."""
    fields = _run_fields(job, spec, now)
    snapshot = scheme_snapshot(job.scheme, spec)
    codes = spec.codes
    rows = zip(
        sources.assessment_ids,
        sources.enterprise_ids,
        sources.years,
        sources.quarters,
        sources.matrix.tolist(),
        result.overall.tolist(),
        result.grade.tolist(),
        strict=True,
    )
    runs = []
    for assessment_id, enterprise_id, year, quarter, values, overall, grade in rows:
        stored = {code: None if x != x else x for code, x in zip(codes, values, strict=True)}
        runs.append(
            EvaluationRun(
                assessment_id=assessment_id,
                enterprise_id=enterprise_id,
                year=year,
                quarter=quarter,
                scheme_snapshot=snapshot,
                values=stored,
                incomplete=None in stored.values(),
                overall=overall,
                grade=grade,
                **fields,
            )
        )
    return runs


def dimension_rows(run_ids: Sequence[int], result: BulkResult) -> Iterable[tuple]:
    """(run_id, code, weight, score) per run and dimension, in scheme order."""
    codes, weights = result.dimension_codes, result.dimension_weights
    for run_id, scores in zip(run_ids, result.dimension_scores.tolist(), strict=True):
        for code, weight, value in zip(codes, weights, scores, strict=True):
            yield run_id, code, weight, None if math.isnan(value) else value


def indicator_rows(run_ids: Sequence[int], result: BulkResult) -> Iterable[tuple]:
    """(run_id, code, dimension, value, normalized, score, weight, contribution, gain)."""
    inds = [(i.code, i.dimension, float(i.weight)) for i in result.scheme.indicators]
    columns = zip(
        run_ids,
        result.values.tolist(),
        result.normalized.tolist(),
        result.score.tolist(),
        result.contribution.tolist(),
        result.potential_gain.tolist(),
        strict=True,
    )
    for run_id, xs, ss, scs, cs, gs in columns:
        for (code, dim, w), x, s, sc, c, g in zip(inds, xs, ss, scs, cs, gs, strict=True):
            yield run_id, code, dim, None if x != x else x, s, sc, w, c, g  # NaN: not available


DIMENSION_COLUMNS = ("run_id", "code", "weight", "score")
INDICATOR_COLUMNS = (
    "run_id",
    "code",
    "dimension",
    "value",
    "normalized",
    "score",
    "weight",
    "contribution",
    "potential_gain",
)


def _write_orm(runs: list[EvaluationRun], result: BulkResult) -> None:
    EvaluationRun.objects.bulk_create(runs, batch_size=1000)
    new_ids = [run.pk for run in runs]
    RunDimension.objects.bulk_create(
        (
            RunDimension(**dict(zip(DIMENSION_COLUMNS, row, strict=True)))
            for row in dimension_rows(new_ids, result)
        ),
        batch_size=5000,
    )
    RunIndicator.objects.bulk_create(
        (
            RunIndicator(**dict(zip(INDICATOR_COLUMNS, row, strict=True)))
            for row in indicator_rows(new_ids, result)
        ),
        batch_size=5000,
    )


def reserve_ids(model, n: int) -> list[int]:
    """PostgreSQL: ``n`` fresh ids from the model's id sequence, for rows written with COPY."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """PostgreSQL: ``COPY`` the rows (tuples in ``columns`` order) into the model's table."""
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _model_rows(instances: Iterable, fields) -> Iterable[list]:
    """Each instance's concrete fields as the database takes them (as ``bulk_create`` does)."""
    for instance in instances:
        yield [
            field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
        ]


def copy_instances(model, instances: list) -> None:
    """PostgreSQL: store unsaved instances with COPY, ids taken from the model's sequence and
    every concrete field written as ``bulk_create`` would write it."""
    for instance, pk in zip(instances, reserve_ids(model, len(instances)), strict=True):
        instance.pk = pk
    fields = model._meta.concrete_fields
    copy_rows(model, [field.column for field in fields], _model_rows(instances, fields))


def _write_copy(runs: list[EvaluationRun], result: BulkResult) -> None:
    """PostgreSQL: three COPYs (text format, exact floats), ids from the run sequence."""
    if not runs:
        return
    copy_instances(EvaluationRun, runs)
    new_ids = [run.pk for run in runs]
    copy_rows(RunDimension, DIMENSION_COLUMNS, dimension_rows(new_ids, result))
    copy_rows(RunIndicator, INDICATOR_COLUMNS, indicator_rows(new_ids, result))


def runs_add_bands(*, run_ids: Sequence[int]) -> int:
    """Store the robustness band of succeeded runs that have none, scored in bulk from one set
    of draws per scheme version (chunked inside the engine); the number of runs given a band.
    A redelivered message finds them done."""
    runs = list(
        EvaluationRun.objects.filter(
            pk__in=run_ids, status=RunStatus.SUCCEEDED, robustness__isnull=True
        )
        .order_by("id")
        .only("id", "scheme_snapshot", "values")
    )
    by_scheme: dict[tuple, list[EvaluationRun]] = {}
    for run in runs:
        snapshot = run.scheme_snapshot
        by_scheme.setdefault((snapshot["slug"], snapshot["version"]), []).append(run)
    done = 0
    for group in by_scheme.values():
        spec = scheme_from_dict(group[0].scheme_snapshot)
        if spec.weight_spread is None or spec.bound_spread is None:
            continue  # a snapshot from before bands: only a re-score can give it one
        codes = spec.codes
        matrix = np.array(
            [[run.values.get(code) for code in codes] for run in group], dtype=np.float64
        ).reshape(len(group), len(codes))
        missing = np.array([[run.values.get(code) is None for code in codes] for run in group])
        bands = robustness_bulk(
            spec, matrix, available=~missing.reshape(matrix.shape) if missing.any() else None
        )
        for i, run in enumerate(group):
            run.robustness = bands.row(i).as_dict()
        EvaluationRun.objects.bulk_update(group, ["robustness"], batch_size=1000)
        done += len(group)
    return done
