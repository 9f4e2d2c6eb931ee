"""Re-scoring every enterprise's latest run under another scheme (issue 7).

The originals stay untouched; each enterprise gets one new run (origin "rescore") whose result is
exactly what the engine's single ``score()`` gives for the same values under the target scheme;
the job counts its progress up to its total, chunk by chunk, and a chunk delivered twice is
stored once. The tests run eagerly (settings_test) on whatever database the suite uses, so CI
covers the PostgreSQL paths (DISTINCT ON, COPY) and a laptop the SQLite ones.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from enterprises.models import Enterprise
from evaluations import selectors
from evaluations.models import (
    EvaluationRun,
    RescoreChunk,
    RescoreJob,
    RunDimension,
    RunIndicator,
    WeightScheme,
)
from evaluations.scoring import robustness_band, scheme_to_dict, score
from evaluations.services import rescore as services
from evaluations.services import scheme_spec
from evaluations.services.runs import run_fail
from tests.factories import (
    COMPLETE_VALUES,
    AssessmentFactory,
    EnterpriseFactory,
    UserFactory,
    WeightSchemeFactory,
    submitted_run,
)

pytestmark = pytest.mark.django_db

Origin = EvaluationRun.Origin
JobStatus = RescoreJob.Status

# A second version that weighs the environment more: every overall score changes.
TARGET_ROWS = {
    "logistics_cost": {"weight": "0.15"},
    "environmental_impact_score": {"weight": "0.40"},
    "tech_update_speed": {"best": "12"},
}


@pytest.fixture
def target(db):
    return WeightSchemeFactory(slug="green-2027", rows=TARGET_ROWS, published=True)


def values(i: int) -> dict[str, float]:
    return {
        "logistics_cost": 5.0 + i % 25,
        "npd_cycle": 14.0 + (7 * i) % 166,
        "tech_update_speed": float(i % 25),
        "market_response_time": 7.0 + (3 * i) % 83,
        "environmental_impact_score": float((11 * i) % 101),
    }


def run_for(enterprise, year: int, quarter: int, i: int = 0, *, execute: bool = True):
    assessment = AssessmentFactory(
        enterprise=enterprise, year=year, quarter=quarter, values=values(i)
    )
    return submitted_run(assessment, execute=execute)


@pytest.fixture
def history():
    """Three enterprises; the run each should be re-scored from is in ``latest``.

    - A: two periods (the later one wins although created first), plus a failed run of an even
      later period (not a result) and an earlier re-scoring run (never a source);
    - B: one period submitted twice (the later created wins);
    - C: one run; D: only a run that is still queued (nothing to re-score).
    """
    a, b, c, d = (EnterpriseFactory(name=name) for name in "ABCD")
    latest_a = run_for(a, 2026, 2, 1)
    run_for(a, 2025, 4, 2)
    failed = run_for(a, 2026, 3, 3, execute=False)
    run_fail(failed.pk, "broken on purpose")
    run_for(b, 2026, 1, 4)
    second = AssessmentFactory(enterprise=b, year=2026, quarter=2, values=values(5))
    submitted_run(second)
    from evaluations.services.assessments import assessment_reopen

    assessment_reopen(assessment=second, user=None)
    latest_b = submitted_run(second)
    latest_c = run_for(c, 2024, 1, 6)
    run_for(d, 2026, 1, 7, execute=False)
    return {"enterprises": [a, b, c, d], "latest": [latest_a, latest_b, latest_c]}


def snapshot_of_everything() -> dict:
    """Every stored run with its result rows, to prove nothing was changed."""
    return {
        run.pk: (
            model_to_dict(run),
            run.created_at,
            run.finished_at,
            list(run.dimensions.values_list("code", "weight", "score")),
            list(run.indicators.values_list("code", "value", "score", "contribution")),
        )
        for run in EvaluationRun.objects.all()
    }


def start(target, *, chunk_size=None, capture, user=None) -> RescoreJob:
    with capture(execute=True):
        job = services.rescore_create(scheme=target, chunk_size=chunk_size, user=user)
    job.refresh_from_db()
    return job


def test_the_latest_succeeded_submission_run_of_each_enterprise_is_selected(history, target):
    assert sorted(selectors.latest_submitted_results()) == sorted(r.pk for r in history["latest"])


def test_rescoring_adds_one_run_per_enterprise_and_leaves_the_originals_alone(
    history, target, django_capture_on_commit_callbacks
):
    before = snapshot_of_everything()
    user = UserFactory()
    job = start(target, capture=django_capture_on_commit_callbacks, user=user)

    after = snapshot_of_everything()
    assert {pk: value for pk, value in after.items() if pk in before} == before
    new = EvaluationRun.objects.filter(origin=Origin.RESCORE).order_by("enterprise__name")
    assert len(new) == 3
    for run, source in zip(new, history["latest"], strict=True):
        assert (run.assessment_id, run.enterprise_id) == (
            source.assessment_id,
            source.enterprise_id,
        )
        assert (run.year, run.quarter, run.values) == (source.year, source.quarter, source.values)
        assert run.status == EvaluationRun.Status.SUCCEEDED and run.error == ""
        assert (run.scheme, run.scheme_slug, run.scheme_version) == (target, "green-2027", 1)
        kept = {k: v for k, v in run.scheme_snapshot.items() if k != "labels"}
        assert kept == scheme_to_dict(scheme_spec(target))
        assert set(run.scheme_snapshot["labels"]["indicators"]) == set(scheme_spec(target).codes)
        assert run.created_by == user and run.finished_at is not None
    assert (job.status, job.total, job.done, job.skipped) == (JobStatus.DONE, 3, 3, 0)
    assert job.progress_percent == 100.0 and job.finished_at >= job.started_at


def test_the_stored_result_is_exactly_the_engines_single_score(
    history, target, django_capture_on_commit_callbacks
):
    start(target, capture=django_capture_on_commit_callbacks)
    spec = scheme_spec(target)
    for run in EvaluationRun.objects.filter(origin=Origin.RESCORE):
        expected = score(spec, run.values)
        assert (run.overall, run.grade) == (expected.overall, expected.grade)
        assert list(run.dimensions.values_list("code", "weight", "score")) == [
            (d.code, d.weight, d.score) for d in expected.dimensions
        ]
        assert list(
            run.indicators.values_list(
                "code",
                "dimension",
                "value",
                "normalized",
                "score",
                "weight",
                "contribution",
                "potential_gain",
            )
        ) == [
            (
                i.code,
                i.dimension,
                i.value,
                i.normalized,
                i.score,
                i.weight,
                i.contribution,
                i.potential_gain,
            )
            for i in expected.indicators
        ]
    original = history["latest"][0]
    rescored = EvaluationRun.objects.get(origin=Origin.RESCORE, assessment=original.assessment)
    assert rescored.overall != original.overall  # the target scheme really differs


def test_the_job_is_split_in_chunks_and_counts_each(
    history, target, django_capture_on_commit_callbacks
):
    job = start(target, chunk_size=2, capture=django_capture_on_commit_callbacks)
    assert list(job.chunks.values_list("size", flat=True)) == [2, 1]
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 3, 3)
    assert services.chunked([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]


def test_progress_follows_the_chunks_and_a_chunk_delivered_twice_is_stored_once(history, target):
    job = services.rescore_create(scheme=target, chunk_size=2)  # not started: no commit here
    assert (job.status, job.progress_percent) == (JobStatus.QUEUED, 0.0)
    first, second = services.rescore_begin(job_id=job.pk)
    assert services.rescore_begin(job_id=job.pk) == []  # a second start does nothing

    assert services.rescore_run_chunk(job_id=job.pk, run_ids=first) == 2
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.RUNNING, 2, 3)
    assert round(job.progress_percent) == 67

    assert services.rescore_run_chunk(job_id=job.pk, run_ids=first) == 0  # redelivered
    assert services.rescore_run_chunk(job_id=job.pk, run_ids=second) == 1
    job.refresh_from_db()
    assert (job.status, job.done, job.progress_percent) == (JobStatus.DONE, 3, 100.0)
    assert EvaluationRun.objects.filter(origin=Origin.RESCORE).count() == 3
    assert RescoreChunk.objects.filter(job=job).count() == 2


@pytest.mark.parametrize("writer", ["orm", "copy"])
def test_both_writers_store_the_same_rows(history, target, writer):
    if writer == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")
    job = services.rescore_create(scheme=target)
    (ids,) = services.rescore_begin(job_id=job.pk)
    assert services.rescore_run_chunk(job_id=job.pk, run_ids=ids, writer=writer) == 3
    spec = scheme_spec(target)
    new = EvaluationRun.objects.filter(origin=Origin.RESCORE)
    assert new.count() == 3
    for run in new:
        expected = score(spec, run.values)
        assert run.overall == expected.overall
        assert [r.score for r in run.dimensions.all()] == [d.score for d in expected.dimensions]
        assert [r.contribution for r in run.indicators.all()] == [
            i.contribution for i in expected.indicators
        ]
    assert RunDimension.objects.filter(run__in=new).count() == 3 * 4
    assert RunIndicator.objects.filter(run__in=new).count() == 3 * 5


def test_the_copy_writer_stores_exactly_what_the_orm_writer_stores(history, target):
    """COPY is kept for speed (bench/rescore.py); both writers store the rows of one builder,
    and every column of every table is compared, so a new field cannot reach only one."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")

    def stored(writer: str) -> list:
        with transaction.atomic():
            job = services.rescore_create(scheme=target)
            (ids,) = services.rescore_begin(job_id=job.pk)
            services.rescore_run_chunk(job_id=job.pk, run_ids=ids, writer=writer)
            new = EvaluationRun.objects.filter(origin=Origin.RESCORE).order_by("assessment_id")
            rows = [
                (
                    _columns(run, exclude={"id", "created_at", "started_at", "finished_at"}),
                    [_columns(d, exclude={"id", "run"}) for d in run.dimensions.order_by("id")],
                    [_columns(i, exclude={"id", "run"}) for i in run.indicators.order_by("id")],
                )
                for run in new
            ]
            transaction.set_rollback(True)
        return rows

    orm, copy = stored("orm"), stored("copy")
    assert len(orm) == 3 and orm == copy


