"""``scripts/run.py`` (the runner of ``make run``) leaves no process behind, however it ends.

The runner is started as ``make run`` starts it, but in its own session, on a free port, with
every file in a temporary directory (``DJANGO_VAR_DIR``: the SQLite database, the broker, beat's
schedule) and no ``.env`` read. Once the web server answers and the five children (web, three
workers, beat) are up with their pool processes, the runner gets SIGHUP (the terminal closed),
SIGINT (Ctrl-C) or SIGKILL. Within 5 s no process of its tree may remain and the port must be
free again. The tree is collected from ``/proc`` while it runs (the children of every thread,
``/proc/<pid>/task/*/children``, recursively), each process known by its pid and start time, so
that a recycled pid is never taken for a survivor; a zombie counts as gone (it runs nothing and
holds no port; reaping it is its new parent's business). A test kills a worker from outside:
it is started again without its old pool, and SIGTERM to the runner then stops everything too.
A last one freezes a worker by killing its pool process: its heartbeat file goes stale and the
runner kills and restarts it. The times are printed (``pytest -s``; the last test's in the figures).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.evaluations.worker import free_port, wait_until
from tests.isolation import isolated_environment

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 5.0
QUEUES = {"evaluations": 2, "reports": 1, "mail": 1}  # queue: pool processes
CHILDREN = 1 + len(QUEUES) + 1  # web, a worker per queue, beat


def environment(var_dir: Path, port: int, **variables: str) -> dict[str, str]:
    return isolated_environment(var_dir, DJANGO_DEBUG="true", PORT=str(port), **variables)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """A migrated database with its cache table, as make run prepares before the runner."""
    path = tmp_path_factory.mktemp("run-var")
    env = environment(path, 0)
    for command in (["migrate", "--no-input"], ["createcachetable"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return path


# --- /proc ------------------------------------------------------------------------------------


def stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, nice, start time) of ``pid``, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)", which may hold spaces
    return fields[0], int(fields[1]), int(fields[16]), int(fields[19])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def tree(root: int) -> dict[int, tuple[int, int]]:
    """Every living process under ``root`` (itself included): pid -> (start time, depth)."""
    found: dict[int, tuple[int, int]] = {}
    todo = [(root, 0)]
    while todo:
        pid, depth = todo.pop()
        info = stat(pid)
        if info is None or info[0] == "Z" or pid in found:
            continue
        found[pid] = (info[3], depth)
        todo += [(child, depth + 1) for child in children(pid)]
    return found


def survivors(processes: dict[int, tuple[int, int]]) -> list[int]:
    """Those of ``processes`` still running: same pid and start time, not a zombie."""
    alive = []
    for pid, (started, _) in processes.items():
        info = stat(pid)
        if info is not None and info[3] == started and info[0] != "Z":
            alive.append(pid)
    return alive


def command_line(pid: int) -> str:
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return "(gone)"


# --- the runner -------------------------------------------------------------------------------


def answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status > 0
    except OSError:
        return False
    finally:
        connection.close()


def health(port: int) -> tuple[int, dict]:
    """/healthz's status and JSON body (0 and {} while the server does not answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    except (OSError, ValueError):
        return 0, {}
    finally:
        connection.close()


