"""Ranked, quantified advice for one run, from the catalogue (PRODUCT.md section 6).

Which items apply is data (``Recommendation`` rows: the indicator or dimension served, a profile
condition); this module only measures them. For each item a realistic next step is chosen
(the cohort's upper quartile for the indicator when the cohort is large enough, else halfway
from the value to the best bound), the run is re-scored with that one change by the same engine
(from the run's own snapshot), and items are ranked by

    priority = points won × (Table 3 importance of the element ÷ 10)

so a point won on policy and compliance (importance 10) counts more than one on collaboration (6).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core import caching
from evaluations import peers, selectors
from evaluations.models import EvaluationRun, Recommendation
from evaluations.models.recommendations import ProfileCondition
from evaluations.scoring import IndicatorSpec, scheme_from_dict, score

FORMULA = gettext_lazy("priority = points won × (Table 3 importance of the element ÷ 10)")
MANY_MARKETS = 3


@dataclass(frozen=True)
class Advice:
    item: Recommendation
    title: str
    advice: str
    actions: list[str]
    source: str
    gain: float  # overall points the what-if wins
    importance: int | None
    priority: float
    what_if: str
    target: float | None


def profile_conditions(enterprise) -> set[str]:
    """The profile conditions this enterprise meets ("" always holds), read once per call."""
    directions = set(enterprise.innovation_directions.values_list("code", flat=True))
    modes = set(enterprise.operation_modes.values_list("code", flat=True))
    holding = {ProfileCondition.ANY}
    if len(enterprise.target_markets) >= MANY_MARKETS and "compliance" not in directions:
        holding.add(ProfileCondition.MANY_MARKETS_NO_COMPLIANCE)
    if modes & {"social", "live"}:
        holding.add(ProfileCondition.SOCIAL_OR_LIVE)
    return holding


def _better(spec: IndicatorSpec, a: float, b: float) -> bool:
    """Is ``a`` better than ``b`` for this indicator?"""
    return a < b if spec.best < spec.worst else a > b


def realistic_target(spec: IndicatorSpec, value: float, cohort: list[float] | None) -> float:
    """The cohort's upper quartile (in the better direction) if it beats the value, else halfway
    from the value to the best bound."""
    if cohort:
        upper = peers.quantile(cohort, 0.25 if spec.best < spec.worst else 0.75)
        if _better(spec, upper, value):
            return upper
    return value + (spec.best - value) / 2


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"


def recommendations_for(
    run: EvaluationRun, limit: int | None = None, *, cohort=None
) -> list[Advice]:
    """The catalogue items that apply to this run, strongest first."""
    if run.status != EvaluationRun.Status.SUCCEEDED:
        return []
    scheme = scheme_from_dict(run.scheme_snapshot)
    specs = {spec.code: spec for spec in scheme.indicators}
    values = {code: float(value) for code, value in run.values.items()}
    base = score(scheme, values)
    normalized = {i.code: i.normalized for i in base.indicators}
    _dimensions, indicators = selectors.reference()
    items = Recommendation.objects.filter(is_active=True).select_related("indicator", "dimension")
    holding = profile_conditions(run.enterprise)
    gains: dict[str, tuple[float, float | None, str]] = {}

    def indicator_gain(code: str) -> tuple[float, float | None, str]:
        if code not in gains:
            spec = specs.get(code)
            if spec is None or normalized.get(code, 1.0) >= 1.0:
                gains[code] = (0.0, None, "")
            else:
                peers = cohort.indicators.get(code) if cohort is not None else None
                target = realistic_target(spec, values[code], peers)
                changed = score(scheme, {**values, code: target})
                gain = changed.overall - base.overall
                indicator = indicators.get(code)
                name = indicator.localized("name") if indicator else code
                unit = indicator.localized("unit") if indicator else ""
                text = _("bring %(name)s from %(old)s to %(new)s (%(unit)s): %(gain)s points") % {
                    "name": name.lower() if name.isascii() else name,
                    "old": _number(values[code]),
                    "new": _number(target),
                    "unit": unit,
                    "gain": f"+{gain:.1f}",
                }
                gains[code] = (gain, target, text)
        return gains[code]

    advice = []
    for item in items:
        if item.profile_condition not in holding:
            continue
        if item.indicator_id:
            gain, target, text = indicator_gain(item.indicator.code)
        else:
            codes = [c for c, spec in specs.items() if spec.dimension == item.dimension.code]
            moved = {c: realistic_target(specs[c], values[c], None) for c in codes}
            gain = score(scheme, {**values, **moved}).overall - base.overall
            target = None
            text = _("bring every %(dimension)s indicator halfway to its best: %(gain)s points") % {
                "dimension": item.dimension.localized("name"),
                "gain": f"+{gain:.1f}",
            }
        if gain <= 1e-9 and not item.profile_condition:
            continue  # no gap to close
        importance = item.element_importance
        priority = gain * (importance if importance is not None else 10) / 10
        advice.append(
            Advice(
                item=item,
                title=item.localized("title"),
                advice=item.localized("advice"),
                actions=item.action_lines(),
                source=item.source,
                gain=gain,
                importance=importance,
                priority=priority,
                what_if=text,
                target=target,
            )
        )
    advice.sort(key=lambda a: (-a.priority, -a.gain, a.item.order, a.item.code))
    return advice[:limit] if limit else advice


def shortlist(advice: list[Advice], *, per_target: int = 2, limit: int = 8) -> list[Advice]:
    """The strongest items, at most ``per_target`` for one indicator or dimension, so the top of
    the page covers several gaps rather than one."""
    chosen, seen = [], {}
    for item in advice:
        key = item.item.indicator_id or f"d{item.item.dimension_id}"
        if seen.get(key, 0) < per_target:
            chosen.append(item)
            seen[key] = seen.get(key, 0) + 1
        if len(chosen) == limit:
            break
    return chosen


ADVICE_SECONDS = 300


def cached_recommendations(run: EvaluationRun, *, cohort=None) -> list[Advice]:
    """``recommendations_for`` kept a few minutes: a succeeded run never changes, so only the
    catalogue (an edit makes the ``advice`` namespace stale), the enterprise's profile, the
    language and the cohort (its size) can change the advice."""
    parts = (
        run.pk,
        run.enterprise.updated_at.timestamp(),
        get_language(),
        cohort.size if cohort is not None else 0,
    )
    return caching.get_or_build(
        "advice", parts, lambda: recommendations_for(run, cohort=cohort), timeout=ADVICE_SECONDS
    )
