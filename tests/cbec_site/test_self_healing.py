"""Beat and ``/healthz`` under broker faults, with real processes and brokers of their own.

Each test gives the processes it starts a broker nobody else uses: a SQLite file in a temporary
directory (the embedded default, kombu's SQLAlchemy transport) or a throwaway ``redis-server``
on a free port, so the project's real queue names can be used and counted.

1. Beat recovers by itself after a broker outage. ``celery -A cbec_site beat`` runs as
   production runs it, with its intervals shrunk (``EVALUATION_SWEEP_EVERY_SECONDS``); the
   test counts what it sends. The outage: for the embedded broker another process holds the
   broker file's lock (as a backup or an ``sqlite3`` shell would), so every statement of beat's,
   reads included, fails with "database is locked"; for Redis the server is killed and started
   again on the same port. Once the broker is back, messages must arrive again.

The figures (outage, failed sends, time to recover) are printed at the end of the run. A missing
``redis-server`` makes a test fail, never skip.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kombu import Connection

from core.dispatch import QUEUES
from tests.evaluations.worker import RedisServer, wait_until
from tests.isolation import isolated_environment

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
EVERY = 0.5  # seconds between two sends of the shrunk schedule


def pending(url: str) -> int:
    """Messages waiting on the project's queues of the broker at ``url`` (nobody consumes)."""
    with Connection(url, connect_timeout=2) as conn:
        channel = conn.default_channel
        try:
            return sum(channel.queue_declare(queue=queue).message_count for queue in QUEUES)
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
        wait_until(lambda: pending(url) >= 3, timeout=60, interval=0.2, describe=beat.tail)

        take_down()
        down = time.monotonic()
        wait_until(
            lambda: beat.failed_sends() >= failures, timeout=90, interval=0.2, describe=beat.tail
        )
        bring_back()
        back = time.monotonic()
        failed = beat.failed_sends()
        at_back = pending(url)

        recovered = wait_until(
            lambda: pending(url) >= at_back + 3,
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
