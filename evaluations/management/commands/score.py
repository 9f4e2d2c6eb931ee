"""``python manage.py score FILE.json`` (or ``-`` for standard input): PRODUCT.md section 3.

Input: ``{"values": {"logistics_cost": 12.5, ...}, "scheme": "ye-2025-table-4"}``; ``scheme``
is optional (the published default) and names the latest published version unless
``"scheme_version": n`` asks for another one. Output: the engine result's ``as_dict()`` as JSON on
standard output, floats unrounded. Bad input exits with status 2 and a message on standard error
naming every bad field, never a traceback, so scripts can rely on the exit status alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations import services
from evaluations.models import WeightScheme
from evaluations.scoring import ScoringError

KEYS = ("values", "scheme", "scheme_version")
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Score one set of indicator values under a weight scheme; prints the result as JSON."
    requires_system_checks: list[str] = []  # a scripting interface: nothing but the answer

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help='a JSON file, or "-" to read standard input')

    def handle(self, *args, file: str, **options) -> None:
        data = _load(file)
        errors: dict[str, str] = {}
        values = _values(data, errors)
        scheme = _scheme(data, errors)
        result = None
        if scheme is not None and values is not None:
            try:
                result = services.scheme_score(scheme=scheme, values=values)
            except ScoringError as error:
                errors.update(error.errors)
            # JSON strings are not numbers here, even when the engine could parse them.
            for code, value in values.items():
                if isinstance(value, str):
                    errors[code] = f"must be a JSON number, not a string (got {value!r})"
        if errors or result is None:
            raise _bad(f"{_name(key)}: {message}" for key, message in errors.items())
        self.stdout.write(json.dumps(result.as_dict(), indent=2, allow_nan=False))


def _name(key: str) -> str:
    """A key as the message shows it: quoted when bare it would be invisible or span lines."""
    if key and key.isprintable() and key == key.strip():
        return key
    return json.dumps(key)


def _bad(lines) -> CommandError:
    return CommandError("invalid input:\n  " + "\n  ".join(lines), returncode=BAD_INPUT)


def _load(file: str) -> dict:
    """The parsed input. NaN and Infinity literals parse, and the engine then names the field."""
    name = "standard input" if file == "-" else file
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise _bad([f"{name}: cannot be read ({reason})"]) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise _bad([f"{name}: not valid JSON ({error})"]) from None
    if not isinstance(data, dict):
        raise _bad([f'{name}: must be a JSON object like {{"values": {{...}}}}'])
    unknown = [key for key in data if key not in KEYS]
    if unknown:
        expected = ", ".join(KEYS)
        raise _bad(f"{_name(key)}: unknown key (expected {expected})" for key in unknown)
    return data


def _values(data: dict, errors: dict[str, str]) -> dict | None:
    if "values" not in data:
        errors["values"] = "is required: an object mapping indicator codes to numbers"
        return None
    values = data["values"]
    if not isinstance(values, dict):
        kind = type(values).__name__ if values is not None else "null"
        errors["values"] = f"must be an object mapping indicator codes to numbers (got {kind})"
        return None
    return values


def _scheme(data: dict, errors: dict[str, str]) -> WeightScheme | None:
    slug = data.get("scheme")
    version = data.get("scheme_version")
    # A NUL can be in no slug, and PostgreSQL refuses it even in a query.
    if slug is not None and (not isinstance(slug, str) or not slug or "\x00" in slug):
        errors["scheme"] = f"must be a scheme slug such as 'ye-2025-table-4' (got {slug!r})"
        return None
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            errors["scheme_version"] = f"must be a whole number from 1 (got {version!r})"
            return None
        if slug is None:
            errors["scheme_version"] = 'needs "scheme", the slug it is a version of'
            return None
    if slug is None:
        scheme = services.default_scheme()
        if scheme is None:
            errors["scheme"] = "there is no published default scheme; name one"
        return scheme
    scheme = services.scheme_by_slug(slug, version)
    if scheme is None:
        which = f"version {version} of {slug!r}" if version else repr(slug)
        errors["scheme"] = f"unknown scheme: no published {which}"
    return scheme
