#!/usr/bin/env python
"""Writes the development ``.env`` of ``make run``, unless there is one already.

It holds ``DJANGO_DEBUG=true`` and a freshly generated ``DJANGO_SECRET_KEY``, so that a
``manage.py`` command typed in the shell (README, Commands) gets the same development settings as
the processes ``make run`` starts. An existing file is never changed. ``DJANGO_ENV_FILE`` names
another file, read the same way by the settings (the tests write theirs in a temporary directory).
Only the standard library: it runs before Django is set up.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_file() -> Path:
    """The file the settings read (cbec_site/settings.py: ENV_FILE)."""
    return ROOT / os.environ.get("DJANGO_ENV_FILE", ".env")


def content() -> str:
    return (
        "# Written by `make run` (scripts/dev_env.py) for development on this machine only;\n"
        "# git ignores it. Real environment variables win over these lines.\n"
        "DJANGO_DEBUG=true\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
    )


def main() -> int:
    path = env_file()
    try:
        # O_EXCL: never overwrite, even a file created a moment ago; 0600: it holds a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"[env] {path} exists; left as it is")
        return 0
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(content())
    print(f"[env] wrote {path}: DJANGO_DEBUG=true and a new development DJANGO_SECRET_KEY")
    return 0


if __name__ == "__main__":
    sys.exit(main())
