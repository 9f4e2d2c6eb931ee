"""Benchmark re-scoring (``manage.py rescore``) against a bare COPY of the rows it writes.

    python bench/rescore.py [--runs N] [--chunk-size C] [--workers W] [--repeat R]

On PostgreSQL (scratch database ``cbec_bench_rescore``), N enterprises with one evaluated run
each (``seed_bench --enterprises N --runs N``; N = 100,000, a tenth with QUICK=1), so a job
re-scores N latest runs under another published scheme, in chunks, through Redis and one Celery
worker with W prefork processes (default 2, the machine's cores) on the reports queue, where
the re-scoring tasks are routed.

value: wall time from creating the job (as the command does) to the job being done.
floor: a bare COPY, through psycopg 3, of the same rows into the same tables (with their
indexes and foreign keys): N runs, 4N dimension rows, 5N indicator rows, already encoded in
memory, inside a transaction that is then rolled back. Target: within 4x.

The robustness band step, a figure of its own: the new runs' bands are stored by tasks that
follow each chunk on the same queue; value: from the job done to the last band stored; floor:
``robustness_bulk`` alone over the same values in this process (target: ours, 4x as above).

Before it, one chunk is written both ways (``bulk_create`` and COPY) and rolled back, which is
why the service uses COPY on PostgreSQL. The last lines:
    RESULT rescore value=<s> floor=<s> unit=s ratio=<value/floor> target=4
    RESULT rescore_bands value=<s> floor=<s> unit=s ratio=<value/floor> target=4
"""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import datetime

from common import Bench, log, median, quick, result
from psycopg.types.json import Jsonb

TARGET_RATIO = 4
BANDS_TARGET_RATIO = 4  # ours, as the re-score's: the step within 4x of its bare arithmetic
TARGET_SLUG = "bench-rescore"


def target_scheme():
    """A published scheme, other than the default, that weighs the environment more."""
    from decimal import Decimal

    from evaluations.models import WeightScheme
    from evaluations.services import default_scheme, scheme_publish

    scheme = WeightScheme.objects.filter(slug=TARGET_SLUG, status="published").first()
    if scheme is not None:
        return scheme
    WeightScheme.objects.filter(slug=TARGET_SLUG).delete()  # a draft left by a broken run
    base = default_scheme()
    scheme = WeightScheme.objects.create(
        slug=TARGET_SLUG, name="Bench: greener", grade_bands=base.grade_bands
    )
    changes = {"logistics_cost": Decimal("0.15"), "environmental_impact_score": Decimal("0.40")}
    for row in base.rows.select_related("indicator"):
        scheme.rows.create(
            indicator=row.indicator,
            weight=changes.get(row.indicator.code, row.weight),
            worst=row.worst,
            best=row.best,
        )
    return scheme_publish(scheme=scheme, user=None)


def clean() -> None:
    """Remove earlier re-scoring results and jobs, and vacuum, so every repeat starts equal."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE gone AS SELECT id FROM evaluations_evaluationrun "
            "WHERE origin = 'rescore'"
        )
        for table in ("evaluations_runindicator", "evaluations_rundimension"):
            cursor.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT id FROM gone)")
        cursor.execute("DELETE FROM evaluations_evaluationrun WHERE id IN (SELECT id FROM gone)")
        cursor.execute("DROP TABLE gone")
        cursor.execute("DELETE FROM evaluations_rescorechunk")
        cursor.execute("DELETE FROM evaluations_rescorejob")
        tables = "evaluations_evaluationrun, evaluations_rundimension, evaluations_runindicator"
        cursor.execute(f"VACUUM ANALYZE {tables}")


# --- The floor: the same rows, encoded beforehand, one COPY per table ----------------------------


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Jsonb):
        value = json.dumps(value.obj)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def encode(rows) -> bytes:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(_text, row)))
        buffer.write("\n")
    return buffer.getvalue().encode()


def floor_payloads(scheme, run_ids: list[int]):
    """The three tables' rows for these sources, as the rescore computes them, encoded."""
    from django.utils import timezone

    from evaluations.models import EvaluationRun, RescoreJob
    from evaluations.scoring import score_bulk
    from evaluations.services import rescore, scheme_spec

    spec = scheme_spec(scheme)
    sources, _skipped = rescore._load(run_ids, spec)
    bulk = score_bulk(spec, sources.matrix)
    runs = rescore.new_runs(RescoreJob(scheme=scheme), spec, sources, bulk, timezone.now())
    for run, run_id in zip(runs, rescore.reserve_ids(EvaluationRun, len(runs)), strict=True):
        run.pk = run_id
    new_ids = [run.pk for run in runs]
    fields = EvaluationRun._meta.concrete_fields
    return (
        encode(rescore._model_rows(runs, fields)),
        encode(rescore.dimension_rows(new_ids, bulk)),
        encode(rescore.indicator_rows(new_ids, bulk)),
    )


