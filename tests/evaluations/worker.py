"""Real Celery workers and brokers in other processes, for the reliability tests.

Started as ``python -m celery -A tests.evaluations.worker worker ...``, this module *is* the
project's Celery app (``cbec_site.celery.app``), changed only when ``RELIABILITY_QUEUE`` is set,
that is in the worker processes started by ``Worker`` below:

- its default queue is the test's private queue, and every route leads there too, so what the
  worker itself sends (the heartbeat at start-up, a retry, a webhook delivery bound for the mail
  queue) stays with the test and never reaches another worker on the same broker;
- it sends for real: ``settings_test`` makes the producer eager, which a worker must not be (a
  retry would then run inline instead of going through the broker as in production).

Nothing here touches Django at import time: the worker imports this module before Django is set
up. ``LiveCelery`` is the test side: it points this process's producer at a broker and a private
queue, starts workers against the test database, and puts everything back afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from kombu import pools

from cbec_site.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]
QUEUE_ENV = "RELIABILITY_QUEUE"

if os.environ.get(QUEUE_ENV):  # only in a worker process started by ``Worker``
    app.conf.task_default_queue = os.environ[QUEUE_ENV]
    app.conf.task_routes = {"*": {"queue": os.environ[QUEUE_ENV]}}
    app.conf.task_always_eager = False


def wait_until(
    predicate: Callable[[], object],
    *,
    timeout: float,
    interval: float = 0.05,
    describe: Callable[[], str] = lambda: "",
) -> float:
    """Poll until ``predicate()`` is true; the seconds it took. AssertionError on timeout."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"still not true after {timeout:.0f} s. {describe()}")
        time.sleep(interval)
    return time.monotonic() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """A DATABASE_URL for the test database this process uses (call it once the DB is set up)."""
    from django.db import connection

    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(conf["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise AssertionError(
                f"The SQLite test database must be a file another process can open, not {name!r}"
            )
        return "sqlite:///" + str(Path(name).resolve())
    if connection.vendor == "postgresql":
        user = quote(conf.get("USER") or "", safe="")
        password = quote(conf.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{conf['PORT']}" if conf.get("PORT") else ""
        return f"postgres://{auth}{conf.get('HOST') or ''}{port}/{quote(conf['NAME'], safe='')}"
    raise AssertionError(f"No DATABASE_URL recipe for {connection.vendor}")


class Worker:
    """``celery worker`` on its own process group, so a SIGKILL takes its pool children too."""

    def __init__(
        self,
        *,
        broker_url: str,
        database_url: str,
        queue: str,
        log_path: Path,
        concurrency: int = 2,
        pool: str = "prefork",
    ) -> None:
        self.log_path = log_path
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.evaluations.worker",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-Q",
            queue,
            "-n",
            f"{queue}-{uuid.uuid4().hex[:6]}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",  # "ready." and one line per task, into log_path
        ]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cbec_site.settings_test",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            QUEUE_ENV: queue,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
            self.env.pop(name, None)
        self.process: subprocess.Popen | None = None
        self._log_start = 0

    def start(self, *, ready_within: float = 60) -> Worker:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_start = log.tell()
            log.write(f"\n=== start {time.strftime('%H:%M:%S')}: {self.command}\n".encode())
            self.process = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, timeout=ready_within, interval=0.1, describe=self.describe)
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the worker exited with {self.process.returncode}. " + self.tail()
            )
        return b" ready." in self._log()

    def _log(self) -> bytes:
        with self.log_path.open("rb") as log:
            log.seek(self._log_start)
            return log.read()

    def outcomes(self) -> Counter:
        """What each ``run_evaluation`` this worker finished returned, from its log: True when
        that delivery stored the results, False when the run was already finished."""
        found = re.findall(rb"run_evaluation\[[^\]]+\] succeeded in \S+: (\w+)", self._log())
        return Counter(value.decode() for value in found)

    def received(self) -> int:
        """How many ``run_evaluation`` messages this worker took from the broker."""
        return len(re.findall(rb"run_evaluation\[[^\]]+\] received", self._log()))

    def tail(self, lines: int = 40) -> str:
        text = self._log().decode(errors="replace").splitlines()[-lines:]
        return "Worker log:\n" + "\n".join(text)

    def describe(self) -> str:
        return self.tail()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and its pool children, with no clean-up."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