def port_free(port: int) -> bool:
    """A new server could listen on it (as runserver would: SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Run:
    """The runner started as ``make run`` starts it, with everything in ``var_dir``."""

    def __init__(self, var_dir: Path, log: Path, **variables: str) -> None:
        self.port = free_port()
        self.log = log
        self.seen: dict[int, tuple[int, int]] = {}  # every process of the tree, for clean-up
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "scripts/run.py"],
                cwd=ROOT,
                env=environment(var_dir, self.port, **variables),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def tree(self) -> dict[int, tuple[int, int]]:
        found = tree(self.process.pid)
        self.seen.update(found)
        return found

    def children(self) -> dict[int, str]:
        """The runner's children: pid -> command line."""
        return {pid: command_line(pid) for pid, (_, d) in self.tree().items() if d == 1}

    def up(self, ready: int = len(QUEUES)) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the runner exited ({self.process.returncode}):\n{self.text()}")
        everyone = self.tree()
        return (
            self.text().count(" ready.") >= ready
            and sum(depth == 1 for _, depth in everyone.values()) == CHILDREN
            and sum(depth == 2 for _, depth in everyone.values()) == sum(QUEUES.values())
            and answers(self.port)
        )

    def wait_up(self, ready: int = len(QUEUES)) -> float:
        return wait_until(
            lambda: self.up(ready),
            timeout=60,
            interval=0.2,
            describe=lambda: self.text()[-3000:],
        )

    def stop(self, signum: signal.Signals) -> float:
        """Send ``signum`` to the runner; the seconds until no process of its tree is left and
        the port is free (AssertionError after DEADLINE)."""
        processes = self.tree()
        sent = time.monotonic()
        os.kill(self.process.pid, signum)
        wait_until(
            lambda: not survivors(processes) and port_free(self.port),
            timeout=DEADLINE,
            describe=lambda: (
                "Still running: "
                + "; ".join(f"{pid} {command_line(pid)}" for pid in survivors(processes))
            ),
        )
        took = time.monotonic() - sent
        self.process.wait(timeout=5)
        if signum != signal.SIGKILL:
            assert self.process.returncode == 0, self.text()
        return took

    def close(self) -> None:
        for pid in survivors(self.seen) if self.seen else [self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


@pytest.fixture
def run(var_dir, tmp_path):
    runner = Run(var_dir, tmp_path / "run.log")
    try:
        yield runner
    finally:
        runner.close()


@pytest.mark.parametrize(
    "signum", [signal.SIGHUP, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name
)
def test_no_process_survives_the_runner(signum, run, var_dir):
    started = run.wait_up()
    processes = run.tree()
    workers = {pid: line for pid, line in run.children().items() if " worker " in line}
    for queue, concurrency in QUEUES.items():
        [line] = [line for line in workers.values() if f" -Q {queue} " in line]
        assert f" -n {queue}@%h " in line and f" -c {concurrency}" in line
    [reports] = [pid for pid, line in workers.items() if " -Q reports " in line]
    assert " --max-tasks-per-child 20" in workers[reports]  # a fresh pool process for PDFs
    assert stat(reports)[2] == min(19, stat(run.process.pid)[2] + 10)  # a lower CPU priority
    assert (var_dir / "celerybeat-schedule").exists()  # beat writes there, not in var/

    took = run.stop(signum)
    print(
        f"\n{signum.name}: {len(processes)} processes (the runner, {CHILDREN} children, "
        f"{len(processes) - 1 - CHILDREN} pool processes) up after {started:.1f} s; "
        f"none left and the port free {took:.2f} s after the signal"
    )


def test_a_dead_worker_is_started_again_and_sigterm_stops_all(run):
    """The runner's reason to exist (honcho would stop everything): a worker killed from outside
    is started again, and the pool processes of the dead one do not linger."""
    run.wait_up()
    [mail] = [pid for pid, line in run.children().items() if " -Q mail " in line]
    dead = tree(mail)
    assert len(dead) == 1 + QUEUES["mail"]  # its main process and its pool process
    os.kill(mail, signal.SIGKILL)
    wait_until(
        lambda: not survivors(dead),
        timeout=DEADLINE,
        describe=lambda: f"left of the killed worker: {survivors(dead)}",
    )
    restarted = run.wait_up(ready=len(QUEUES) + 1)  # a new "mail@… ready."
    assert "worker-mail exited (-9); restarting" in run.text()
    assert mail not in run.children()

    took = run.stop(signal.SIGTERM)
    print(f"\nworker restarted after {restarted:.1f} s; SIGTERM: none left after {took:.2f} s")


STALE = 6  # seconds without a task before the runner kills a worker (240 outside this test)


def test_a_worker_that_takes_no_task_is_killed_and_started_again(var_dir, tmp_path, figures):
    """A worker whose pool process is killed freezes (on the embedded broker): its pool process
    waits for a job holding the lock of the pool's one job pipe, and the one started in its place
    waits for that lock forever; the main process lives on and takes nothing. Beat's heartbeat
    reaches each queue's worker every second, which touches its queue's file; the frozen one's
    goes stale, and the runner SIGKILLs its process group and starts it again. Meanwhile
    /healthz reports each queue."""
    heartbeats = var_dir / "run"

    def fresh(queue: str, since: float) -> bool:
        path = heartbeats / queue
        return path.exists() and path.stat().st_mtime > since

    since = time.time()
    run = Run(
        var_dir,
        tmp_path / "run.log",
        WORKER_HEARTBEAT_EVERY_SECONDS="1",
        WORKER_STALE_SECONDS=str(STALE),
    )
    try:
        run.wait_up()
        wait_until(
            lambda: all(fresh(queue, since) for queue in QUEUES),
            timeout=60,
            describe=lambda: f"{sorted(heartbeats.glob('*'))}\n{run.text()[-3000:]}",
        )
        wait_until(
            lambda: health(run.port)[0] == 200, timeout=30, describe=lambda: str(health(run.port))
        )
        assert health(run.port)[1]["workers"] == dict.fromkeys(QUEUES, True)

        [mail] = [pid for pid, line in run.children().items() if " -Q mail " in line]
        frozen = tree(mail)
        [pool] = [pid for pid, (_, depth) in frozen.items() if depth == 1]
        os.kill(pool, signal.SIGKILL)  # as the OOM killer would
        killed_at = time.time()
        killed = wait_until(
            lambda: "worker-mail took no task for" in run.text(),
            timeout=STALE + 30,
            describe=lambda: run.text()[-3000:],
        )
        before = run.text().split("worker-mail took no task for")[0]
        assert "worker-mail exited" not in before  # it was alive all along, and took nothing
        wait_until(
            lambda: not survivors(frozen),
            timeout=DEADLINE,
            describe=lambda: f"left of the frozen worker: {survivors(frozen)}",
        )
        taking = wait_until(
            lambda: fresh("mail", killed_at), timeout=60, describe=lambda: run.text()[-3000:]
        )
        assert mail not in run.children()
        assert "worker-mail exited (-9); restarting" in run.text()
        assert all(fresh(queue, killed_at) for queue in ("evaluations", "reports"))  # untouched
        took = run.stop(signal.SIGTERM)
    finally:
        run.close()
    figures(
        "runner: a worker frozen by its killed pool process",
        stale_limit_s=STALE,
        restarted_after_s=killed,
        taking_tasks_again_after_s=taking,
        sigterm_stops_all_s=took,
    )