def _columns(instance, *, exclude: set[str]) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in exclude
    }


def test_a_run_without_a_value_is_rescored_with_it_not_available(
    history, target, django_capture_on_commit_callbacks
):
    """A scheme that added an indicator (or a run that lacked one) scores it as not available
    (PRODUCT.md section 8); this used to skip the run."""
    lacking = history["latest"][2]
    values = {**lacking.values}
    del values["logistics_cost"]
    EvaluationRun.objects.filter(pk=lacking.pk).update(values=values)
    job = start(target, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.total, job.done, job.skipped) == (JobStatus.DONE, 3, 3, 0)
    rescored = EvaluationRun.objects.get(origin=Origin.RESCORE, assessment=lacking.assessment)
    assert rescored.values["logistics_cost"] is None and rescored.incomplete
    assert rescored.coverage == "4/5"
    row = rescored.indicators.get(code="logistics_cost")
    assert (row.value, row.normalized, row.contribution) == (None, 0.0, 0.0)
    assert rescored.overall == pytest.approx(score(scheme_spec(target), rescored.values).overall)


def test_a_run_the_target_scheme_cannot_score_is_skipped_and_counted(
    history, target, django_capture_on_commit_callbacks
):
    broken = history["latest"][2]
    EvaluationRun.objects.filter(pk=broken.pk).update(
        values={**broken.values, "logistics_cost": -5}
    )
    job = start(target, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.total, job.done, job.skipped) == (JobStatus.DONE, 3, 2, 1)
    assert not EvaluationRun.objects.filter(origin=Origin.RESCORE, assessment=broken.assessment)


