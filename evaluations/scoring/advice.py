"""Which advice applies to one evaluation, what each item changes, and how many points that
change wins, measured by the engine itself (PRODUCT.md section 6). Plain Python: the catalogue
arrives as plain ``Item`` values, so the pages, the reports and ``score --advice`` rank alike.

- A *value* item is one of several ways to reach its indicator's target, so the items of one
  indicator share one change and one what-if: the cohort's upper quartile when there is one and
  it is better, otherwise halfway from the (clamped) value to the best bound; a value beyond the
  worst bound starts from that bound, so the weakest indicators get advice too. An item that
  cites its own effect (``effect_to``) has a what-if of its own.
- A *checklist* item changes one checklist answer (to yes, or the share to 100 %) and has its own
  effect; an answer already given that way is never advised.
- A *measure* item applies to an indicator marked not available: advice without points.
- An *advice* item moves no scored input: advice without points.

Points are claimed only through an input the scheme scores: an item that cannot claim points (a
payment item, "measure this", a checklist item when the environmental score was typed) is listed
after every item with points. Items with points rank by points; ties go to the lower normalized
score, then to the Table 3 importance of the element the item serves. Items without points rank
by that importance. Items that depend on the profile apply only where the profile is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .checklist import ITEMS as CHECKLIST_ITEMS
from .checklist import environmental_checklist
from .engine import ScoreResult, score
from .specs import IndicatorSpec, SchemeSpec

ENV_CODE = "environmental_impact_score"
VALUE, CHECKLIST, MEASURE, ADVICE = "value", "checklist", "measure", "advice"
KINDS = (VALUE, CHECKLIST, MEASURE, ADVICE)
ANY, MANY_MARKETS_NO_COMPLIANCE, SOCIAL_OR_LIVE = "", "many_markets_no_compliance", "social_or_live"
MANY_MARKETS = 3
NO_GAIN = 1e-9
_CHECKLIST_KIND = {key: kind for key, kind, _factor in CHECKLIST_ITEMS}


@dataclass(frozen=True, slots=True)
class Item:
    """One catalogue item as the ranking needs it."""

    code: str
    kind: str
    indicator: str | None
    importance: int = 0  # Table 3 importance (out of 10) of the element it serves
    order: int = 0
    checklist_answer: str = ""
    profile_condition: str = ANY
    effect_to: float | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """What the enterprise said about itself; ``None`` for a profile not known at all."""

    operation_modes: frozenset[str]
    target_markets: int
    innovation_directions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Change:
    """The one input an item changes: an indicator code or a checklist answer's name."""

    input: str
    before: float | bool | None
    after: float | bool

    def as_dict(self) -> dict:
        return {"input": self.input, "from": self.before, "to": self.after}


@dataclass(frozen=True, slots=True)
class Ranked:
    item: Item
    change: Change | None  # None: advice without points
    points: float | None  # overall with the change minus overall without it
    normalized: float | None  # the served indicator's normalized score (ties)

    @property
    def shared(self) -> bool:
        """One of several alternatives sharing its indicator's what-if line."""
        return self.item.kind == VALUE and self.item.effect_to is None


def conditions(profile: Profile | None) -> set[str]:
    """The profile conditions that hold ("" always does); none more for an unknown profile."""
    holding = {ANY}
    if profile is None:
        return holding
    if profile.target_markets >= MANY_MARKETS and "compliance" not in profile.innovation_directions:
        holding.add(MANY_MARKETS_NO_COMPLIANCE)
    if profile.operation_modes & {"social", "live"}:
        holding.add(SOCIAL_OR_LIVE)
    return holding


def _normalized(spec: IndicatorSpec, x: float) -> float:
    return min(max((x - spec.worst) / (spec.best - spec.worst), 0.0), 1.0)


