#!/usr/bin/env python
"""Runs the web server, the three Celery workers and Celery beat side by side, as `make run` needs.

One worker per queue, as in the Procfile: ``evaluations`` (concurrency 2), ``reports``
(concurrency 1, at a lower CPU priority, a fresh pool process every 20 tasks: PDFs are heavy)
and ``mail`` (concurrency 1). A worker or beat that dies is started again after a short pause
(honcho would stop everything instead); the web server's exit stops everything.

A worker that is alive but takes no task is killed and started again too. On the embedded
broker a worker freezes when a pool process is killed (the OOM killer, a stray kill): kombu's
SQLAlchemy transport has no event loop, so Celery uses billiard's classic pool, whose processes
wait for a job holding the lock of one shared pipe; a process killed while waiting never
releases it, and every pool process after it waits for it forever. The main process lives on,
takes nothing, and its warm shutdown waits for jobs that never end. (With Redis the worker uses
the asynchronous pool, a pipe per process, and survives it.) Each worker touches a file per
queue in ``WORKER_HEARTBEAT_DIR`` (``var/run/`` here) whenever it takes a task, beat's heartbeat
included (every 30 s, ``core.liveness``); when a worker's file is older than
WORKER_STALE_SECONDS (240: longer than any task may run), or it took none within
WORKER_START_GRACE_SECONDS (60) of its start, its whole process group gets SIGKILL.

The children never outlive the runner:

- Each child runs in its own session, so the terminal's signals (Ctrl-C, the SIGHUP of a closed
  terminal) reach the runner alone. On SIGHUP, SIGINT or SIGTERM it sends SIGTERM to each child's
  main process only: a Celery worker then stops its own pool. (SIGTERM to a worker's whole process
  group also reaches the pool processes, and billiard's pool shutdown then hangs on them.) After
  GRACE seconds whatever is left in each child's process group, pool processes included, gets
  SIGKILL, so everything is gone within 5 s.
- When the runner dies without doing that (SIGKILL, a crash), the kernel signals the children:
  each asks for a parent-death signal, prctl(PR_SET_PDEATHSIG) through ctypes between fork and
  exec. SIGTERM for the web server and beat, which exit at once on it; SIGKILL for the workers,
  whose warm shutdown would wait for a running task with nobody left to cut it short (tasks ack
  late and are idempotent: the message is delivered again). Celery's pool processes carry their
  own PDEATHSIG=SIGKILL against the worker's main process (celery.concurrency.prefork), so they
  follow it. The signal is tied to the thread that forked the child: children are only started
  from the runner's main thread.
- A pipe the children watch (EOF when the runner dies) was the alternative, but runserver and
  celery watch no pipe: it would take a watcher process around each of them. The parent-death
  signal needs none and holds even against SIGKILL.

Linux only for the parent-death signal; elsewhere the children still stop on HUP, INT and TERM.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for demo.accounts, which imports no Django

from demo.accounts import DEMO_API_TOKEN, DEMO_USER, accounts_text  # noqa: E402

PORT = os.environ.get("PORT", "8000")
PY = sys.executable
CELERY = [PY, "-m", "celery", "-A", "cbec_site"]

GRACE = 3.0  # seconds from SIGTERM to SIGKILL
RESTART_PAUSE = 2.0
TICK = 0.1  # how often the runner looks at its children and its signals
# Where the workers touch a file per queue when they take a task (read once a second), and how
# long a worker may go without: the same variables as the settings read (cbec_site/settings.py).
HEARTBEATS = Path(
    os.environ.get("WORKER_HEARTBEAT_DIR") or ROOT / os.environ.get("DJANGO_VAR_DIR", "var") / "run"
)
STALE = float(os.environ.get("WORKER_STALE_SECONDS", "240"))
START_GRACE = float(os.environ.get("WORKER_START_GRACE_SECONDS", "60"))
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


@dataclass(frozen=True)
class Program:
    command: list[str]
    death_signal: signal.Signals  # what the kernel sends it when the runner dies
    nice: int = 0  # added to the runner's niceness
    queue: str | None = None  # a worker's: whose heartbeat file proves it takes tasks


def worker(queue: str, concurrency: int, *options: str, nice: int = 0) -> Program:
    return Program(
        [*CELERY, "worker", "-l", "INFO", "-Q", queue, "-n", f"{queue}@%h"]
        + ["-c", str(concurrency), *options],
        signal.SIGKILL,
        nice,
        queue,
    )


PROGRAMS = {
    "web": Program(
        [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"], signal.SIGTERM
    ),
    "worker-evaluations": worker("evaluations", 2),
    "worker-reports": worker("reports", 1, "--max-tasks-per-child", "20", nice=10),
    "worker-mail": worker("mail", 1),
    "beat": Program([*CELERY, "beat", "-l", "INFO"], signal.SIGTERM),
}


def banner() -> str:
    """Where to go and as whom: every demo account ``seed_demo`` creates, listed where the
    workers' start-up logs cannot push it out of sight."""
    return (
        f"open http://127.0.0.1:{PORT}/ — press Ctrl-C to stop\n"
        f"[run] demo accounts:\n{accounts_text()}\n"
        f"[run] API token of {DEMO_USER.email} (read and write, development only): "
        f"{DEMO_API_TOKEN}  — docs at http://127.0.0.1:{PORT}/api/v1/docs/"
    )


