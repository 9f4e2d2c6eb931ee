"""Reads of the improvement plan: the plan page, the result page's review of earlier actions,
and the plan section of the full report. A fixed number of queries whatever the plan's size.

What an action achieved is the change of its indicator's contribution to the overall score
between the result it was planned from and a later result. Under the same scheme version the
two stored contributions are compared. Under another version the earlier values are computed
again under the later result's scheme (the engine, as a re-score would), so both sides share
weights and bounds, and the review says that the schemes differ; the planned points stay those
the earlier scheme promised.

Like ``selectors``, nothing here checks access: callers pass an enterprise or a run they fetched
through ``enterprises.access``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import formatting, recommend, selectors
from evaluations.models import EvaluationRun, PlanAction, RunIndicator
from evaluations.scoring import ScoringError, scheme_from_dict, score
from evaluations.scoring.advice import Change

EARLIER_SHOWN = 20  # earlier actions a result page and a report review, latest period first


def actions(enterprise) -> QuerySet[PlanAction]:
    """An enterprise's actions with what their pages show, in one query."""
    return enterprise.plan_actions.select_related("recommendation", "owner", "planned_from__scheme")


def indicator_name(code: str) -> str:
    if not code:
        return ""
    indicator = selectors.reference()[1].get(code)
    return indicator.localized("name") if indicator else code


def owner_name(action: PlanAction) -> str:
    owner = action.owner
    return (owner.full_name or owner.email) if owner else "—"


def change_line(action: PlanAction) -> str:
    """The what-if kept with the action, as the result page wrote it when it was planned."""
    kept = action.change or {}
    if not kept or action.expected_points is None:
        return ""
    change = Change(kept.get("input", ""), kept.get("from"), kept.get("to"))
    return recommend.change_line(change, action.expected_points)


def scheme_label(action: PlanAction) -> str:
    run = action.planned_from
    if run is not None and run.scheme_id is not None:
        return run.scheme.label
    return _("%(name)s, version %(version)s") % {
        "name": action.scheme_slug,
        "version": action.scheme_version,
    }


def _before(period: tuple[int, int]) -> Q:
    year, quarter = period
    return Q(planned_year__lt=year) | Q(planned_year=year, planned_quarter__lt=quarter)


def _after(period: tuple[int, int]) -> Q:
    year, quarter = period
    return Q(year__gt=year) | Q(year=year, quarter__gt=quarter)


# --- What an action achieved --------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """One earlier action beside what its indicator did by a later result."""

    action: PlanAction
    later: EvaluationRun
    achieved: float | None  # points; None when it cannot be measured (``reason`` says why)
    same_scheme: bool
    reason: str = ""
    value_before: float | None = None
    value_after: float | None = None

    @property
    def planned(self) -> float | None:
        return self.action.expected_points

    @property
    def indicator(self) -> str:
        return indicator_name(self.action.indicator_code)

    @property
    def line(self) -> str:
        """ "Planned +4.0 points from logistics costs; achieved +2.6" """
        values = {
            "planned": formatting.signed(self.planned),
            "indicator": self.indicator,
            "achieved": formatting.signed(self.achieved),
        }
        if self.achieved is None:
            if self.planned is None:
                return _("Planned as advice without points")
            return _("Planned %(planned)s points from %(indicator)s") % values
        if self.planned is None:
            return (
                _("Planned as advice without points; %(indicator)s achieved %(achieved)s") % values
            )
        return _("Planned %(planned)s points from %(indicator)s; achieved %(achieved)s") % values

    @property
    def scheme_note(self) -> str:
        """Said when the two results were scored under different schemes."""
        if self.same_scheme or self.achieved is None:
            return ""
        return _(
            "The schemes differ: planned under %(before)s, this result under %(after)s. The "
            "earlier values are computed here under %(after)s so both sides compare; the "
            "planned points are those of %(before)s."
        ) % {"before": scheme_label(self.action), "after": self.later.scheme.label}


def later_rows(run: EvaluationRun) -> dict[str, tuple[float | None, float]]:
    return {
        code: (value, contribution)
        for code, value, contribution in RunIndicator.objects.filter(run_id=run.pk)
        .order_by()
        .values_list("code", "value", "contribution")
    }


def _recomputed(action: PlanAction, later: EvaluationRun) -> tuple[float | None, str]:
    """The action's indicator contribution in its earlier values, under the later scheme."""
    earlier = action.planned_from
    if earlier is None:
        return None, _("The result it was planned from no longer exists.")
    spec = scheme_from_dict(later.scheme_snapshot)
    try:
        result = score(spec, {code: earlier.values.get(code) for code in spec.codes})
    except ScoringError:
        return None, _("The earlier values cannot be scored under this result's scheme.")
    found = next((i for i in result.indicators if i.code == action.indicator_code), None)
    return (found.contribution, "") if found else (None, "")


