"""Evaluation runs are never lost (PRODUCT.md section 5), with a real broker and real workers.

The worker is a real ``celery worker`` process (``tests/evaluations/worker.py``) reading the test
database this process writes, so the tests commit for real (``transaction=True``) and this
process's producer sends for real instead of eagerly. Both use the configured broker
(``CELERY_BROKER_URL``: Redis in CI, the embedded SQLAlchemy-over-SQLite broker by default) on a
private queue, so another worker on the same broker never takes these messages.

1. 200 runs submitted, the worker (concurrency 1) SIGKILLed with its pool children once 10
   succeeded, while it is inside a run (the test holds the database write lock that run needs
   for half a second), the sweep run (the beat task's body, stale thresholds shrunk to 1 s), a
   new worker started: all 200 succeed with one result each, and the new worker stores exactly
   the ones the killed worker had not.
2. The broker is down when a user submits. With Redis the test starts its own throwaway
   ``redis-server`` (the producer and the worker both use it), kills it, and starts it again on
   the same port: a real outage that the running worker must survive. Without Redis (the
   embedded broker is a file, which cannot go down) the producer is pointed at a broker in a
   directory that does not exist for the submission, and back afterwards. Either way the
   submission is saved, the run stays queued and unsent, a sweep while the broker is down loses
   nothing, and the sweep after it is back sends it to the worker, which completes it.
3. A submission inside a transaction that rolls back (entirely, or only to a savepoint) sends
   nothing: no call to the broker and no message in the queue; a committed one sends one.
4. The same run delivered twice at once stores one result: two threads forced to run it
   together (both started before either stores), and a real worker given every message twice.

The figures (runs, time to recover, durations) are printed at the end of the test run. A missing
service makes these tests fail, never skip.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from cbec_site.celery import app
from evaluations.models import Assessment, EvaluationRun, RunDimension, RunIndicator
from evaluations.services import runs
from evaluations.services.assessments import assessment_submit
from tests.evaluations.worker import LiveCelery, wait_until
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Status = EvaluationRun.Status
PERIODS_PER_ENTERPRISE = 40  # 10 years of quarters


@pytest.fixture
def live(tmp_path):
    celery = LiveCelery(broker_url=app.conf.broker_url, log_dir=tmp_path)
    try:
        yield celery
    finally:
        celery.close()


@pytest.fixture
def record(figures):
    """``record(test, **values)``: the figures, printed at the end of the run (``figures``)."""
    broker = app.conf.broker_url.split("://", 1)[0]

    def write(test: str, **values) -> None:
        figures(f"{connection.vendor}/{broker} {test}", **values)

    return write


def values(i: int) -> dict[str, float]:
    """Complete, valid values that differ from one assessment to the next."""
    return {
        "logistics_cost": 5.0 + i % 25,
        "npd_cycle": 14.0 + (7 * i) % 166,
        "tech_update_speed": float(i % 25),
        "market_response_time": 7.0 + (3 * i) % 83,
        "environmental_impact_score": float((11 * i) % 101),
    }


def ready_assessments(n: int, user) -> list[Assessment]:
    """``n`` drafts with complete values, ready to submit under the default scheme."""
    enterprises = [EnterpriseFactory() for _ in range(0, n, PERIODS_PER_ENTERPRISE)]
    return Assessment.objects.bulk_create(
        Assessment(
            enterprise=enterprises[i // PERIODS_PER_ENTERPRISE],
            year=2001 + i % PERIODS_PER_ENTERPRISE // 4,
            quarter=i % 4 + 1,
            values=values(i),
            created_by=user,
            updated_by=user,
        )
        for i in range(n)
    )


def statuses(ids) -> Counter:
    return Counter(EvaluationRun.objects.filter(pk__in=ids).values_list("status", flat=True))


def count(ids, status) -> int:
    return EvaluationRun.objects.filter(pk__in=ids, status=status).count()


def assert_one_result_each(ids) -> None:
    """Every run succeeded with exactly one result set, the one the engine computes."""
    found = list(EvaluationRun.objects.filter(pk__in=ids))
    assert len(found) == len(ids)
    assert statuses(ids) == {Status.SUCCEEDED: len(ids)}, [
        (run.pk, run.status, run.error) for run in found if run.status != Status.SUCCEEDED
    ]
    per_run = {
        model: dict(
            model.objects.filter(run__in=ids).order_by().values_list("run").annotate(Count("id"))
        )
        for model in (RunIndicator, RunDimension)
    }
    for run in found:
        expected = runs.run_result(run)
        assert (len(expected.indicators), len(expected.dimensions)) == (5, 4)
        assert per_run[RunIndicator].get(run.pk) == 5, run
        assert per_run[RunDimension].get(run.pk) == 4, run
        assert (run.overall, run.grade, run.error) == (expected.overall, expected.grade, "")
        stored = dict(run.indicators.values_list("code", "score"))
        assert stored == {i.code: i.score for i in expected.indicators}


def test_200_runs_all_succeed_once_after_the_worker_is_killed_mid_way(live, settings, record):
    began = time.monotonic()
    settings.EVALUATION_QUEUED_STALE = settings.EVALUATION_RUNNING_STALE = timedelta(seconds=1)
    user = UserFactory()
    assessments = ready_assessments(200, user)

    start = time.monotonic()
    ids = [assessment_submit(assessment=a, user=user).pk for a in assessments]
    submit_seconds = time.monotonic() - start
    assert EvaluationRun.objects.filter(pk__in=ids, sent_at__isnull=False).count() == 200
    assert live.queue_size() == 200

    first = live.worker(concurrency=1).start()
    first_started = time.monotonic()
    wait_until(
        lambda: count(ids, Status.SUCCEEDED) >= 10, timeout=60, interval=0.01, describe=first.tail
    )
    # Kill it in the middle of a run, not between two: hold the write lock its next run needs
    # (SQLite: the database's, taken at BEGIN IMMEDIATE; PostgreSQL: the result table's), so
    # it is stuck inside that run, started or about to be, when the SIGKILL comes.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {RunDimension._meta.db_table} IN EXCLUSIVE MODE")
        wait_until(  # the worker took its next run and waits for the lock inside it
            lambda: first.received() > sum(first.outcomes().values()),
            timeout=30,
            describe=first.tail,
        )
        first.kill()
    ran_seconds = time.monotonic() - first_started
    before_kill = count(ids, Status.SUCCEEDED)
    at_kill = statuses(ids)
    assert 10 <= before_kill < 200, "the worker must die mid-way"
    in_hand = first.received() - sum(first.outcomes().values())
    assert in_hand >= 1, "the worker must die with a run in hand"

    assert statuses(ids) == at_kill  # nothing moves without a worker
    later = timezone.now() + timedelta(seconds=1.2)  # past the (shrunk) stale thresholds
    swept = runs.runs_sweep(now=later)  # what beat runs every 30 s, as if run then
    assert swept == {"resent": 200 - before_kill, "failed": 0}

    restarted = time.monotonic()
    second = live.worker(concurrency=2).start()
    ready_seconds = time.monotonic() - restarted
    wait_until(
        lambda: count(ids, Status.SUCCEEDED) == 200,
        timeout=120,
        interval=0.1,
        describe=lambda: f"{statuses(ids)}. {second.tail()}",
    )
    recover_seconds = time.monotonic() - restarted

    assert_one_result_each(ids)
    submitted = EvaluationRun.objects.filter(assessment__in=assessments)
    assert submitted.count() == submitted.values("assessment").distinct().count() == 200
    # The new worker stored exactly the runs the killed one had not; the rest of what it
    # received (the sweep's copies of runs whose first message was still queued) it skipped.
    wait_until(lambda: live.queue_size() == 0, timeout=30, describe=second.tail)
    outcomes = second.outcomes()
    assert outcomes["True"] == 200 - before_kill, outcomes
    record(
        "1 killed worker",
        runs=200,
        succeeded_before_kill=before_kill,
        at_kill=dict(at_kill),
        in_hand_at_kill=in_hand,
        resent_by_sweep=swept["resent"],
        stored_after_restart=outcomes["True"],
        duplicates_skipped=outcomes["False"],
        submit_s=submit_seconds,
        first_worker_ran_s=ran_seconds,
        restart_ready_s=ready_seconds,
        time_to_recover_s=recover_seconds,
        test_s=time.monotonic() - began,
    )


def test_a_submission_while_the_broker_is_down_completes_when_it_is_back(live, settings, record):
    began = time.monotonic()
    settings.EVALUATION_UNSENT_GRACE = timedelta(seconds=1)
    user = UserFactory()
    before, during = ready_assessments(2, user)
    if live.is_redis:
        server = live.redis_server().start()
        live.use_broker(server.url)
        worker = live.worker(broker_url=server.url).start()
        take_down, bring_back, how = server.stop, server.start, "own redis-server killed"
    else:
        worker = live.worker().start()
        nowhere = f"sqla+sqlite:///{settings.VAR_DIR}/no-such-directory/broker.sqlite3"

        def take_down():
            live.use_broker(nowhere)

        def bring_back():
            live.use_broker(live.broker_url)

        how = "producer pointed at a broker in a missing directory"

    def state(run):
        run.refresh_from_db()
        return run.status, run.sent_at, run.attempts

    # While the broker is up a submission goes straight through (and the producer connects).
    control = assessment_submit(assessment=before, user=user)
    wait_until(lambda: state(control)[0] == Status.SUCCEEDED, timeout=60, describe=worker.tail)

    take_down()
    down = time.monotonic()
    run = assessment_submit(assessment=during, user=user)
    submit_seconds = time.monotonic() - down
    assert submit_seconds < 10, "a submission must not hang on a broker that is down"
    during.refresh_from_db()
    assert during.status == Assessment.Status.SUBMITTED and during.submitted_at is not None
    assert state(run) == (Status.QUEUED, None, 0)

    later = timezone.now() + timedelta(seconds=1.1)  # past the grace for unsent runs
    assert runs.runs_sweep(now=later) == {"resent": 0, "failed": 0}
    assert state(run) == (Status.QUEUED, None, 0), "still queued and unsent, not failed"

    bring_back()
    back = time.monotonic()
    assert runs.runs_sweep(now=timezone.now() + timedelta(seconds=1.1)) == {
        "resent": 1,
        "failed": 0,
    }
    assert state(run)[1] is not None
    wait_until(
        lambda: state(run)[0] == Status.SUCCEEDED,
        timeout=90,
        interval=0.1,
        describe=lambda: f"{state(run)}. {worker.tail()}",
    )
    recover_seconds = time.monotonic() - back
    assert worker.alive, "the worker lived through the outage"
    assert_one_result_each([control.pk, run.pk])
    assert during.runs.count() == 1
    record(
        "2 broker down",
        runs=2,
        broker_down=how,
        submit_while_down_s=submit_seconds,
        down_s=back - down,
        time_to_recover_s=recover_seconds,
        test_s=time.monotonic() - began,
    )


class RolledBack(Exception):
    pass


def test_a_rolled_back_submission_sends_nothing(live, monkeypatch, record):
    user = UserFactory()
    whole, savepoint, committed = ready_assessments(3, user)
    original = app.send_task
    sent = []

    def spy(name, args=None, *rest, **options):
        sent.append(list(args))
        return original(name, args, *rest, **options)

    monkeypatch.setattr(app, "send_task", spy)

    with pytest.raises(RolledBack), transaction.atomic():
        run = assessment_submit(assessment=whole, user=user)
        assert EvaluationRun.objects.filter(pk=run.pk).exists()  # created, then rolled back
        raise RolledBack
    with transaction.atomic():  # the outer transaction commits; only the savepoint rolls back
        try:
            with transaction.atomic():
                assessment_submit(assessment=savepoint, user=user)
                raise RolledBack
        except RolledBack:
            pass

    assert sent == []
    assert live.queue_size() == 0
    assert not EvaluationRun.objects.exists()
    for assessment in (whole, savepoint):
        assessment.refresh_from_db()
        assert assessment.is_draft

    # The control: a committed submission is seen by the same spy and the same queue.
    run = assessment_submit(assessment=committed, user=user)
    assert sent == [[run.pk]]
    assert live.queue_size() == 1
    record("3 rollback", rolled_back_submissions=2, messages_after_rollbacks=0, after_commit=1)


def test_the_same_run_executed_twice_at_once_stores_one_result(monkeypatch, record):
    """A second delivery arrives while the first is computing: it stores nothing and uses no
    attempt. Then the worst interleaving: the first looks stale (as after a lost worker), so
    both compute, and the locked re-check before writing still stores one result."""
    user = UserFactory()
    # Queued runs that nobody sends: the test delivers them itself.
    monkeypatch.setattr("evaluations.services.assessments.run_enqueue", lambda run_id, **kw: False)
    ids = [assessment_submit(assessment=a, user=user).pk for a in ready_assessments(10, user)]

    compute = runs.run_result
    start = time.monotonic()
    for index, run_id in enumerate(ids):
        both_past_start = index % 2 == 1
        if both_past_start:
            barrier = threading.Barrier(2)

            def hold(run, barrier=barrier):
                barrier.wait(timeout=30)  # both deliveries are past _start
                return compute(run)

            monkeypatch.setattr(runs, "run_result", hold)
            monkeypatch.setattr(runs.settings, "EVALUATION_RUNNING_STALE", timedelta(0))
        else:
            second_done = threading.Event()

            def hold(run, second_done=second_done):
                second_done.wait(timeout=30)  # the duplicate arrives while this one computes
                return compute(run)

            monkeypatch.setattr(runs, "run_result", hold)
            monkeypatch.setattr(runs.settings, "EVALUATION_RUNNING_STALE", timedelta(seconds=180))
        results, errors = [], []

        def deliver(run_id=run_id, results=results, errors=errors, done=None):
            try:
                results.append(runs.run_execute(run_id))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connections.close_all()
                if done is not None:
                    done.set()

        first = threading.Thread(target=deliver)
        first.start()
        if not both_past_start:
            wait_until(
                lambda run_id=run_id: EvaluationRun.objects.get(pk=run_id).status == "running",
                timeout=30,
                interval=0.02,
                describe=lambda: "the first delivery did not start",
            )
        second = threading.Thread(
            target=deliver, kwargs={"done": None if both_past_start else second_done}
        )
        second.start()
        for thread in (first, second):
            thread.join(timeout=60)
        assert errors == []
        assert sorted(results) == [False, True], "one delivery stores, the other finds it done"
        attempts = EvaluationRun.objects.get(pk=run_id).attempts
        assert attempts == (2 if both_past_start else 1)
    monkeypatch.setattr(runs, "run_result", compute)

    assert_one_result_each(ids)
    record(
        "4a twice at once (threads)",
        runs=len(ids),
        deliveries=2 * len(ids),
        stored=len(ids),
        duration_s=time.monotonic() - start,
    )


def test_a_message_delivered_twice_to_a_worker_stores_one_result(live, record):
    user = UserFactory()
    ids = []
    for assessment in ready_assessments(20, user):
        run = assessment_submit(assessment=assessment, user=user)  # sent once, after commit
        assert runs.run_enqueue(run.pk)  # and again right behind it, as a redelivery would
        ids.append(run.pk)
    assert live.queue_size() == 40

    worker = live.worker(concurrency=2).start()
    start = time.monotonic()
    wait_until(
        lambda: sum(worker.outcomes().values()) == 40,
        timeout=60,
        interval=0.1,
        describe=lambda: f"{worker.outcomes()} {statuses(ids)}. {worker.tail()}",
    )
    duration = time.monotonic() - start

    assert worker.outcomes() == {"True": 20, "False": 20}
    assert_one_result_each(ids)
    attempts = Counter(EvaluationRun.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    record(
        "4b twice to a worker",
        runs=20,
        messages=40,
        stored=worker.outcomes()["True"],
        skipped=worker.outcomes()["False"],
        both_copies_started=attempts[2],
        duration_s=duration,
    )
