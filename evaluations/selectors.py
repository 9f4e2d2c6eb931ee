"""Read-side queries for the pages: a fixed number of queries whatever the number of periods.

Every function here takes an enterprise (or a run already fetched through one) that the view
obtained from ``enterprises.access``; none of them checks access itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext

from core import caching
from evaluations import charts, formatting
from evaluations.models import (
    Assessment,
    Dimension,
    EvaluationRun,
    Indicator,
    RunDimension,
    RunIndicator,
    WeightScheme,
    grade_label,
)
from evaluations.models.assessments import period_lines
from evaluations.models.schemes import Better
from evaluations.scoring import (
    CohortImpact,
    IndicatorResult,
    SchemeSpec,
    ScoreResult,
    cohort_impact,
    score_bulk,
)

LATEST_FIRST = ("-year", "-quarter", "-created_at", "-id")


def latest_run_ids(runs: QuerySet[EvaluationRun]) -> QuerySet:
    """The id of each enterprise's latest run among ``runs`` (latest period, then latest
    created), as a lazy queryset: a list with ``list()``, or a subquery in ``__in``.

    PostgreSQL: ``DISTINCT ON (enterprise_id)`` over a sort; elsewhere the same choice with
    ``ROW_NUMBER()`` over a window (SQLite 3.25+). Peers, re-scoring and the cohort export all
    choose "the latest run" here, so they cannot disagree.
    """
    if connection.vendor == "postgresql":
        return (
            runs.order_by("enterprise_id", *LATEST_FIRST)
            .distinct("enterprise_id")
            .values_list("id", flat=True)
        )
    rank = Window(
        RowNumber(),
        partition_by=[F("enterprise_id")],
        order_by=[F(name[1:]).desc() for name in LATEST_FIRST],
    )
    return runs.annotate(rank=rank).filter(rank=1).values_list("id", flat=True)


def latest_submitted_results() -> QuerySet:
    """Each enterprise's latest succeeded submission run (never a re-scoring's), as a lazy
    queryset of ids: what re-scoring re-scores and the cohort export exports."""
    return latest_run_ids(
        EvaluationRun.objects.filter(
            status=EvaluationRun.Status.SUCCEEDED, origin=EvaluationRun.Origin.SUBMISSION
        )
    )


@dataclass(frozen=True)
class CohortComparison:
    """A scheme's impact on the cohort, and which indicators some runs have no value for."""

    impact: CohortImpact
    not_available: list[tuple[str, int]]  # (indicator name, runs without a usable value)


