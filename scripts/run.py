#!/usr/bin/env python
"""Runs the web server, a Celery worker and Celery beat side by side, as `make run` needs.

A worker or beat that dies is started again (after a short pause); Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = os.environ.get("PORT", "8000")
PY = sys.executable

COMMANDS = {
    "web": [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
    "worker": [PY, "-m", "celery", "-A", "cbec_site", "worker", "-l", "INFO", "-c", "2"],
    "beat": [PY, "-m", "celery", "-A", "cbec_site", "beat", "-l", "INFO"],
}
RESTART_PAUSE = 2.0


def start(name: str) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(COMMANDS[name][1:])}", flush=True)
    return subprocess.Popen(COMMANDS[name], cwd=ROOT, start_new_session=True)


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    processes = {name: start(name) for name in COMMANDS}
    print(f"[run] open http://127.0.0.1:{PORT}/ — press Ctrl-C to stop", flush=True)
    stopping = False

    def on_signal(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stopping:
            time.sleep(0.5)
            for name, process in list(processes.items()):
                code = process.poll()
                if code is None or stopping:
                    continue
                if name == "web":
                    print(f"[run] the web server exited ({code}); stopping", flush=True)
                    stopping = True
                    break
                print(
                    f"[run] {name} exited ({code}); restarting in {RESTART_PAUSE:.0f} s", flush=True
                )
                time.sleep(RESTART_PAUSE)
                processes[name] = start(name)
    finally:
        print("[run] stopping…", flush=True)
        stop_all(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
