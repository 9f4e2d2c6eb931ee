"""Advice for one evaluation, from the catalogue (PRODUCT.md section 6).

Which items apply and how they rank is ``evaluations.scoring.advice`` (plain Python, the
engine measuring every change); this module feeds it the catalogue rows, the run's values and
checklist, the enterprise's profile and the cohort's upper quartiles, and gives each result its
words in the reader's language: the title, the advice, the actions, the what-if line, and the two
sources (the basis in the paper, and the practice the action comes from).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core import caching
from evaluations import formatting, peers, selectors
from evaluations.models import EvaluationRun, Indicator, Recommendation
from evaluations.models.recommendations import ChecklistAnswer
from evaluations.scoring import SchemeSpec, scheme_from_dict
from evaluations.scoring.advice import Change, Item, Profile, Ranked, rank

RULE = gettext_lazy(
    "Ranked by the points each change wins, computed by the same engine as the score; ties go "
    "to the indicator that scores lower, then to the Table 3 importance of the element the "
    "advice serves. Advice that moves no scored input comes after, by that importance."
)
ADVICE_SECONDS = 300


@dataclass(frozen=True)
class Advice:
    """A ranked item with everything a page or a report shows of it."""

    item: Recommendation
    ranked: Ranked
    what_if: str  # "" for advice without points

    @property
    def points(self) -> float | None:
        return self.ranked.points

    @property
    def change(self) -> Change | None:
        return self.ranked.change

    @property
    def title(self) -> str:
        return self.item.localized("title")

    @property
    def advice(self) -> str:
        return self.item.localized("advice")

    @property
    def actions(self) -> list[str]:
        return self.item.action_lines()

    @property
    def basis(self) -> str:
        return self.item.localized("basis")

    @property
    def practice(self) -> str:
        return self.item.localized("practice")

    @property
    def importance(self) -> int | None:
        return self.item.element_importance


@dataclass(frozen=True)
class AdviceGroup:
    """One what-if line and the items that reach it: the alternatives for one indicator share
    a line; every other item stands alone."""

    what_if: str
    points: float | None
    items: list[Advice]


def catalogue_items(rows: Iterable[Recommendation]) -> list[Item]:
    return [
        Item(
            code=row.code,
            kind=row.kind,
            indicator=row.indicator.code if row.indicator_id else None,
            importance=row.element_importance or 0,
            order=row.order,
            checklist_answer=row.checklist_answer,
            profile_condition=row.profile_condition,
            effect_to=row.effect_to,
        )
        for row in rows
    ]


def active_catalogue() -> list[Recommendation]:
    return list(Recommendation.objects.filter(is_active=True).select_related("indicator"))


def enterprise_profile(enterprise) -> Profile:
    return Profile(
        operation_modes=frozenset(enterprise.operation_modes.values_list("code", flat=True)),
        target_markets=len(enterprise.target_markets),
        innovation_directions=frozenset(
            enterprise.innovation_directions.values_list("code", flat=True)
        ),
    )


def upper_quartiles(scheme: SchemeSpec, cohort) -> dict[str, float]:
    """Each indicator's upper quartile in its better direction, from a cohort summary."""
    if cohort is None:
        return {}
    found = {}
    for spec in scheme.indicators:
        grid = cohort.indicators.get(spec.code)
        if grid:
            found[spec.code] = peers.quantile(grid, 0.25 if spec.best < spec.worst else 0.75)
    return found


def advise(
    scheme: SchemeSpec,
    values: Mapping[str, float | None],
    rows: list[Recommendation],
    *,
    checklist: Mapping[str, object] | None = None,
    profile: Profile | None = None,
    cohort=None,
    indicators: Mapping[str, Indicator] | None = None,
) -> list[Advice]:
    """The catalogue ranked for these values, each item with its words (indicators named as
    ``indicators`` says: a run's kept names; else as the rows are now)."""
    by_code = {row.code: row for row in rows}
    ranked = rank(
        scheme,
        values,
        catalogue_items(rows),
        checklist=checklist,
        profile=profile,
        upper_quartiles=upper_quartiles(scheme, cohort),
    )
    return [Advice(by_code[r.item.code], r, what_if_line(r, indicators)) for r in ranked]


def recommendations_for(run: EvaluationRun, *, cohort=None) -> list[Advice]:
    """The advice for a succeeded run, measured against the cohort when one is given."""
    if run.status != EvaluationRun.Status.SUCCEEDED:
        return []
    return advise(
        scheme_from_dict(run.scheme_snapshot),
        run.values,
        active_catalogue(),
        checklist=run.checklist,
        profile=enterprise_profile(run.enterprise),
        cohort=cohort,
        indicators=selectors.run_reference(run)[1],
    )


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


def what_if_line(ranked: Ranked, indicators: Mapping[str, Indicator] | None = None) -> str:
    """ "Logistics costs from 18 to 11.5 (% of sales revenue): +6.5 points", a condition and
    its effect, as the engine computed it."""
    return change_line(ranked.change, ranked.points, indicators)


def change_line(
    change: Change | None,
    points: float | None,
    indicators: Mapping[str, Indicator] | None = None,
) -> str:
    """The what-if line of one change and its points (also for a change kept with a plan
    action); "" without either."""
    if change is None or points is None:
        return ""
    gain = formatting.signed(points)
    if change.input in ChecklistAnswer.values:
        values = {"answer": ChecklistAnswer(change.input).label, "gain": gain}
        if change.after is True:
            return _("“%(answer)s” answered yes: %(gain)s points") % values
        return _("“%(answer)s” raised to 100: %(gain)s points") % values
    indicator = (indicators or selectors.reference()[1]).get(change.input)
    return _("%(name)s from %(old)s to %(new)s (%(unit)s): %(gain)s points") % {
        "name": indicator.localized("name") if indicator else change.input,
        "old": formatting.plain(change.before),
        "new": formatting.plain(round(float(change.after), 1)),
        "unit": indicator.localized("unit") if indicator else "",
        "gain": gain,
    }


def grouped(advice: list[Advice]) -> list[AdviceGroup]:
    """Advice as the page shows it: the alternatives for one indicator under its one what-if
    line, in the order of the ranking."""
    groups: list[AdviceGroup] = []
    shared: dict[str, AdviceGroup] = {}
    for item in advice:
        if item.ranked.shared:
            code = item.change.input
            if code in shared:
                shared[code].items.append(item)
                continue
            shared[code] = AdviceGroup(item.what_if, item.points, [item])
            groups.append(shared[code])
        else:
            groups.append(AdviceGroup(item.what_if, item.points, [item]))
    return groups


def shortlist(advice: list[Advice], *, groups: int = 5, per_group: int = 2) -> list[AdviceGroup]:
    """The strongest lines, each with at most ``per_group`` alternatives, so the top of the page
    covers several gaps rather than one."""
    return [
        AdviceGroup(group.what_if, group.points, group.items[:per_group])
        for group in grouped(advice)[:groups]
    ]