def test_rescored_runs_get_their_robustness_band_after_their_chunk(
    history, target, django_capture_on_commit_callbacks
):
    start(target, capture=django_capture_on_commit_callbacks)
    spec = scheme_spec(target)
    for run in EvaluationRun.objects.filter(origin=Origin.RESCORE):
        expected = robustness_band(spec, run.values).as_dict()
        assert run.robustness == expected  # the bulk path gives the single-run band exactly


def test_nothing_to_rescore_is_done_at_once(target, django_capture_on_commit_callbacks):
    job = start(target, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.total, job.progress_percent) == (JobStatus.DONE, 0, 100.0)


def test_a_failing_chunk_fails_the_job_with_its_reason(
    history, target, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "score_bulk", broken)
    start(target, capture=django_capture_on_commit_callbacks)  # the error is logged, not raised
    job = RescoreJob.objects.get()
    assert job.status == JobStatus.FAILED and "disk full" in job.error
    assert not EvaluationRun.objects.filter(origin=Origin.RESCORE).exists()


def test_a_draft_scheme_and_a_bad_chunk_size_are_refused(target):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="draft"):
        services.rescore_create(scheme=WeightSchemeFactory())
    with pytest.raises(ValidationError, match="chunk size"):
        services.rescore_create(scheme=target, chunk_size=10**9)
    assert not RescoreJob.objects.exists()


