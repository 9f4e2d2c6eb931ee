"""Peer benchmarks: where an enterprise stands among others of the same operation mode.

A cohort is every enterprise running the same operation mode whose latest succeeded run used
the same scheme version. Its summary (sorted overall, dimension and indicator figures) is built
with one streamed query and cached; a Celery beat task rebuilds the summaries, so pages never
load the cohort's runs. Figures are shown only when at least ``suppression.MIN_OTHERS`` other
enterprises are in the cohort, so nobody's figures can be worked out from the box plot (the one
rule of ``evaluations.suppression``, which programme dashboards use too).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import caching
from enterprises.models import OperationMode
from evaluations import charts, selectors, suppression
from evaluations.models import EvaluationRun, RunDimension, RunIndicator

SUMMARY_SECONDS = 15 * 60


def cohort_run_ids(scheme_id: int, mode_code: str | None = None) -> list[int]:
    """The latest succeeded run per enterprise under one scheme version (one query)."""
    # An incomplete run (an indicator not available) is left out of every cohort figure.
    runs = EvaluationRun.objects.filter(
        scheme_id=scheme_id, status=EvaluationRun.Status.SUCCEEDED, incomplete=False
    )
    if mode_code is not None:
        runs = runs.filter(enterprise__operation_modes__code=mode_code)
    return list(selectors.latest_run_ids(runs))


GRID = 100  # a summary keeps each figure's quantiles at every percent: 101 numbers


@dataclass
class CohortSummary:
    """A cohort in a few hundred numbers: each figure's quantiles at 0, 1, …, 100 percent.

    The box plot's five numbers are exact (they are grid points); a percentile read from the
    grid is exact to within one percent. Small enough to cache and read on every page view
    whatever the cohort's size (bench/pages.py: a 10,000-enterprise cohort).
    """

    size: int = 0
    overall: list[float] = field(default_factory=list)
    dimensions: dict[str, list[float]] = field(default_factory=dict)
    indicators: dict[str, list[float]] = field(default_factory=dict)


def _grid(sorted_values: list[float]) -> list[float]:
    if not sorted_values:
        return []
    return [quantile(sorted_values, i / GRID) for i in range(GRID + 1)]


def build_summary(mode_code: str, scheme_id: int) -> CohortSummary:
    """Read the cohort once (streamed, in chunks) and keep only its quantile grids."""
    ids = cohort_run_ids(scheme_id, mode_code)
    overall: list[float] = []
    dimensions: dict[str, list[float]] = {}
    indicators: dict[str, list[float]] = {}
    chunk = 5000
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        overall.extend(
            EvaluationRun.objects.filter(pk__in=part).order_by().values_list("overall", flat=True)
        )
        for code, score in (
            RunDimension.objects.filter(run_id__in=part, score__isnull=False)
            .order_by()
            .values_list("code", "score")
        ):
            dimensions.setdefault(code, []).append(score)
        for code, value in (
            RunIndicator.objects.filter(run_id__in=part).order_by().values_list("code", "value")
        ):
            indicators.setdefault(code, []).append(value)
    return CohortSummary(
        size=len(ids),
        overall=_grid(sorted(overall)),
        dimensions={code: _grid(sorted(values)) for code, values in dimensions.items()},
        indicators={code: _grid(sorted(values)) for code, values in indicators.items()},
    )


def cohort_summary(mode_code: str, scheme_id: int) -> CohortSummary:
    """The cached summary, built on a miss."""
    return caching.get_or_build(
        "peers",
        (mode_code, scheme_id),
        lambda: build_summary(mode_code, scheme_id),
        timeout=SUMMARY_SECONDS,
    )


def refresh_summaries() -> int:
    """Rebuild every cohort's summary (celery beat); returns how many were built."""
    scheme_ids = (
        EvaluationRun.objects.filter(status=EvaluationRun.Status.SUCCEEDED)
        .values_list("scheme_id", flat=True)
        .distinct()
    )
    built = 0
    for scheme_id in scheme_ids:
        for mode in OperationMode.objects.values_list("code", flat=True):
            summary = build_summary(mode, scheme_id)
            caching.put("peers", (mode, scheme_id), summary, timeout=SUMMARY_SECONDS)
            built += 1
    return built


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on a sorted list."""
    n = len(sorted_values)
    position = (n - 1) * q
    low = int(position)
    high = min(low + 1, n - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def percentile_of(sorted_values: list[float], value: float) -> float:
    """Share of the cohort at or below ``value``, in percent (ties count half)."""
    below = bisect.bisect_left(sorted_values, value)
    at_or_below = bisect.bisect_right(sorted_values, value)
    return 100.0 * (below + (at_or_below - below) / 2) / len(sorted_values)


@dataclass(frozen=True)
class Box:
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    value: float | None
    percentile: float | None


def box(sorted_values: list[float], value: float | None) -> Box | None:
    if not sorted_values:
        return None
    return Box(
        sorted_values[0],
        quantile(sorted_values, 0.25),
        quantile(sorted_values, 0.5),
        quantile(sorted_values, 0.75),
        sorted_values[-1],
        value,
        None if value is None else percentile_of(sorted_values, value),
    )


@dataclass
class PeerPosition:
    shown: bool
    reason: str
    cohort_size: int  # other enterprises in the figures
    label: str
    overall: Box | None = None
    dimensions: list[tuple[str, Box]] = field(default_factory=list)
    summary: CohortSummary | None = None
    includes_own: bool = True  # the enterprise's own latest complete result is among the figures

    @property
    def counted(self) -> str:
        """Exactly what the quartiles and percentiles are taken over (issue 15: the page said
        "9 other enterprises" while its quartiles counted the enterprise too)."""
        if self.includes_own:
            total = self.cohort_size + 1
            return ngettext(
                "%(label)s: the figures count %(total)d enterprises, yours and %(others)d other, "
                "each by its latest complete result.",
                "%(label)s: the figures count %(total)d enterprises, yours and %(others)d others, "
                "each by its latest complete result.",
                self.cohort_size,
            ) % {"label": self.label, "total": total, "others": self.cohort_size}
        return ngettext(
            "%(label)s: the figures count %(others)d other enterprise, by its latest complete "
            "result; yours is not among them, as it has no complete result under this scheme.",
            "%(label)s: the figures count %(others)d other enterprises, each by its latest "
            "complete result; yours is not among them, as it has no complete result under this "
            "scheme.",
            self.cohort_size,
        ) % {"label": self.label, "others": self.cohort_size}

    @property
    def cohort(self) -> CohortSummary | None:
        """The summary recommendations may measure against: only a cohort large enough."""
        return self.summary if self.shown else None

    def chart(self) -> charts.BoxChart | None:
        """The box plots of the result page and the report (overall, then each dimension)."""
        if not self.shown or self.overall is None:
            return None
        return charts.box_chart([(_("Overall"), self.overall), *self.dimensions])


def primary_mode(enterprise) -> OperationMode | None:
    """The cohort is the enterprise's first operation mode (the paper's section 2.1 order)."""
    return enterprise.operation_modes.order_by("id").first()


def peer_position(run: EvaluationRun) -> PeerPosition:
    """The run's position in its cohort, or why it is not shown."""
    mode = primary_mode(run.enterprise)
    if mode is None:
        return PeerPosition(False, _("The enterprise profile names no operation mode."), 0, "")
    label = _("%(mode)s enterprises under the weight scheme %(scheme)s") % {
        "mode": mode,
        "scheme": run.scheme.label,
    }
    summary = cohort_summary(mode.code, run.scheme_id)
    # The enterprise is in its cohort when it has a complete result under this scheme (it runs
    # the mode): a complete run has, else an earlier complete one may. A summary built just
    # before this run succeeded may miss it, which only makes the count smaller, never the
    # threshold easier.
    includes_own = not run.incomplete or (
        EvaluationRun.objects.filter(
            enterprise_id=run.enterprise_id,
            scheme_id=run.scheme_id,
            status=EvaluationRun.Status.SUCCEEDED,
            incomplete=False,
        ).exists()
    )
    others = suppression.others(summary.size, includes_reader=includes_own)
    if not suppression.shown(summary.size, includes_reader=includes_own):
        return PeerPosition(
            False,
            _(
                "Peer figures appear once at least %(min)d other enterprises of the same mode "
                "have a result under this scheme version (now %(n)d), so that no enterprise's "
                "figures can be worked out."
            )
            % {"min": suppression.MIN_OTHERS, "n": others},
            others,
            label,
            includes_own=includes_own,
        )
    dimensions, _indicators = selectors.reference()
    own = {d.code: d.score for d in run.dimensions.all()}
    rows = []
    for code, values in summary.dimensions.items():
        dimension = dimensions.get(code)
        made = box(values, own.get(code))
        if made is not None:
            rows.append((dimension.localized("name") if dimension else code, made))
    order = {d.localized("name"): d.order for d in dimensions.values()}
    rows.sort(key=lambda row: order.get(row[0], 99))
    return PeerPosition(
        True,
        "",
        others,
        label,
        box(summary.overall, run.overall),
        rows,
        summary,
        includes_own,
    )
