"""GET /healthz: the database, the cache, the broker and a worker on each queue, as booleans,
never secrets; JSON with 503 whatever fails, through the whole middleware stack.

The broker faults use a broker of the test's own (a SQLite file in a temporary directory, the
embedded transport): the file deleted, or SQLite refusing every write (``PRAGMA query_only``, as
for a read-only file). Redis refusing writes is in ``test_self_healing.py``.
"""

import os
import sqlite3
import statistics
import time

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from kombu.transport import sqlalchemy as sqla_transport
from sqlalchemy import event

from cbec_site import health
from cbec_site.celery import app
from core.dispatch import QUEUES
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db

EVERY_QUEUE = dict.fromkeys(QUEUES, True)


@pytest.fixture
def client():
    """The whole response path: an exception anywhere comes back as the response it makes."""
    return Client(raise_request_exception=False)


@pytest.fixture
def own_broker(tmp_path, use_broker):
    """A SQLite broker file of the test's own, the producer pointed at it; its path."""
    path = tmp_path / "broker.sqlite3"
    use_broker(f"sqla+sqlite:///{path}")
    return path


def every_queue_beats() -> None:
    for queue in QUEUES:
        heartbeat.run(queue)  # what that queue's worker does when it takes beat's heartbeat


def get(client):
    response = client.get(reverse("healthz"))
    assert response["Content-Type"] == "application/json", response.content[:300]
    return response.status_code, response.json()


def test_healthy_when_a_worker_took_the_heartbeat_on_every_queue(client):
    every_queue_beats()
    assert get(client) == (
        200,
        {"status": "ok", "database": True, "cache": True, "broker": True, "workers": EVERY_QUEUE},
    )


def test_each_queue_needs_a_worker_of_its_own(client):
    heartbeat.run("evaluations")
    heartbeat.run("mail")
    status, body = get(client)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["workers"] == {"evaluations": True, "reports": False, "mail": True}


def test_beat_sends_the_heartbeat_through_every_queue(settings):
    sent = [
        (entry["args"], entry["options"]["queue"])
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.tasks.heartbeat"
    ]
    assert sorted(sent) == sorted(((queue,), queue) for queue in QUEUES)


def test_a_stale_heartbeat_does_not_count(client, settings):
    too_old = time.time() - settings.WORKER_SEEN_WITHIN.total_seconds() - 1
    for queue in QUEUES:
        cache.set(f"{settings.CELERY_WORKER_HEARTBEAT_KEY}:{queue}", too_old)
    status, body = get(client)
    assert status == 503
    assert body["workers"] == dict.fromkeys(QUEUES, False)


def full_disk(execute, sql, params, many, context):
    raise OperationalError("database or disk is full")


def test_a_full_disk_answers_503_json_not_an_error_page(client, settings):
    """The embedded default keeps the cache in the database too: both fail together."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cbec_health_test_cache",
        }
    }
    call_command("createcachetable")
    every_queue_beats()
    assert get(client)[0] == 200

    with connection.execute_wrapper(full_disk):
        status, body = get(client)
    assert status == 503
    assert body == {
        "status": "degraded",
        "database": False,
        "cache": False,
        "broker": True,
        "workers": dict.fromkeys(QUEUES, False),
    }


def test_a_failing_cache_answers_503_json(client, monkeypatch):
    every_queue_beats()

    def fail(*args, **kwargs):
        raise OperationalError("database or disk is full")

    for method in ("get", "get_many", "set"):
        monkeypatch.setattr(type(caches["default"]), method, fail)
    status, body = get(client)
    assert status == 503
    assert (body["database"], body["cache"], body["broker"]) == (True, False, True)
    assert body["workers"] == dict.fromkeys(QUEUES, False)


@pytest.fixture
def read_only(own_broker):
    """``read_only(True)``: SQLite refuses every write to the broker file from now on."""
    refusing = []
    engines = sqla_transport.Channel._engines

    def on_checkout(dbapi_connection, record, proxy):
        dbapi_connection.execute(f"PRAGMA query_only = {int(bool(refusing))}")

    def switch(on: bool) -> None:
        refusing[:] = [True] if on else []

    assert health.broker_ok()  # creates the transport's engine for this file
    [engine] = [engine for url, (engine, _) in engines.items() if url.endswith(str(own_broker))]
    event.listen(engine, "checkout", on_checkout)
    yield switch
    event.remove(engine, "checkout", on_checkout)


@pytest.mark.parametrize("fault", ["deleted", "read-only"])
def test_a_broker_file_that_takes_no_message_is_reported(fault, client, own_broker, read_only):
    every_queue_beats()
    assert get(client) == (
        200,
        {"status": "ok", "database": True, "cache": True, "broker": True, "workers": EVERY_QUEUE},
    )
    if fault == "deleted":
        os.remove(own_broker)
    else:
        read_only(True)
    with pytest.raises(Exception, match="readonly database"):
        app.send_task("core.tasks.heartbeat", ["evaluations"], queue="evaluations")
    status, body = get(client)
    assert (status, body["broker"]) == (503, False)
    assert (body["database"], body["cache"], body["workers"]) == (True, True, EVERY_QUEUE)
    if fault == "read-only":
        read_only(False)
        assert get(client)[0] == 200


def test_the_probe_leaves_no_message_behind(client, own_broker, figures):
    """Called every few seconds, /healthz must not grow a queue (the SQLAlchemy transport keeps
    the rows of messages it delivered, so only a purge leaves the table as it was)."""
    every_queue_beats()
    took = []
    for _ in range(20):
        start = time.perf_counter()
        assert get(client)[0] == 200
        took.append(time.perf_counter() - start)
    with sqlite3.connect(own_broker) as db:
        assert db.execute("SELECT COUNT(*) FROM kombu_message").fetchone() == (0,)
        assert db.execute("SELECT name FROM kombu_queue").fetchall() == [("cbec.healthz-probe",)]
    figures(
        f"healthz ({connection.vendor}, embedded broker)",
        calls=len(took),
        median_ms=statistics.median(took) * 1000,
        max_ms=max(took) * 1000,
    )


def test_an_unreachable_broker_is_reported_without_its_url(client, use_broker):
    every_queue_beats()
    use_broker("redis://:s3cret@127.0.0.1:1/0")
    status, body = get(client)
    assert (status, body["broker"]) == (503, False)
    response = client.get(reverse("healthz"))
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_the_configured_broker_takes_a_message():
    """In CI this is Redis: the test fails (never skips) when it is down."""
    assert health.broker_ok(), app.conf.broker_url.split("@")[-1]