def cohort_values(specs: list[SchemeSpec]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each enterprise's latest submitted values for every indicator of ``specs``.

    Returns the codes (in the order the specs name them), an (n, k) float matrix and an (n, k)
    mask of the usable values: a value that is missing (an indicator the run's own scheme did
    not have), not available (null), not a number or outside the indicator's range is not
    usable, and is NaN in the matrix. One query: the runs' ``values`` only.
    """
    bounds: dict[str, tuple[float, float]] = {}
    for spec in specs:
        for ind in spec.indicators:
            upper = np.inf if ind.max_value is None else ind.max_value
            bounds.setdefault(ind.code, (ind.min_value, upper))
    codes = list(bounds)
    stored = list(
        EvaluationRun.objects.filter(pk__in=latest_submitted_results())
        .order_by()
        .values_list("values", flat=True)
    )
    try:
        matrix = np.array([[v.get(c) for c in codes] for v in stored], dtype=np.float64)
    except (TypeError, ValueError, AttributeError):  # a stored value that is not a number
        matrix = np.array([[_number(v, c) for c in codes] for v in stored], dtype=np.float64)
    matrix = matrix.reshape(len(stored), len(codes))
    lower = np.array([bounds[c][0] for c in codes], dtype=np.float64)
    upper = np.array([bounds[c][1] for c in codes], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(matrix) & (matrix >= lower) & (matrix <= upper)
    matrix[~usable] = np.nan
    return codes, matrix, usable


def _number(values: object, code: str) -> float:
    try:
        value = values.get(code)  # type: ignore[union-attr]
        return np.nan if isinstance(value, bool) else float(value)
    except (AttributeError, TypeError, ValueError):
        return np.nan


def scheme_cohort_impact(*, old: SchemeSpec, new: SchemeSpec) -> CohortComparison:
    """Every enterprise's latest submitted values scored now under ``old`` and ``new`` with the
    bulk engine, and compared (``scoring.cohort_impact``). Both sides come from the same stored
    values through the same kernel, so a difference is the schemes' alone. Both specs must be
    valid (the engine raises ScoringError otherwise)."""
    codes, matrix, usable = cohort_values([old, new])
    column = {code: j for j, code in enumerate(codes)}
    results = []
    for spec in (old, new):
        columns = [column[code] for code in spec.codes]
        available = usable[:, columns]
        mask = None if available.all() else available
        results.append(score_bulk(spec, matrix[:, columns], available=mask))
    _dimensions, indicators = reference()
    missing = np.count_nonzero(~usable, axis=0).tolist() if len(codes) else []
    not_available = [
        (indicators[code].localized("name") if code in indicators else code, count)
        for code, count in zip(codes, missing, strict=True)
        if count
    ]
    return CohortComparison(cohort_impact(results[0], results[1]), not_available)


def reference() -> tuple[dict[str, Dimension], dict[str, Indicator]]:
    """Dimensions and indicators by code, in display order.

    Reference data changes only when an administrator edits a name or a unit (which makes the
    ``reference`` namespace stale: ``evaluations/apps.py``), so it is kept in the cache rather
    than asked of the database on every page. Callers must not modify what they get.
    """
    return caching.get_or_build("reference", ("dimensions",), _load_reference, timeout=None)


def _load_reference() -> tuple[dict[str, Dimension], dict[str, Indicator]]:
    dimensions = {d.code: d for d in Dimension.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.select_related("dimension")}
    return dimensions, indicators


def run_reference(run: EvaluationRun) -> tuple[dict[str, Dimension], dict[str, Indicator]]:
    """The dimensions and indicators as the run was scored: unsaved copies of the rows whose
    names and units are the ones its snapshot kept (issue 14: an edit in admin never relabels
    an old result). A snapshot without labels reads the rows as they are."""
    dimensions, indicators = reference()
    labels = (run.scheme_snapshot or {}).get("labels")
    if not isinstance(labels, dict):
        return dimensions, indicators
    return (
        _relabelled(dimensions, labels.get("dimensions")),
        _relabelled(indicators, labels.get("indicators")),
    )


def _relabelled(rows: dict, kept: object) -> dict:
    if not isinstance(kept, dict):
        return rows
    out = {}
    for code, row in rows.items():
        words = kept.get(code)
        if isinstance(words, dict):
            row = copy.copy(row)  # the cached rows are shared: never changed in place
            for field, text in words.items():
                if field in LABEL_FIELDS and isinstance(text, str):
                    setattr(row, field, text)
        out[code] = row
    return out


LABEL_FIELDS = {"name", "name_zh", "unit", "unit_zh"}


@dataclass
class PeriodRow:
    assessment: Assessment
    latest_run: EvaluationRun | None  # the latest submission's run: its status
    latest_result: EvaluationRun | None  # the result shown: under the default scheme if any
    scheme_changed: bool = False  # scored under another scheme version than the period before


@dataclass
class Dashboard:
    rows: list[PeriodRow]
    chart: charts.LineChart | None
    chart_table: list[tuple[str, str, list[float | None]]] = field(default_factory=list)
    series_labels: list[str] = field(default_factory=list)
    default_scheme: WeightScheme | None = None


def _shown_result(runs: list[EvaluationRun], default_id: int | None) -> EvaluationRun | None:
    """The result a period shows: its latest under the current default scheme (a submission
    or a re-score), else its latest submitted result under whatever scheme scored it."""
    succeeded = [run for run in runs if run.status == EvaluationRun.Status.SUCCEEDED]
    under_default = [run for run in succeeded if run.scheme_id == default_id]
    submitted = [run for run in succeeded if run.origin == EvaluationRun.Origin.SUBMISSION]
    return (under_default or submitted or [None])[0]


def shared_run(enterprise, year: int, quarter: int) -> EvaluationRun | None:
    """The result a period shows to someone it was shared with: the same one the enterprise's
    dashboard shows (``_shown_result``), or None before it has one."""
    assessment = enterprise.assessments.filter(year=year, quarter=quarter).first()
    if assessment is None:
        return None
    runs = list(
        assessment.runs.select_related("scheme", "enterprise", "assessment").order_by(
            "-created_at", "-id"
        )
    )
    default = WeightScheme.objects.filter(is_default=True).values_list("pk", flat=True).first()
    return _shown_result(runs, default)


def submitted_periods(enterprise) -> list[tuple[str, str]]:
    """The periods an enterprise has submitted, latest first: (grant key, label), the choices
    of its owners' sharing form."""
    rows = enterprise.assessments.filter(status=Assessment.Status.SUBMITTED).order_by(
        "-year", "-quarter"
    )
    return [(f"{a.year}Q{a.quarter}", a.period) for a in rows.only("year", "quarter")]


def dashboard(enterprise, default: WeightScheme | None = None) -> Dashboard:
    """Assessments by period, each shown under the current default scheme where it has a result
    under it (re-scored where needed), and the trend, with a mark where the scheme changes."""
    runs = EvaluationRun.objects.select_related("scheme").only(
        "id",
        "assessment_id",
        "origin",
        "status",
        "overall",
        "grade",
        "created_at",
        "incomplete",
        "scheme_id",
        "scheme__slug",
        "scheme__name",
        "scheme__name_zh",
        "scheme__version",
    )
    assessments = list(
        enterprise.assessments.select_related("updated_by").prefetch_related(
            Prefetch("runs", queryset=runs.order_by("-created_at", "-id"), to_attr="run_list")
        )
    )
    default_id = default.pk if default else None
    rows = []
    for assessment in assessments:
        submissions = [
            r for r in assessment.run_list if r.origin == EvaluationRun.Origin.SUBMISSION
        ]
        latest = submissions[0] if submissions else None
        rows.append(PeriodRow(assessment, latest, _shown_result(assessment.run_list, default_id)))
    scored = [row for row in reversed(rows) if row.latest_result is not None]
    for before, row in zip(scored, scored[1:], strict=False):
        row.scheme_changed = row.latest_result.scheme_id != before.latest_result.scheme_id
    if not scored:
        return Dashboard(rows, None, default_scheme=default)
    # .order_by(): the model's default ordering goes through the run, which would join and scan
    # the whole run table (found by bench/pages.py); only these runs' rows are needed.
    dimension_rows = (
        RunDimension.objects.filter(run_id__in=[row.latest_result.pk for row in scored])
        .order_by()
        .values_list("run_id", "code", "score")
    )
    by_run: dict[int, dict[str, float | None]] = {}
    for run_id, code, score in dimension_rows:
        by_run.setdefault(run_id, {})[code] = score
    dimensions, _indicators = reference()
    periods = [row.assessment.period for row in scored]
    series = [(gettext("Overall"), [row.latest_result.overall for row in scored])]
    for code, dimension in dimensions.items():
        scores = [by_run.get(row.latest_result.pk, {}).get(code) for row in scored]
        series.append((dimension.localized("name"), scores))
    table = [
        (period, scored[i].latest_result.scheme.label, [values[i] for _label, values in series])
        for i, period in enumerate(periods)
    ]
    changes = [
        (i, row.latest_result.scheme.label) for i, row in enumerate(scored) if row.scheme_changed
    ]
    return Dashboard(
        rows,
        charts.line_chart(
            [period_lines(row.assessment.year, row.assessment.quarter) for row in scored],
            series,
            changes=changes,
        ),
        table,
        [label for label, _values in series],
        default,
    )


@dataclass
class IndicatorLine:
    row: RunIndicator
    indicator: Indicator | None
    change: float | None  # of the value, since the previous period

    @property
    def verdict(self) -> str | None:
        """ "better", "worse" or "same": a lower value is better where lower is better."""
        if self.indicator is None:
            return None
        higher = self.indicator.direction == Better.HIGHER
        return formatting.change_verdict(self.change, higher_is_better=higher, digits=2)


@dataclass
class DimensionLine:
    row: RunDimension
    dimension: Dimension | None
    change: float | None  # of the score, since the previous period

    @property
    def verdict(self) -> str | None:
        return formatting.change_verdict(self.change)


@dataclass
class RunPage:
    run: EvaluationRun
    dimensions: list[DimensionLine]
    indicators: list[IndicatorLine]
    chart: charts.BarChart | None
    previous: EvaluationRun | None
    overall_change: float | None


def previous_result(run: EvaluationRun) -> EvaluationRun | None:
    """The latest succeeded run of the enterprise's latest earlier period under the very same
    scheme version (submitted, or re-scored into it): changes never compare across versions."""
    earlier = (
        EvaluationRun.objects.filter(
            enterprise_id=run.enterprise_id,
            status=EvaluationRun.Status.SUCCEEDED,
            scheme_id=run.scheme_id,
        )
        .exclude(assessment_id=run.assessment_id)
        .filter(year__lte=run.year)
        .exclude(year=run.year, quarter__gte=run.quarter)
        .order_by("-year", "-quarter", "-created_at", "-id")
    )
    return earlier.first()


def run_page(run: EvaluationRun) -> RunPage:
    """Everything the result page shows about one run."""
    if run.status != EvaluationRun.Status.SUCCEEDED:
        return RunPage(run, [], [], None, None, None)
    dimensions, indicators = run_reference(run)
    previous = previous_result(run)
    # Always one query, with or without a previous period, so the page's query count is fixed.
    before_dims = dict(
        RunDimension.objects.filter(run_id=previous.pk if previous else 0).values_list(
            "code", "score"
        )
    )
    before_values = previous.values if previous else {}
    dim_lines = []
    for row in run.dimensions.all():
        before = before_dims.get(row.code)
        change = None if before is None or row.score is None else row.score - before
        dim_lines.append(DimensionLine(row, dimensions.get(row.code), change))
    ind_lines = []
    for row in run.indicators.all():
        before = before_values.get(row.code)
        ind_lines.append(
            IndicatorLine(
                row, indicators.get(row.code), None if before is None else row.value - before
            )
        )
    chart = charts.bar_chart(
        [
            (line.dimension.localized("name") if line.dimension else line.row.code, line.row.score)
            for line in dim_lines
        ]
    )
    overall_change = (
        None if previous is None or previous.overall is None else run.overall - previous.overall
    )
    return RunPage(run, dim_lines, ind_lines, chart, previous, overall_change)


@dataclass(frozen=True)
class ChangeLine:
    """One row of a comparison of two results: a score before and after, with its weights."""

    label: str
    before: float | None
    after: float | None
    weight_before: float | None = None
    weight_after: float | None = None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class IndicatorChange:
    label: str
    value: float | None
    before: IndicatorResult | None
    after: IndicatorResult | None


@dataclass(frozen=True)
class Comparison:
    """Two results of the same values side by side (a what-if, or another scheme)."""

    before: ScoreResult
    after: ScoreResult
    overall: ChangeLine
    dimensions: list[ChangeLine]
    indicators: list[IndicatorChange]


def compare_results(
    before: ScoreResult, after: ScoreResult, labels: tuple[dict, dict] | None = None
) -> Comparison:
    """Line up two engine results by dimension and indicator, labelled in the active language
    (with ``labels``, a run's kept names: ``run_reference``)."""
    dimensions, indicators = labels or reference()
    theirs_d = {d.code: d for d in after.dimensions}
    theirs_i = {i.code: i for i in after.indicators}

    def dimension_label(code: str) -> str:
        return dimensions[code].localized("name") if code in dimensions else code

    def indicator_label(code: str) -> str:
        return indicators[code].localized("name") if code in indicators else code

    dimension_lines = []
    for mine in before.dimensions:
        theirs = theirs_d.get(mine.code)
        dimension_lines.append(
            ChangeLine(
                dimension_label(mine.code),
                mine.score,
                theirs.score if theirs else None,
                mine.weight,
                theirs.weight if theirs else None,
            )
        )
    return Comparison(
        before,
        after,
        ChangeLine(gettext("Overall score"), before.overall, after.overall),
        dimension_lines,
        [
            IndicatorChange(indicator_label(mine.code), mine.value, mine, theirs_i.get(mine.code))
            for mine in before.indicators
        ],
    )


# --- The landing page's example -----------------------------------------------------------------

# A fictional enterprise's quarter, scored by the engine under the default scheme to show a
# visitor what a result looks like (the landing page says it is an example).
SAMPLE_VALUES = {
    "logistics_cost": 16.0,
    "npd_cycle": 60.0,
    "tech_update_speed": 10.0,
    "market_response_time": 21.0,
    "environmental_impact_score": 55.0,
}


@dataclass(frozen=True)
class SampleResult:
    values: list[tuple[Indicator | None, float]]  # (indicator, value) in the scheme's order
    result: ScoreResult
    chart: charts.BarChart
    grade_name: str  # "developing", in the active language


def sample_result(result: ScoreResult, scheme: WeightScheme) -> SampleResult:
    """The example's figures and chart, labelled in the active language."""
    dimensions, indicators = reference()
    chart = charts.bar_chart(
        [
            (dimensions[d.code].localized("name") if d.code in dimensions else d.code, d.score)
            for d in result.dimensions
        ]
    )
    values = [(indicators.get(i.code), i.value) for i in result.indicators]
    band = next((b for b in scheme.grade_band_specs() if b.grade == result.grade), None)
    return SampleResult(values, result, chart, grade_label(band.label) if band else "")
