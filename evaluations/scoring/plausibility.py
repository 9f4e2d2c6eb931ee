"""Plausibility warnings (PRODUCT.md section 8): values that are valid but look like a mistake.

A value above its indicator's plausible maximum (logistics costs of 75 % of revenue, a product
cycle of five years) or an entry whose values are all zero is accepted and scored as usual; the
warning asks the person to check it. The form asks them to confirm, the ``score`` command lists
the warnings, the API wants ``confirm_warnings``. Messages are plain English and name the value
and the range, so they can be read without the form around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .specs import SchemeSpec, fmt
from .validation import _parse_value


@dataclass(frozen=True, slots=True)
class PlausibilityWarning:
    """One warning: ``field`` is an indicator code, or ``"values"`` for the entry as a whole;
    ``value`` and ``limit`` let a page say it in its own words and language."""

    field: str
    message: str
    value: float | None = None
    limit: float | None = None

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def plausibility_warnings(
    scheme: SchemeSpec, values: Mapping[str, object]
) -> list[PlausibilityWarning]:
    """Warnings for ``values`` (the mapping ``score()`` takes), in the scheme's indicator order.

    Only values that are numbers are judged: None (not available), absent keys and invalid
    values are for ``validate_values`` to report, so this never raises on bad input.
    """
    warnings: list[PlausibilityWarning] = []
    given: list[float] = []
    for ind in scheme.indicators:
        raw = values.get(ind.code)
        if raw is None:
            continue
        value, problem = _parse_value(raw)
        if value is None or problem:
            continue
        given.append(value)
        if ind.plausible_max is not None and value > float(ind.plausible_max):
            warnings.append(
                PlausibilityWarning(
                    ind.code,
                    f"{fmt(value)} is above the plausible range of {fmt(float(ind.min_value))} "
                    f"to {fmt(float(ind.plausible_max))}; please check the value and its unit.",
                    value,
                    float(ind.plausible_max),
                )
            )
    if given and all(value == 0.0 for value in given):
        count = "the only value given is" if len(given) == 1 else f"all {len(given)} values are"
        warnings.append(
            PlausibilityWarning(
                "values",
                f"{count} 0; please check that the entry is complete (mark a value you do not "
                "have as not available rather than 0).",
            )
        )
    return warnings