class RedisServer:
    """A throwaway ``redis-server`` (no persistence) the test can stop and start again."""

    def __init__(self, port: int | None = None) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise AssertionError(
                "redis-server is not installed: the broker-down test needs its own Redis to stop"
            )
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.ping, timeout=15, interval=0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)


class LiveCelery:
    """This process's producer sending for real to ``broker_url`` on a private queue, plus the
    workers and Redis servers a test starts. ``close()`` stops them and restores the app."""

    def __init__(self, *, broker_url: str, log_dir: Path) -> None:
        self.broker_url = broker_url
        self.queue = f"reliability-{uuid.uuid4().hex[:10]}"
        self.log_path = log_dir / f"{self.queue}.log"
        self.database_url = test_database_url()
        self.workers: list[Worker] = []
        self.servers: list[RedisServer] = []
        conf = app.conf
        self._saved = {
            key: conf.get(key)
            for key in ("task_always_eager", "task_default_queue", "broker_write_url")
        }
        conf.task_always_eager = False
        conf.task_default_queue = self.queue
        self.use_broker(broker_url)

    @property
    def is_redis(self) -> bool:
        return self.broker_url.startswith(("redis://", "rediss://"))

    def use_broker(self, url: str) -> None:
        """Send to ``url`` from now on. ``broker_write_url`` because CELERY_BROKER_URL in the
        environment would win over ``broker_url``; the cached pools hold the old connection."""
        app.conf.broker_write_url = url
        _reset_producer_pool()
        expected = app.connection_for_write(url).as_uri(include_password=True)
        assert app.pool.connection.as_uri(include_password=True) == expected, "not switched"

    def worker(self, *, broker_url: str | None = None, concurrency: int = 2) -> Worker:
        worker = Worker(
            broker_url=broker_url or self.broker_url,
            database_url=self.database_url,
            queue=self.queue,
            log_path=self.log_path,
            concurrency=concurrency,
        )
        self.workers.append(worker)
        return worker

    def redis_server(self) -> RedisServer:
        server = RedisServer()
        self.servers.append(server)
        return server

    def queue_size(self, url: str | None = None) -> int:
        with app.connection_for_write(url or self.broker_url) as conn:
            channel = conn.default_channel
            try:
                return channel.queue_declare(queue=self.queue).message_count
            finally:
                if getattr(channel, "_session", None) is not None:
                    channel._session.close()  # SQLAlchemy: end the read, free the connection

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        _forget_queue(self.broker_url, self.queue)  # private Redis servers are thrown away
        for server in self.servers:
            server.stop()
        for key, value in self._saved.items():
            app.conf[key] = value
        _reset_producer_pool()


def _reset_producer_pool() -> None:
    """Drop the producer's cached connections: kombu's pool registry (keyed by broker, so a
    closed pool left in it would be handed out again) and Celery's references to it."""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def _forget_queue(url: str, queue: str) -> None:
    """Leave nothing of the private queue on a shared broker: its messages, its bindings or
    row, and the messages of a killed worker, which Redis keeps unacknowledged for an hour."""
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            channel.queue_purge(queue)
            if url.startswith(("redis://", "rediss://")):
                channel._delete(queue, queue, queue, "")  # exchange and routing key: its name
                client = channel.client
                for tag, raw in client.hgetall(channel.unacked_key).items():
                    if json.loads(raw)[2] == queue:
                        client.hdel(channel.unacked_key, tag)
                        client.zrem(channel.unacked_index_key, tag)
            elif hasattr(channel, "queue_cls"):  # SQLAlchemy
                channel.session.query(channel.queue_cls).filter_by(name=queue).delete()
                channel.session.commit()
                channel.session.close()
    except Exception as error:  # noqa: BLE001 - reported; the test's own result stands
        print(f"could not clean queue {queue} on the broker: {type(error).__name__}: {error}")