def review(
    action: PlanAction, later: EvaluationRun, rows: dict[str, tuple[float | None, float]]
) -> Review:
    """What ``action``'s indicator did by ``later`` (whose indicator ``rows`` are given)."""
    same = (later.scheme_slug, later.scheme_version) == (
        action.scheme_slug,
        action.scheme_version,
    )
    code = action.indicator_code
    if not code:
        reason = _("It serves a dimension, not one indicator: no single figure measures it.")
        return Review(action, later, None, same, reason)
    if code not in rows:
        reason = _("This result's scheme does not score %(indicator)s.") % {
            "indicator": indicator_name(code)
        }
        return Review(action, later, None, same, reason)
    value_after, after = rows[code]
    if same:
        before, reason = action.indicator_contribution, ""
    else:
        before, reason = _recomputed(action, later)
    if before is None:
        reason = reason or _("There is no earlier figure to compare with.")
        return Review(action, later, None, same, reason, action.indicator_value, value_after)
    return Review(action, later, after - before, same, "", action.indicator_value, value_after)


# --- The result page ----------------------------------------------------------------------


@dataclass
class RunPlan:
    """The plan as one result shows it."""

    reviews: list[Review]  # earlier actions beside what their indicator did by this result
    more: int  # earlier actions not reviewed here (see the plan page)
    planned_here: dict[str, PlanAction]  # recommendation code -> action of this period

    @property
    def planned_count(self) -> int:
        return len(self.planned_here)


def earlier_actions(run: EvaluationRun) -> QuerySet[PlanAction]:
    return (
        actions(run.enterprise)
        .filter(_before((run.year, run.quarter)))
        .order_by("-planned_year", "-planned_quarter", "due_date", "id")
    )


def run_plan(run: EvaluationRun) -> RunPlan:
    """The review of earlier actions at a succeeded result, and this period's actions. Four
    queries whatever the number of actions."""
    if run.status != EvaluationRun.Status.SUCCEEDED:
        return RunPlan([], 0, {})
    earlier = list(earlier_actions(run)[: EARLIER_SHOWN + 1])
    rows = later_rows(run) if earlier else {}
    reviews = [review(action, run, rows) for action in earlier[:EARLIER_SHOWN]]
    more = 0
    if len(earlier) > EARLIER_SHOWN:
        more = earlier_actions(run).count() - EARLIER_SHOWN
    here = actions(run.enterprise).filter(planned_year=run.year, planned_quarter=run.quarter)
    return RunPlan(reviews, more, {action.recommendation.code: action for action in here})


# --- The plan page ------------------------------------------------------------------------


@dataclass
class PlanLine:
    action: PlanAction
    review: Review | None  # against the latest later result, when there is one

    @property
    def indicator(self) -> str:
        return indicator_name(self.action.indicator_code)

    @property
    def owner(self) -> str:
        return owner_name(self.action)

    @property
    def overdue(self) -> bool:
        return self.action.is_open and self.action.due_date < timezone.localdate()


@dataclass
class PlanPage:
    open: list[PlanLine] = field(default_factory=list)
    closed: list[PlanLine] = field(default_factory=list)
    latest: EvaluationRun | None = None  # the result the reviews measure by


def latest_result(enterprise) -> EvaluationRun | None:
    """The enterprise's latest succeeded result: its latest period, under the current default
    scheme where that period has a result under it, else its latest submission."""
    runs = enterprise.runs.filter(status=EvaluationRun.Status.SUCCEEDED).select_related("scheme")
    newest = runs.order_by(*selectors.LATEST_FIRST).first()
    if newest is None:
        return None
    same_period = runs.filter(year=newest.year, quarter=newest.quarter).order_by(
        "-created_at", "-id"
    )
    under_default = [run for run in same_period if run.scheme.is_default]
    return under_default[0] if under_default else newest


def plan_page(enterprise) -> PlanPage:
    """Every action, open ones first by due date, each measured by the latest result of a
    later period than the one it was planned from."""
    page = PlanPage(latest=latest_result(enterprise))
    found = list(actions(enterprise).order_by("due_date", "id"))
    rows = later_rows(page.latest) if page.latest and found else {}
    latest_period = (page.latest.year, page.latest.quarter) if page.latest else None
    for action in found:
        measured = None
        if latest_period and (action.planned_year, action.planned_quarter) < latest_period:
            measured = review(action, page.latest, rows)
        (page.open if action.is_open else page.closed).append(PlanLine(action, measured))
    return page


# --- The report ---------------------------------------------------------------------------


@dataclass
class ReportPlan:
    """The plan in a run's full report (never in the shared variant): the actions planned from
    this result's period, and the earlier actions beside what they achieved by it."""

    planned: list[PlanLine]
    reviews: list[Review]
    more: int = 0

    def __bool__(self) -> bool:
        return bool(self.planned or self.reviews)


def report_plan(run: EvaluationRun) -> ReportPlan:
    found = run_plan(run)
    planned = sorted(found.planned_here.values(), key=lambda a: (a.due_date, a.pk))
    return ReportPlan([PlanLine(action, None) for action in planned], found.reviews, found.more)


def plan_stamp(enterprise) -> str:
    """What changes a report's plan section: the latest edit and the number of actions."""
    latest = enterprise.plan_actions.order_by("-updated_at").values_list("updated_at", flat=True)
    first = latest.first()
    return f"{enterprise.plan_actions.count()}:{first.isoformat() if first else ''}"
