"""What the JSON text interfaces (``score``, ``ahp``) share: reading a document, refusing it.

Bad input is a ``CommandError`` with exit status 2 whose message names each bad field on a line
of its own, never a traceback, so scripts can rely on the exit status alone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.core.management.base import CommandError

BAD_INPUT = 2


def field_name(key: str) -> str:
    """A key as the message shows it: quoted when bare it would be invisible or span lines."""
    if key and key.isprintable() and key == key.strip():
        return key
    return json.dumps(key)


def bad(lines: Iterable[str]) -> CommandError:
    return CommandError("invalid input:\n  " + "\n  ".join(lines), returncode=BAD_INPUT)


def bad_fields(errors: dict[str, str]) -> CommandError:
    return bad(f"{field_name(key)}: {message}" for key, message in errors.items())


def load_object(file: str, keys: Sequence[str], example: str) -> dict:
    """The parsed JSON object in ``file`` ("-": standard input), with no key outside ``keys``.

    NaN and Infinity literals parse; the engine then names the field that holds one.
    """
    name = "standard input" if file == "-" else file
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise bad([f"{name}: cannot be read ({reason})"]) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise bad([f"{name}: not valid JSON ({error})"]) from None
    if not isinstance(data, dict):
        raise bad([f"{name}: must be a JSON object like {example}"])
    unknown = [key for key in data if key not in keys]
    if unknown:
        expected = ", ".join(keys)
        raise bad(f"{field_name(key)}: unknown key (expected {expected})" for key in unknown)
    return data
