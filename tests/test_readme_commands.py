"""Every line of README's "Commands" works as written on a machine that has run ``make run``.

The lines are read from README.md and run in a subprocess from the project root exactly as
written, except that ``.venv/bin/python`` becomes this interpreter. The machine after ``make run``
is rebuilt in a temporary directory: ``scripts/dev_env.py`` (the very script ``make run`` calls)
writes the ``.env`` the settings read (``DJANGO_ENV_FILE``), then ``migrate``,
``createcachetable`` and ``seed_demo`` run as ``make run`` runs them (Makefile, target ``run``),
on a SQLite database and a SQLite broker in the same directory. No subprocess gets
``DJANGO_DEBUG`` or ``DJANGO_SECRET_KEY`` from this process: they come from that ``.env`` alone,
as for a developer typing the command in a new shell.

``rescore --wait`` waits for workers, which ``make run`` runs. This test starts a real Celery
worker (so the case is marked ``services``) rather than making the tasks eager: with eager tasks
the command would finish even where no worker could ever take the job, which is the failure a
reader of the README would meet. The worker consumes the queue Celery routes the re-scoring
tasks to, whichever that is; that ``make run`` has a worker on every routed queue is for the
routes' own tests to hold.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.evaluations.worker import wait_until
from tests.isolation import isolated_environment

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f'README.md has no "## {title}" section'
    return match.group(1)


def readme_commands() -> list[list[str]]:
    """The command lines of the Commands section's code block, comments removed."""
    block = re.search(r"```sh\n(.*?)```", section("Commands"), re.S)
    assert block, 'README.md\'s "Commands" section has no ```sh block'
    commands = [shlex.split(line, comments=True) for line in block.group(1).splitlines()]
    return [argv for argv in commands if argv]


def demo_accounts() -> list[str]:
    """The accounts of README's demo table (The two commands)."""
    return re.findall(r"^\| `([^`]+@[^`]+)` \|", section("The two commands"), re.M)


def check_score(out: str) -> None:
    result = json.loads(out)
    assert isinstance(result["overall"], float) and 0 <= result["overall"] <= 100
    assert result["grade"] and result["dimensions"] and result["indicators"]


def check_rescore(out: str) -> None:
    last = out.strip().splitlines()[-1]
    match = re.fullmatch(r"job \d+ done: ([\d,]+)/([\d,]+) \(100 %\)", last)
    assert match and match.group(1) == match.group(2) != "0", out


def check_seed_demo(out: str) -> None:
    assert "Demo data ready." in out
    accounts = demo_accounts()
    assert len(accounts) == 5, accounts
    for account in accounts:
        assert f"{account} / cbec-demo-2026" in out, f"{account} not printed"


def check_seed_bench(out: str) -> None:
    assert re.match(r"(Seeded|Bench data already there:) [\d,]+ enterprises", out), out


CHECKS: dict[str, Callable[[str], None]] = {
    "score": check_score,
    "rescore": check_rescore,
    "seed_demo": check_seed_demo,
    "seed_bench": check_seed_bench,
}


def cases() -> list:
    """One case per README line, named after its command; the one that starts a worker is
    marked ``services``."""
    return [
        pytest.param(
            argv,
            id=argv[2] if len(argv) > 2 else " ".join(argv),
            marks=[pytest.mark.services] if argv[2:3] == ["rescore"] else [],
        )
        for argv in readme_commands()
    ]


@pytest.fixture(scope="module")
def machine(tmp_path_factory) -> dict[str, str]:
    """The environment of a shell on a machine that has run ``make run``, all in a temp dir."""
    var_dir = tmp_path_factory.mktemp("readme")
    env = isolated_environment(var_dir, DJANGO_ENV_FILE=str(var_dir / ".env"))
    assert "DJANGO_DEBUG" not in env and "DJANGO_SECRET_KEY" not in env
    steps = [
        ["scripts/dev_env.py"],
        ["manage.py", "migrate", "--no-input"],
        ["manage.py", "createcachetable"],
        ["manage.py", "seed_demo"],
    ]
    for step in steps:
        result = subprocess.run(
            [sys.executable, *step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"{step}: {result.stdout}{result.stderr}"
    assert (var_dir / ".env").read_text().count("DJANGO_SECRET_KEY=") == 1
    return env


@contextlib.contextmanager
def worker_for_rescore(env: dict[str, str], log: Path):
    """A real worker (as make run starts them) on the queue the re-scoring tasks go to."""
    from cbec_site.celery import app
    from evaluations import tasks

    queues = {
        app.amqp.router.route({}, task.name)["queue"].name
        for task in (tasks.rescore_start, tasks.rescore_chunk)
    }
    command = [sys.executable, "-m", "celery", "-A", "cbec_site", "worker", "-l", "INFO"]
    command += ["-Q", ",".join(sorted(queues)), "-n", "readme@%h", "-c", "1"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: process.poll() is None and b" ready." in log.read_bytes(),
            timeout=60,
            interval=0.1,
            describe=lambda: log.read_text(errors="replace")[-3000:],
        )
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its pool too; nothing of it is kept
        process.wait(timeout=30)


@pytest.mark.parametrize("argv", cases())
def test_readme_command_works_as_written(argv, machine, tmp_path):
    assert argv[:2] == [".venv/bin/python", "manage.py"], argv
    name = argv[2]
    assert name in CHECKS, f"README has a new command, {name!r}: add its check here"
    with contextlib.ExitStack() as stack:
        if name == "rescore":
            assert "--wait" in argv, "without --wait there is nothing to check but an id"
            stack.enter_context(worker_for_rescore(machine, tmp_path / "worker.log"))
        result = subprocess.run(
            [sys.executable, *argv[1:]],
            cwd=ROOT,
            env=machine,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    CHECKS[name](result.stdout)