def say(message: str) -> None:
    """Print, unless the terminal is gone (after SIGHUP a write fails, and must not stop us)."""
    with contextlib.suppress(OSError, ValueError):
        print(f"[run] {message}", flush=True)


def child_setup(program: Program, runner: int):
    """What the child does between fork and exec (async-signal-safe enough: no locks taken)."""

    def setup() -> None:
        if _libc is not None:
            if _libc.prctl(PR_SET_PDEATHSIG, int(program.death_signal), 0, 0, 0) != 0:
                os._exit(126)
            if os.getppid() != runner:  # the runner died before the request took effect
                os._exit(1)
        if program.nice:
            os.nice(program.nice)

    return setup


def start(name: str) -> subprocess.Popen:
    program = PROGRAMS[name]
    say(f"starting {name}: {' '.join(program.command[1:])}")
    return subprocess.Popen(
        program.command,
        cwd=ROOT,
        env={**os.environ, "WORKER_HEARTBEAT_DIR": str(HEARTBEATS)},
        start_new_session=True,
        preexec_fn=child_setup(program, os.getpid()),  # safe: the runner has one thread
    )


def silent_for(name: str, started: float, now: float) -> float | None:
    """How long the worker ``name``, started at ``started``, has taken no task, when that is
    past its limit (the start-up grace before its first task, STALE after); None while it is
    fine, or for a program that is not a worker. Wall-clock times, as the files' are."""
    queue = PROGRAMS[name].queue
    if queue is None:
        return None
    try:
        last = (HEARTBEATS / queue).stat().st_mtime
    except FileNotFoundError:
        last = 0.0
    if last < started:  # nothing taken since this start (the file may be older)
        return now - started if now - started > START_GRACE else None
    return now - last if now - last > STALE else None


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the child's process group: its main process and whatever it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)  # the main process only
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline and any(p.poll() is None for p in processes.values()):
        time.sleep(0.05)
    for name, process in processes.items():
        if process.poll() is None:
            say(f"{name} still running after {GRACE:.0f} s; killing it")
        kill_group(process)  # also any pool process left behind by a main that has exited
    for process in processes.values():
        process.wait()


def main() -> int:
    stopping: list[str] = []

    def on_signal(signum, frame):  # noqa: ARG001
        stopping.append(signal.Signals(signum).name)

    # Before the first child exists, so that no signal finds a child the runner cannot stop.
    for signum in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    processes: dict[str, subprocess.Popen] = {}
    started: dict[str, float] = {}
    restart_at: dict[str, float] = {}
    HEARTBEATS.mkdir(parents=True, exist_ok=True)
    next_look = 0.0  # at the heartbeat files
    try:
        for name in PROGRAMS:
            if stopping:
                break
            processes[name], started[name] = start(name), time.time()
        say(banner())
        while not stopping:
            time.sleep(TICK)
            look = time.monotonic() >= next_look
            if look:
                next_look = time.monotonic() + 1.0
            for name, process in list(processes.items()):
                if stopping:
                    break
                if name in restart_at:
                    if time.monotonic() >= restart_at[name]:
                        del restart_at[name]
                        processes[name], started[name] = start(name), time.time()
                    continue
                code = process.poll()
                if code is None:
                    silent = silent_for(name, started[name], time.time()) if look else None
                    if silent is not None:
                        say(f"{name} took no task for {silent:.0f} s; killing it")
                        kill_group(process)  # SIGKILL: a frozen worker may ignore SIGTERM
                    continue
                kill_group(process)  # pool processes of a worker that died
                if name == "web":
                    say(f"the web server exited ({code}); stopping")
                    stopping.append("web exit")
                    break
                say(f"{name} exited ({code}); restarting in {RESTART_PAUSE:.0f} s")
                restart_at[name] = time.monotonic() + RESTART_PAUSE
    finally:
        say(f"stopping ({stopping[0] if stopping else 'error'})…")
        stop_all(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
