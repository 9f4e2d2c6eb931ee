"""What the product says about its own numbers: guidance per indicator (what to measure, what to
include and exclude, a worked example, typical evidence, where each bound comes from) and the
methodology page's texts. Both are data, in English and Chinese, shipped with the code
(``evaluations/data/indicator_guidance.json`` and ``methodology.json``; their sources are logged
in ``docs/indicator-sources.md``), read once when this module is imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

DATA = Path(__file__).resolve().parent / "data"
_INDICATORS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "indicator_guidance.json").read_text(encoding="utf-8")
)
_METHODOLOGY: dict[str, Any] = json.loads((DATA / "methodology.json").read_text(encoding="utf-8"))


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _localized(data: dict[str, Any]) -> dict[str, Any]:
    """The same keys, each holding the text of the active language (``key_zh`` under Chinese)."""
    zh = _chinese()
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_zh"):
            continue
        if isinstance(value, dict):
            out[key] = _localized(value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[key] = [_localized(item) for item in value]
        else:
            out[key] = data.get(f"{key}_zh", value) if zh else value
    return out


def indicator_guidance(code: str) -> dict[str, Any] | None:
    """The guidance of one indicator in the active language, or None for an unknown one."""
    data = _INDICATORS.get(code)
    return None if data is None else {"code": code, **_localized(data)}


def methodology() -> dict[str, Any]:
    return _localized(_METHODOLOGY)