def floor_copy(payloads) -> float:
    """COPY the encoded rows into the real tables in one transaction, rolled back; seconds."""
    from django.db import connection, transaction

    from evaluations.models import EvaluationRun, RunDimension, RunIndicator
    from evaluations.services import rescore

    targets = [
        (EvaluationRun, [field.column for field in EvaluationRun._meta.concrete_fields]),
        (RunDimension, rescore.DIMENSION_COLUMNS),
        (RunIndicator, rescore.INDICATOR_COLUMNS),
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            start = time.perf_counter()
            for (model, columns), payload in zip(targets, payloads, strict=True):
                names = ", ".join(connection.ops.quote_name(column) for column in columns)
                with cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
                    copy.write(payload)
            seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def bands_floor(scheme, run_ids: list[int]) -> float:
    """The band arithmetic alone: ``robustness_bulk`` over the same values, in this process."""
    from evaluations.scoring import robustness_bulk
    from evaluations.services import rescore, scheme_spec

    spec = scheme_spec(scheme)
    sources, _skipped = rescore._load(run_ids, spec)
    start = time.perf_counter()
    robustness_bulk(spec, sources.matrix)
    return time.perf_counter() - start


# --- The writers side by side, on one chunk ------------------------------------------------------


def compare_writers(scheme, run_ids: list[int]) -> dict[str, float]:
    from django.db import transaction

    from evaluations.models import RescoreJob
    from evaluations.services import rescore

    times = {}
    for writer in ("orm", "copy"):
        with transaction.atomic():
            job = RescoreJob.objects.create(scheme=scheme, status="running", total=len(run_ids))
            start = time.perf_counter()
            rescore.rescore_run_chunk(job_id=job.pk, run_ids=run_ids, writer=writer)
            times[writer] = time.perf_counter() - start
            transaction.set_rollback(True)
    return times


# --- The measured path ---------------------------------------------------------------------------


def rescore_once(scheme, chunk_size: int) -> tuple[float, float, object]:
    """Seconds from creating the job to the job being done, then from there to the last new
    run's robustness band stored (the band tasks follow each chunk on the same queue)."""
    from evaluations.models import EvaluationRun, RescoreJob
    from evaluations.services.rescore import rescore_create

    start = time.perf_counter()
    job = rescore_create(scheme=scheme, chunk_size=chunk_size)  # the start task goes on commit
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if job.status != RescoreJob.Status.DONE:
        raise SystemExit(f"job {job.pk} failed: {job.error}")
    new = EvaluationRun.objects.filter(origin="rescore", scheme=scheme)
    deadline = time.monotonic() + 600
    while new.filter(robustness__isnull=True).exists():
        if time.monotonic() > deadline:
            raise SystemExit("robustness bands not all stored within 600 s")
        time.sleep(0.05)
    bands = time.perf_counter() - start - seconds
    return seconds, bands, job


def verify(scheme, expected: int, sample: int = 200) -> None:
    """One new run per source with 4 + 5 result rows; a sample equals the engine's score()."""
    from evaluations.models import EvaluationRun, RunDimension, RunIndicator
    from evaluations.scoring import score
    from evaluations.services import scheme_spec

    new = EvaluationRun.objects.filter(origin="rescore", scheme=scheme)
    counts = (
        new.count(),
        RunDimension.objects.filter(run__in=new).count(),
        RunIndicator.objects.filter(run__in=new).count(),
    )
    assert counts == (expected, 4 * expected, 5 * expected), counts
    assert new.values("assessment_id").distinct().count() == expected
    spec = scheme_spec(scheme)
    for run in new.order_by("?")[:sample].prefetch_related("indicators"):
        single = score(spec, run.values)
        assert (run.overall, run.grade) == (single.overall, single.grade), run.pk
        assert [i.score for i in run.indicators.all()] == [i.score for i in single.indicators]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000 if quick() else 100_000)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    bench = Bench("cbec_bench_rescore").prepare()
    bench.seed(enterprises=args.runs, runs=args.runs)
    bench.django()
    from evaluations import selectors

    scheme = target_scheme()
    clean()
    start = time.perf_counter()
    sources = sorted(selectors.latest_submitted_results())
    select_seconds = time.perf_counter() - start
    assert len(sources) == args.runs, (len(sources), args.runs)
    chunk_size = args.chunk_size or min(5000, max(500, args.runs // (4 * args.workers)))

    sample = sources[: min(chunk_size, 5000)]
    writers = compare_writers(scheme, sample)
    log(
        f"one chunk of {len(sample):,}: bulk_create {writers['orm']:.2f} s, "
        f"COPY {writers['copy']:.2f} s ({writers['orm'] / writers['copy']:.1f}x)"
    )
    log(f"selecting the {len(sources):,} latest runs: {select_seconds * 1e3:.0f} ms")

    payloads = floor_payloads(scheme, sources)
    size = sum(map(len, payloads)) / 1e6
    floors = [floor_copy(payloads) for _ in range(max(3, args.repeat))]
    floor = median(floors)
    shown = ", ".join(f"{f:.2f}" for f in floors)
    log(f"bare COPY of {args.runs * 10:,} rows ({size:.0f} MB): {shown} s")

    band_floor = bands_floor(scheme, sources)
    log(f"robustness_bulk alone on the {len(sources):,} runs, one process: {band_floor:.2f} s")

    bench.purge_broker()
    # Every re-scoring task (start, chunks, bands) is routed to the reports queue.
    bench.worker(concurrency=args.workers, queues=("reports",))
    values, bands = [], []
    for _ in range(args.repeat):
        clean()
        seconds, band_seconds, job = rescore_once(scheme, chunk_size)
        values.append(seconds)
        bands.append(band_seconds)
        log(
            f"rescore of {job.total:,} runs in {job.chunks.count()} chunks of {chunk_size:,} on "
            f"{args.workers} worker processes: {seconds:.2f} s "
            f"(job started→finished {(job.finished_at - job.started_at).total_seconds():.2f} s); "
            f"the last robustness band stored {band_seconds:.2f} s after the job was done"
        )
    verify(scheme, args.runs)
    log("verified: one new run per enterprise, 4 + 5 result rows each, sample = score()")
    clean()
    value = median(values)
    print(
        f"runs={args.runs} chunk={chunk_size} workers={args.workers} "
        f"throughput={args.runs / value:,.0f} runs/s floor={args.runs / floor:,.0f} runs/s"
    )
    result("rescore", value, floor, "s", TARGET_RATIO)
    result("rescore_bands", median(bands), band_floor, "s", BANDS_TARGET_RATIO)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
