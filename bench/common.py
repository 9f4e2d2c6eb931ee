"""What the benchmarks share: services, scratch databases, server processes, statistics.

- ``ensure_services()`` starts PostgreSQL and Redis as ``.ci/run`` does when they are down;
- ``Bench(db)`` is one scratch PostgreSQL database (``cbec_bench`` by default) with its
  environment (Redis database 2 as the broker, 3 as the cache, ``bench.settings``), migrated,
  with ``manage()`` to run commands and ``django()`` to use the ORM in this process;
- ``Bench.worker()`` / ``Bench.gunicorn()`` start a Celery worker / gunicorn as subprocesses in
  their own process group, stopped (the group, by its id) when the benchmark ends;
- ``result()`` prints the one machine-readable line every benchmark ends with:
  ``RESULT <name> value=<number> floor=<number> unit=<unit> ratio=<number> target=<number>``.

The web server and the workers run with DEBUG off (production settings; static files collected
into ``var/bench/static`` when they changed), so nothing measured pays for debug-only
bookkeeping.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379"
BROKER_URL = f"{REDIS_URL}/2"
CACHE_URL = f"{REDIS_URL}/3"
PYTHON = sys.executable
_processes: list[subprocess.Popen] = []


def quick() -> bool:
    """``QUICK=1`` (``make bench QUICK=1``): a tenth of the size."""
    return os.environ.get("QUICK", "") not in ("", "0")


_STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:6.1f} s] {message}", flush=True)


# --- Services -----------------------------------------------------------------------------------


def _ok(command: Sequence[str]) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def ensure_services() -> None:
    """PostgreSQL and Redis on 127.0.0.1, started as ``.ci/run`` starts them when down."""
    if not _ok(["pg_isready", "-h", PG_HOST, "-p", str(PG_PORT), "-q"]):
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True
        )
        wait_for(lambda: _ok(["pg_isready", "-h", PG_HOST, "-p", str(PG_PORT), "-q"]), 30)
    if not _ok(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"]):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        wait_for(lambda: _ok(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"]), 30)


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.05) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not ready after {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- A scratch database and the processes that use it -------------------------------------------


def _static_changed() -> bool:
    manifest = REPO_ROOT / "var" / "bench" / "static" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in (REPO_ROOT / "static").rglob("*") if p.is_file())


class Bench:
    def __init__(self, db: str = "cbec_bench") -> None:
        self.db = db
        self.database_url = f"postgres://postgres@{PG_HOST}:{PG_PORT}/{db}"
        secret = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secret,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_HSTS_SECONDS": "0",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": BROKER_URL,
            "CACHE_URL": CACHE_URL,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self._django = False

    # database -------------------------------------------------------------------------------

    def _admin(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def exists(self) -> bool:
        return bool(self._admin(f"SELECT 1 FROM pg_database WHERE datname = '{self.db}'"))

    def prepare(self, *, fresh: bool = False) -> Bench:
        """Create (or with ``fresh``, re-create) the database, migrate it, collect static."""
        ensure_services()
        if fresh and self.exists():
            log(f"dropping database {self.db}")
            self._admin(f'DROP DATABASE "{self.db}" WITH (FORCE)')
        if not self.exists():
            self._admin(f'CREATE DATABASE "{self.db}"')
        self.manage("migrate", "--no-input", quiet=True)
        if _static_changed():  # the manifest hashed URLs need (bench.settings: var/bench/static)
            self.manage("collectstatic", "--no-input", quiet=True)
        return self

    def seed(self, *, enterprises: int, runs: int) -> None:
        """``seed_bench`` at this size; a database seeded at another size is re-created."""
        out = self.manage(
            "seed_bench", f"--enterprises={enterprises}", f"--runs={runs}", check=False
        )
        if out.returncode != 0 and "--reset" in out.stderr:
            self.prepare(fresh=True)
            out = self.manage("seed_bench", f"--enterprises={enterprises}", f"--runs={runs}")
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        log(out.stdout.strip())

    def manage(self, *args: str, quiet: bool = False, check: bool = True, debug: bool = True):
        # Management commands run as the README runs them (debug on), except collectstatic.
        env = {**self.env, "DJANGO_DEBUG": "true" if debug else "false"}
        out = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        if check and out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
        if not quiet and out.stderr.strip() and out.returncode == 0:
            print(out.stderr.strip()[-2000:])
        return out

    def django(self):
        """Set up Django in this process on the bench database (DEBUG off, real broker)."""
        if not self._django:
            for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL"):
                os.environ[key] = self.env[key]
            for key in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CACHE_URL"):
                os.environ[key] = self.env[key]
            for key in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_COOKIES", "LOG_LEVEL"):
                os.environ[key] = self.env[key]
            import django

            django.setup()
            self._django = True
        return self

    # processes ------------------------------------------------------------------------------

    def _start(self, command: list[str], log_name: str) -> subprocess.Popen:
        log_dir = REPO_ROOT / "var" / "bench"
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / log_name).open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _processes.append(process)
        return process

    def purge_broker(self) -> None:
        import redis

        redis.Redis.from_url(BROKER_URL).flushdb()

    def worker(
        self, *, concurrency: int = 2, queues: Sequence[str] = ("evaluations",), nice: int = 0
    ) -> subprocess.Popen:
        """A Celery worker on the bench broker taking ``queues`` (as the Procfile's workers:
        evaluations, reports, mail), at ``nice`` (the reports worker runs at 10), ready when
        this returns."""
        ready = REPO_ROOT / "var" / "bench" / f"worker-{os.getpid()}-{len(_processes)}.ready"
        ready.unlink(missing_ok=True)
        log_name = "worker.log"
        process = self._start(
            [
                *(["nice", "-n", str(nice)] if nice else []),
                PYTHON,
                "-m",
                "celery",
                "-A",
                "cbec_site",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--queues={','.join(queues)}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                "-n",
                f"bench-{os.getpid()}-{len(_processes)}@%h",
            ],
            log_name,
        )
        path = REPO_ROOT / "var" / "bench" / log_name
        start = path.stat().st_size if path.exists() else 0

        def is_ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited; see {path}")
            with path.open("rb") as file:
                file.seek(max(0, start - 1))
                return b" ready." in file.read()

        wait_for(is_ready, 60, 0.1)
        return process

    def gunicorn(self, *, workers: int = 2) -> str:
        """gunicorn on a free port with ``workers`` sync workers; its base URL."""
        port = free_port()
        self._start(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "cbec_site.wsgi",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{port}",
                "--backlog=2048",
                "--log-level=warning",
            ],
            "gunicorn.log",
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return True
            except OSError:
                return False

        wait_for(answers, 30, 0.1)
        return f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen) -> None:
    """Stop one process we started, with its group (its own children), by its id."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass


@atexit.register
def stop_all() -> None:
    while _processes:
        stop(_processes.pop())


# --- Statistics and the RESULT line -------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile, nearest rank (what load testers report)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def result(name: str, value: float, floor: float, unit: str, target: float) -> float:
    ratio = value / floor if floor else float("inf")
    print(
        f"RESULT {name} value={value:.6g} floor={floor:.6g} unit={unit} "
        f"ratio={ratio:.3f} target={target:g}",
        flush=True,
    )
    return ratio


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


if __name__ == "__main__":  # make bench: the services first, as .ci/run starts them
    ensure_services()
    print("PostgreSQL and Redis are up.")
