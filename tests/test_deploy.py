"""The production process definitions agree: the Procfile, the systemd units in
``deploy/systemd/`` and the runner of ``make run`` start the same worker per queue."""

import re
from pathlib import Path

from core.dispatch import QUEUES
from scripts import run

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "deploy" / "systemd"


def procfile_worker(queue: str) -> str:
    [line] = [
        line
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith(f"worker-{queue}:")
    ]
    return re.sub(r"\$\{\w+:-(\w+)\}", r"\1", line)  # a variable's default


def systemd_options(queue: str) -> dict[str, str]:
    text = (SYSTEMD / f"worker-{queue}.env").read_text()
    return dict(re.findall(r"^(\w+)=(.*)$", text, re.MULTILINE))


def option(command: str, name: str) -> str | None:
    found = re.search(rf"{name}[ =](\S+)", command)
    return found.group(1) if found else None


def test_every_queue_has_the_same_worker_everywhere():
    for queue in QUEUES:
        procfile = procfile_worker(queue)
        runner = " ".join(run.PROGRAMS[f"worker-{queue}"].command)
        systemd = systemd_options(queue)["WORKER_OPTIONS"]
        assert f" -Q {queue} " in procfile and f" -Q {queue} " in runner
        concurrency = option(procfile, "--concurrency")
        assert concurrency == option(runner, "-c") == option(systemd, "--concurrency"), queue
        tasks = option(procfile, "--max-tasks-per-child")
        assert (
            tasks
            == option(runner, "--max-tasks-per-child")
            == option(systemd, "--max-tasks-per-child")
        )
        nice = option(procfile, "nice -n") or "0"
        assert (
            int(nice)
            == run.PROGRAMS[f"worker-{queue}"].nice
            == int(systemd_options(queue).get("WORKER_NICE", "0"))
        )
    assert option(procfile_worker("reports"), "--max-tasks-per-child") == "20"


def test_systemd_restarts_a_worker_and_checks_that_it_takes_tasks():
    unit = (SYSTEMD / "cbec-worker@.service").read_text()
    check = (SYSTEMD / "cbec-worker-check@.service").read_text()
    timer = (SYSTEMD / "cbec-worker-check@.timer").read_text()
    assert "Restart=always" in unit
    assert "Environment=WORKER_HEARTBEAT_DIR=/run/cbec-worker-%i" in unit
    assert "Environment=WORKER_HEARTBEAT_DIR=/run/cbec-worker-%i" in check
    assert "manage.py worker_alive --queue %i" in check
    assert "systemctl kill --signal=SIGKILL cbec-worker@%i.service" in check
    assert "OnUnitActiveSec=1min" in timer
