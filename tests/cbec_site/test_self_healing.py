"""Beat and ``/healthz`` under broker faults, with real processes and brokers of their own.

Each test gives the processes it starts a broker nobody else uses: a SQLite file in a temporary
directory (the embedded default, kombu's SQLAlchemy transport) or a throwaway ``redis-server``
on a free port, so the project's real queue names can be used and counted.

1. Beat recovers by itself after a broker outage. ``celery -A cbec_site beat`` runs as
   production runs it, with its intervals shrunk (``EVALUATION_SWEEP_EVERY_SECONDS``); the
   test counts what it sends. The outage: for the embedded broker another process holds the
   broker file's lock (as a backup or an ``sqlite3`` shell would), so every statement of beat's,
   reads included, fails with "database is locked"; for Redis the server is killed and started
   again on the same port. Once the broker is back, messages must arrive again, through every
   queue.
2. ``/healthz`` answers 503 while a throwaway Redis refuses writes (``maxmemory 1`` with
   ``noeviction``: PING still answers, every write fails for memory) and while it is down, and 200
   again once it takes messages, without leaving a probe message behind.

The figures (outage, failed sends, time to recover, /healthz's time) are printed at the end of
the run. A missing ``redis-server`` makes a test fail, never skip.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from kombu import Connection
from redis import Redis

from cbec_site.celery import app
from core.dispatch import QUEUES
from core.tasks import heartbeat
from tests.evaluations.worker import RedisServer, wait_until
from tests.isolation import isolated_environment

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
EVERY = 0.5  # seconds between two sends of the shrunk schedule


def pending(url: str) -> dict[str, int]:
    """Messages waiting on each queue of the broker at ``url`` (nobody consumes them)."""
    with Connection(url, connect_timeout=2) as conn:
        channel = conn.default_channel
        try:
            return {queue: channel.queue_declare(queue=queue).message_count for queue in QUEUES}
        finally:
            if getattr(channel, "_session", None) is not None:
                channel._session.close()  # SQLAlchemy: end the read, free the file


class Beat:
    """``celery -A cbec_site beat`` in its own session, its log in a file."""

    def __init__(self, var_dir: Path, broker_url: str, log: Path) -> None:
        self.log = log
        env = isolated_environment(
            var_dir,
            DJANGO_DEBUG="true",
            CELERY_BROKER_URL=broker_url,
            EVALUATION_SWEEP_EVERY_SECONDS=str(EVERY),
            WORKER_HEARTBEAT_EVERY_SECONDS=str(EVERY),
        )
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "cbec_site", "beat", "-l", "INFO"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def failed_sends(self) -> int:
        return len(re.findall(r"Message Error: ", self.text()))

    def tail(self, lines: int = 30) -> str:
        if self.process.poll() is not None:
            return f"beat exited ({self.process.returncode}):\n" + self.text()[-4000:]
        return "Beat log:\n" + "\n".join(self.text().splitlines()[-lines:])

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextlib.contextmanager
def started_beat(var_dir: Path, broker_url: str) -> Iterator[Beat]:
    beat = Beat(var_dir, broker_url, var_dir / "beat.log")
    try:
        yield beat
    finally:
        beat.stop()


@contextlib.contextmanager
def embedded_broker(var_dir: Path) -> Iterator[tuple[str, Callable, Callable]]:
    """The embedded broker file, and a lock on it held by another process (this one)."""
    path = var_dir / "celery-broker.sqlite3"
    holder: list[sqlite3.Connection] = []

    def take_down() -> None:
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")  # every other connection now fails: database is locked
        holder.append(conn)

    def bring_back() -> None:
        conn = holder.pop()
        conn.execute("ROLLBACK")
        conn.close()

    try:
        yield f"sqla+sqlite:///{path}", take_down, bring_back
    finally:
        while holder:
            bring_back()


@contextlib.contextmanager
def redis_broker() -> Iterator[tuple[str, Callable, Callable]]:
    """A throwaway redis-server, killed and started again on the same port."""
    server = RedisServer().start()
    try:
        yield server.url, server.stop, server.start
    finally:
        server.stop()


# The broker, and how many failed sends of beat's the outage lasts: against the locked file each
# send fails only after SQLite's busy timeout (5 s) for each of its attempts.
BROKERS = {"sqlalchemy": (embedded_broker, 1), "redis": (lambda var_dir: redis_broker(), 3)}


@pytest.mark.parametrize("kind", BROKERS)
def test_beat_sends_again_once_the_broker_is_back(kind, tmp_path, figures):
    began = time.monotonic()
    broker, failures = BROKERS[kind]
    with broker(tmp_path) as (url, take_down, bring_back), started_beat(tmp_path, url) as beat:
        wait_until(
            lambda: min(pending(url).values()) >= 2, timeout=60, interval=0.2, describe=beat.tail
        )

        take_down()
        down = time.monotonic()
        wait_until(
            lambda: beat.failed_sends() >= failures, timeout=90, interval=0.2, describe=beat.tail
        )
        bring_back()
        back = time.monotonic()
        failed = beat.failed_sends()
        at_back = pending(url)

        recovered = wait_until(  # heartbeats through every queue again, and sweeps
            lambda: all(pending(url)[q] >= at_back[q] + 2 for q in QUEUES),
            timeout=30,
            interval=0.2,
            describe=lambda: (
                f"{pending(url)} pending, {at_back} when the broker came back. " + beat.tail()
            ),
        )
        errors = {  # what beat logged, without the driver's prefix and the port number
            re.sub(r"^\(\w+\.\w+\) |\d{4,}", "", error)[:60]
            for error in re.findall(r"Message Error: Couldn't apply [^:]+: ([^\n]*)", beat.text())
        }
        figures(
            f"beat/{kind} recovers",
            outage_s=back - down,
            failed_sends=failed,
            errors=sorted(errors),
            recovered_after_s=recovered,
            test_s=time.monotonic() - began,
        )


def healthz(client: Client) -> tuple[int, dict, float]:
    start = time.perf_counter()
    response = client.get(reverse("healthz"))
    took = time.perf_counter() - start
    assert response["Content-Type"] == "application/json", response.content[:300]
    return response.status_code, response.json(), took


@pytest.mark.django_db
def test_healthz_is_503_while_redis_refuses_writes(use_broker, figures):
    client = Client(raise_request_exception=False)
    server = RedisServer().start()
    try:
        use_broker(server.url)
        for queue in QUEUES:
            heartbeat.run(queue)
        answers = [healthz(client) for _ in range(10)]
        assert {(status, body["broker"]) for status, body, _ in answers} == {(200, True)}

        redis = Redis(port=server.port, socket_timeout=2)
        redis.config_set("maxmemory-policy", "noeviction")
        redis.config_set("maxmemory", 1)
        assert redis.ping()  # it answers, but takes nothing
        with pytest.raises(Exception, match="maxmemory"):
            app.send_task("core.tasks.heartbeat", ["evaluations"], queue="evaluations")
        status, body, refusing = healthz(client)
        assert (status, body["broker"]) == (503, False)
        assert (body["database"], body["cache"], body["workers"]) == (
            True,
            True,
            dict.fromkeys(QUEUES, True),
        )

        redis.config_set("maxmemory", 0)
        status, body, _ = healthz(client)
        assert (status, body["broker"]) == (200, True)

        server.stop()
        status, body, down = healthz(client)
        assert (status, body["broker"]) == (503, False)
        server.start()
        status, body, back = healthz(client)  # the pooled connection is replaced at once
        assert (status, body["broker"]) == (200, True)
        assert Redis(port=server.port).keys("cbec.healthz-probe*") == []  # nothing left behind
    finally:
        server.stop()
    figures(
        "healthz/redis refusing writes",
        ok_median_ms=statistics.median(took for _, _, took in answers) * 1000,
        refusing_ms=refusing * 1000,
        down_ms=down * 1000,
        first_after_restart_ms=back * 1000,
    )
