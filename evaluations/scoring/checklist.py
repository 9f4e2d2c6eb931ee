"""The built-in environmental checklist of PRODUCT.md section 3, with its arithmetic shown.

The paper's sustainability practices (section 3.4: green packaging, green logistics, energy
conservation and emission reduction) become six answers worth at most 100 points together.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

# key, kind, factor: a share (%) earns factor x share; a yes earns factor points.
ITEMS: tuple[tuple[str, str, float], ...] = (
    ("green_packaging_pct", "share", 0.30),
    ("low_carbon_shipping_pct", "share", 0.25),
    ("emissions_reported", "yes", 15.0),
    ("reduction_target", "yes", 10.0),
    ("renewable_electricity_pct", "share", 0.10),
    ("returns_programme", "yes", 10.0),
)


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    key: str
    kind: str  # "share" or "yes"
    answer: float | bool
    factor: float
    points: float


@dataclass(frozen=True, slots=True)
class ChecklistResult:
    lines: tuple[ChecklistLine, ...]
    total: float


class ChecklistError(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def environmental_checklist(answers: dict[str, object]) -> ChecklistResult:
    """Adds up the checklist; a share must be a finite number from 0 to 100."""
    errors: dict[str, str] = {}
    lines = []
    for key, kind, factor in ITEMS:
        raw = answers.get(key)
        if kind == "yes":
            answer: float | bool = bool(raw)
            points = factor if answer else 0.0
        else:
            if raw is None or raw == "" or isinstance(raw, bool):
                errors[key] = "a percentage from 0 to 100 is required"
                continue
            try:
                answer = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                errors[key] = "not a number"
                continue
            if not math.isfinite(answer) or not 0 <= answer <= 100:
                errors[key] = "must be from 0 to 100"
                continue
            points = factor * answer
        lines.append(ChecklistLine(key, kind, answer, factor, points))
    if errors:
        raise ChecklistError(errors)
    return ChecklistResult(tuple(lines), sum(line.points for line in lines))


def complete_checklist(answers: dict[str, object]) -> ChecklistResult | None:
    """The checklist's result, or None while it is incomplete or has a bad answer (a draft)."""
    try:
        return environmental_checklist(answers)
    except ChecklistError:
        return None


def checklist_from_json(answers: Mapping[str, object]) -> ChecklistResult:
    """The checklist from parsed JSON (the ``score`` command, the API): strict about types.

    All six answers are required and nothing else is allowed; a share must be a JSON number
    from 0 to 100 (not a string, not a boolean), a yes/no answer a JSON boolean: "false", 0
    and "no" would each read as something else to someone, so none of them is guessed at.
    """
    errors: dict[str, str] = {}
    known = {key for key, _, _ in ITEMS}
    for key in answers:
        if key not in known:
            errors[str(key)] = "unknown answer (expected " + ", ".join(sorted(known)) + ")"
    for key, kind, _ in ITEMS:
        if key not in answers:
            errors[key] = "is required: the checklist needs all six answers"
            continue
        raw = answers[key]
        if kind == "yes":
            if not isinstance(raw, bool):
                errors[key] = f"must be true or false (got {json_repr(raw)})"
        elif isinstance(raw, bool) or not isinstance(raw, int | float):
            errors[key] = f"must be a number from 0 to 100 (got {json_repr(raw)})"
        elif not (math.isfinite(raw) and 0 <= raw <= 100):
            errors[key] = f"must be from 0 to 100 (got {json_repr(raw)})"
    if errors:
        raise ChecklistError(errors)
    return environmental_checklist(dict(answers))


def json_repr(value: object) -> str:
    """A value as it was written in JSON, for a message (falls back to repr)."""
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