def test_command_creates_the_job_and_prints_its_id(
    history, target, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescore", scheme="green-2027", chunk_size=2, stdout=out)
    job = RescoreJob.objects.get()
    assert out.getvalue().strip() == str(job.pk)
    assert (job.scheme, job.chunk_size, job.status, job.done) == (target, 2, JobStatus.DONE, 3)


def test_command_refuses_an_unknown_scheme_or_version(target):
    with pytest.raises(CommandError, match="No published scheme nope"):
        call_command("rescore", scheme="nope")
    with pytest.raises(CommandError, match="green-2027 v9"):
        call_command("rescore", "--version", "9", scheme="green-2027")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_command_waits_and_prints_the_progress(target):
    enterprise = EnterpriseFactory()
    run_for(enterprise, 2026, 1)
    out = io.StringIO()
    call_command("rescore", "--scheme", "green-2027", "--version", "1", "--wait", stdout=out)
    job = RescoreJob.objects.get()
    assert out.getvalue().splitlines() == [str(job.pk), f"job {job.pk} done: 1/1 (100 %)"]


def test_admin_lists_jobs_with_their_progress_read_only(client_for, target):
    admin = UserFactory(is_staff=True, is_superuser=True)
    RescoreJob.objects.create(scheme=target, status=JobStatus.RUNNING, total=8, done=2)
    client = client_for(admin)
    response = client.get(reverse("admin:evaluations_rescorejob_changelist"))
    assert response.status_code == 200
    assert b'<progress value="25.0" max="100"' in response.content
    assert client.get(reverse("admin:evaluations_rescorejob_add")).status_code == 403


def test_admin_action_starts_a_rescoring_job(
    client_for, history, target, django_capture_on_commit_callbacks
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:evaluations_weightscheme_changelist"),
            {"action": "rescore_latest_runs", "_selected_action": [target.pk]},
            follow=True,
        )
    job = RescoreJob.objects.get()
    assert (job.scheme, job.created_by, job.status, job.done) == (target, admin, "done", 3)
    assert f"job {job.pk}" in response.content.decode()
    assert EvaluationRun.objects.filter(origin=Origin.RESCORE, created_by=admin).count() == 3


def test_seed_bench_seeds_scored_runs_once(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_bench", enterprises=3, runs=7, members=2, stdout=out)
    bench = Enterprise.objects.filter(name__startswith="Bench enterprise ")
    runs = EvaluationRun.objects.filter(enterprise__in=bench)
    assert (bench.count(), runs.count()) == (3, 7)
    assert sorted(runs.values_list("enterprise__name", "year", "quarter"))[:5] == [
        ("Bench enterprise 000000", 2026, 1),  # 2 - 1 + 1 of the remainder
        ("Bench enterprise 000000", 2026, 2),
        ("Bench enterprise 000001", 2025, 4),  # 2 + 1
        ("Bench enterprise 000001", 2026, 1),
        ("Bench enterprise 000001", 2026, 2),
    ]
    default = WeightScheme.objects.get(is_default=True)
    for run in runs:
        expected = score(scheme_spec(default), run.values)
        assert (run.status, run.overall, run.grade) == (
            "succeeded",
            expected.overall,
            expected.grade,
        )
        assert run.assessment.values == run.values
        assert [i.score for i in run.indicators.all()] == [i.score for i in expected.indicators]
        assert run.dimensions.count() == 4
    user = UserFactory._meta.model.objects.get(email="bench@example.com")
    assert user.is_superuser and user.memberships.count() == 2

    call_command("seed_bench", enterprises=3, runs=7, members=2, stdout=out)
    assert "already there" in out.getvalue() and runs.all().count() == 7
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_bench", enterprises=2, runs=2, stdout=out)
    call_command("seed_bench", enterprises=2, runs=2, members=1, reset=True, stdout=out)
    assert (bench.count(), runs.all().count(), user.memberships.count()) == (2, 2, 1)


@pytest.mark.parametrize(
    ("enterprises", "runs", "lengths"),
    [(4, 40, [5, 15, 5, 15]), (3, 30, [5, 15, 10]), (3, 7, [2, 3, 2]), (5, 5, [1] * 5)],
)
def test_seed_bench_alternates_short_and_long_histories(enterprises, runs, lengths):
    from evaluations.management.commands.seed_bench import history_lengths

    assert history_lengths(enterprises, runs) == lengths
    assert sum(lengths) == runs


def test_rescoring_complete_values_matches_the_product_example(
    target, django_capture_on_commit_callbacks
):
    """The factories' middling enterprise, by hand: a quick check of the whole path."""
    run = submitted_run(AssessmentFactory(values=dict(COMPLETE_VALUES)))
    start(target, capture=django_capture_on_commit_callbacks)
    new = EvaluationRun.objects.get(origin=Origin.RESCORE)
    assert new.assessment_id == run.assessment_id
    assert new.overall == score(scheme_spec(target), COMPLETE_VALUES).overall
