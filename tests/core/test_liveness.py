"""The heartbeat file per queue, and ``manage.py worker_alive``, the liveness probe reading it.

The runner of ``make run`` reads the same files (``tests/scripts/test_run.py`` freezes a worker
and watches it started again).
"""

import os
import re
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from celery.signals import task_prerun
from django.core.management import call_command
from django.core.management.base import CommandError

from core import liveness
from core.tasks import heartbeat
from evaluations.tasks import render_report, run_evaluation
from tests.isolation import isolated_environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def heartbeats(tmp_path, settings):
    settings.WORKER_HEARTBEAT_DIR = str(tmp_path / "run")
    return tmp_path / "run"


def worker_alive(queue: str, **options) -> str:
    """The command's output; CommandError (carrying the exit status) when the check fails."""
    out = StringIO()
    call_command("worker_alive", queue=queue, stdout=out, **options)
    return out.getvalue().strip()


def test_the_heartbeat_touches_its_queue_s_file(heartbeats):
    heartbeat.run("reports")
    assert sorted(path.name for path in heartbeats.iterdir()) == ["reports"]
    assert liveness.file_age("reports") < 5
    assert liveness.file_age("mail") is None


def started_by_a_worker(task, queue: str, *, eager: bool = False) -> None:
    """What a worker's pool process does as it starts ``task`` taken from ``queue``."""
    task.push_request(delivery_info={"routing_key": queue}, is_eager=eager)
    try:
        task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    finally:
        task.pop_request()


def test_any_task_a_worker_starts_touches_its_queue_s_file(heartbeats):
    """A worker busy with a backlog reaches beat's heartbeat late: each task it starts counts."""
    started_by_a_worker(render_report, "reports")
    assert [path.name for path in heartbeats.iterdir()] == ["reports"]
    started_by_a_worker(run_evaluation, "evaluations", eager=True)
    assert [path.name for path in heartbeats.iterdir()] == ["reports"]  # eager: no worker


def test_a_queue_name_never_leaves_the_directory(heartbeats):
    assert liveness.heartbeat_file("../../etc/passwd") is None
    liveness.touch("../escape")
    assert not heartbeats.exists() and not (heartbeats.parent / "escape").exists()


def test_worker_alive_passes_while_the_worker_takes_tasks(heartbeats):
    liveness.touch("mail")
    assert worker_alive("mail") == "mail: a worker took a task 0 s ago"


def test_worker_alive_fails_for_a_worker_that_took_no_task(heartbeats, settings):
    with pytest.raises(CommandError, match=r"mail: no worker has taken a task yet") as failed:
        worker_alive("mail")
    assert failed.value.returncode == 1

    liveness.touch("mail")
    limit = settings.WORKER_STALE_AFTER.total_seconds()
    then = time.time() - limit - 5
    os.utime(heartbeats / "mail", (then, then))
    with pytest.raises(CommandError, match=rf"no task taken for {limit + 5:.0f} s") as failed:
        worker_alive("mail")
    assert failed.value.returncode == 1
    assert worker_alive("mail", max_age=limit + 60).startswith("mail: a worker took a task")


def test_worker_alive_needs_the_worker_s_directory(settings):
    settings.WORKER_HEARTBEAT_DIR = ""
    with pytest.raises(CommandError, match="WORKER_HEARTBEAT_DIR is not set") as failed:
        worker_alive("reports")
    assert failed.value.returncode == 2


def test_worker_alive_exit_status_as_a_probe_sees_it(tmp_path):
    """As systemd or Kubernetes runs it: a fresh interpreter, the status is the answer."""
    env = isolated_environment(
        tmp_path, DJANGO_DEBUG="true", WORKER_HEARTBEAT_DIR=str(tmp_path / "run")
    )
    command = [sys.executable, "manage.py", "worker_alive", "--queue", "reports"]

    def status() -> tuple[int, str]:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        return done.returncode, (done.stdout + done.stderr).strip()

    code, output = status()
    assert (code, output) == (
        1,
        f"CommandError: reports: no worker has taken a task yet ({tmp_path / 'run' / 'reports'})",
    )
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "reports").touch()
    code, output = status()
    assert code == 0
    assert re.fullmatch(r"reports: a worker took a task \d+ s ago", output)