def indicator_target(
    spec: IndicatorSpec, value: float, upper_quartile: float | None = None
) -> float | None:
    """A realistic next value that always improves the normalized score, or None at the best
    bound already: the cohort's upper quartile when it is better, else halfway from the
    (clamped) value to the best bound."""
    s = _normalized(spec, value)
    if s >= 1.0:
        return None
    if upper_quartile is not None and _normalized(spec, upper_quartile) > s:
        return upper_quartile
    start = spec.worst if s <= 0.0 else value
    return start + (spec.best - start) / 2


def rank(
    scheme: SchemeSpec,
    values: Mapping[str, float | None],
    items: Iterable[Item],
    *,
    checklist: Mapping[str, object] | None = None,
    profile: Profile | None = None,
    upper_quartiles: Mapping[str, float] | None = None,
) -> list[Ranked]:
    """The items that apply, best first. ``values`` may hold None (not available);
    ``checklist`` is given only when the environmental score was computed from it."""
    base = score(scheme, values)
    results = {i.code: i for i in base.indicators}
    specs = {spec.code: spec for spec in scheme.indicators}
    holding = conditions(profile)
    quartiles = upper_quartiles or {}
    shared: dict[str, tuple[Change, float] | None] = {}

    def what_if(code: str, target: float) -> tuple[Change, float]:
        changed = score(scheme, {**values, code: target})
        return Change(code, values[code], target), changed.overall - base.overall

    def indicator_change(code: str) -> tuple[Change, float] | None:
        if code not in shared:
            target = indicator_target(specs[code], values[code], quartiles.get(code))
            shared[code] = None if target is None else what_if(code, target)
        return shared[code]

    ranked: list[Ranked] = []
    for item in items:
        if item.profile_condition not in holding:
            continue
        code = item.indicator
        known = code is not None and code in specs
        available = known and values.get(code) is not None
        normalized = results[code].normalized if known else None
        change: tuple[Change, float] | None = None
        if item.kind == VALUE:
            if not available:
                continue  # not in this scheme, or not available: its "measure" item applies
            if item.effect_to is not None:
                own = _normalized(specs[code], item.effect_to) > results[code].normalized
                change = what_if(code, item.effect_to) if own else None
            else:
                change = indicator_change(code)
            if change is None:
                continue  # nothing left to gain on this indicator
        elif item.kind == MEASURE:
            if not known or available:
                continue
        elif item.kind == CHECKLIST:
            answer = checklist.get(item.checklist_answer) if checklist is not None else None
            if checklist is not None and _already_done(item.checklist_answer, answer):
                continue  # never advise what the enterprise already reports
            if checklist is not None and ENV_CODE in specs:
                change = _checklist_change(item.checklist_answer, checklist, base, scheme, values)
        if change is not None and change[1] <= NO_GAIN:
            change = None  # the scheme does not score the change (a weight of 0)
        ranked.append(
            Ranked(
                item,
                change[0] if change else None,
                change[1] if change else None,
                normalized,
            )
        )
    with_points = [r for r in ranked if r.points is not None]
    without = [r for r in ranked if r.points is None]
    with_points.sort(
        key=lambda r: (
            -r.points,
            r.normalized or 0.0,
            -r.item.importance,
            r.item.order,
            r.item.code,
        )
    )
    without.sort(key=lambda r: (-r.item.importance, r.item.order, r.item.code))
    return with_points + without


def _already_done(answer_name: str, answer: object) -> bool:
    if _CHECKLIST_KIND.get(answer_name) == "yes":
        return answer is True
    return isinstance(answer, int | float) and not isinstance(answer, bool) and answer >= 100


def _checklist_change(
    name: str,
    checklist: Mapping[str, object],
    base: ScoreResult,
    scheme: SchemeSpec,
    values: Mapping[str, float | None],
) -> tuple[Change, float]:
    after: float | bool = True if _CHECKLIST_KIND[name] == "yes" else 100.0
    total = environmental_checklist({**checklist, name: after}).total
    changed = score(scheme, {**values, ENV_CODE: total})
    return Change(name, checklist.get(name), after), changed.overall - base.overall
