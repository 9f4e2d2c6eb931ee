"""What an organisation reads about a programme: completion, and the cohort's figures.

Completion names each invitee with only what the organisation may know of it: invited (no
answer yet), joined, submitted (per period) or declined. The cohort figures come only from
enterprises that joined and whose grant is active, from their latest succeeded, complete run of
a submitted assessment under the programme's scheme version (an incomplete run is left out of
every cohort figure, PRODUCT.md section 8). Every aggregate over fewer than five enterprises is
withheld and reads "fewer than 5" (``evaluations.suppression``: the rule peers use too).

A fixed number of queries per page, whatever the number of invitees.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from enterprises.models import Direction, Enterprise, Mode, Province
from evaluations import charts, selectors, suppression
from evaluations.models import Assessment, EvaluationRun, RunDimension, grade_label
from evaluations.models.assessments import period_label
from evaluations.peers import Box, box
from programmes.models import Invitee, Programme, ReminderSent, parse_period

# Ye (2025), section 2.2, Table 1: the number of enterprises pursuing each innovation direction.
PAPER_TABLE_1 = {
    Direction.PERSONALIZED: 120,
    Direction.MULTICHANNEL: 95,
    Direction.SUPPLY_CHAIN: 80,
    Direction.COMPLIANCE: 70,
    Direction.BRAND: 65,
}


# --- Completion -------------------------------------------------------------------------------


@dataclass
class InviteeLine:
    invitee: Invitee
    state: str  # invited, joined, declined (Invitee.state)
    submitted: bool  # joined and submitted the period
    reminders: list[ReminderSent] = field(default_factory=list)

    @property
    def shown_state(self) -> str:
        """The one word the organisation reads for this period."""
        if self.submitted:
            return str(pgettext("programme status", "submitted"))
        return str(Invitee.Status(self.state).label)

    @property
    def to_chase(self) -> bool:
        return self.state == Invitee.Status.INVITED or (
            self.state == Invitee.Status.JOINED and not self.submitted
        )


@dataclass
class Completion:
    period: str
    lines: list[InviteeLine]

    def _count(self, test) -> int:
        return sum(1 for line in self.lines if test(line))

    @property
    def invited(self) -> int:
        return len(self.lines)

    @property
    def unanswered(self) -> int:
        return self._count(lambda line: line.state == Invitee.Status.INVITED)

    @property
    def joined(self) -> int:
        return self._count(lambda line: line.state == Invitee.Status.JOINED)

    @property
    def submitted(self) -> int:
        return self._count(lambda line: line.submitted)

    @property
    def declined(self) -> int:
        return self._count(lambda line: line.state == Invitee.Status.DECLINED)

    @property
    def to_chase(self) -> list[InviteeLine]:
        return [line for line in self.lines if line.to_chase]


def _active_grant(now) -> Q:
    return Q(grant__revoked_at__isnull=True) & (
        Q(grant__expires_at__isnull=True) | Q(grant__expires_at__gt=now)
    )


def granted_invitees(programme: Programme):
    """Invitees that joined and whose grant is active now: what the organisation may read."""
    return programme.invitees.filter(status=Invitee.Status.JOINED).filter(
        _active_grant(timezone.now())
    )


def completion(programme: Programme, period: str, *, with_reminders: bool = False) -> Completion:
    """Each invitee's state for one period (three queries, four with the reminders)."""
    year, quarter = parse_period(period)
    invitees = programme.invitees.select_related("grant").order_by("name", "id")
    if with_reminders:
        invitees = invitees.prefetch_related(
            Prefetch("reminders", queryset=ReminderSent.objects.order_by("sent_at"))
        )
    invitees = list(invitees)
    joined_ids = [i.enterprise_id for i in invitees if i.has_joined]
    submitted = set(
        Assessment.objects.filter(
            enterprise_id__in=joined_ids,
            year=year,
            quarter=quarter,
            status=Assessment.Status.SUBMITTED,
        ).values_list("enterprise_id", flat=True)
    )
    lines = [
        InviteeLine(
            invitee,
            invitee.state,
            invitee.has_joined and invitee.enterprise_id in submitted,
            list(invitee.reminders.all()) if with_reminders else [],
        )
        for invitee in invitees
    ]
    return Completion(period, lines)


# --- The cohort -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """An aggregate as the reader may see it: its value, or withheld ("fewer than 5")."""

    n: int
    value: object = None

    @property
    def shown(self) -> bool:
        return suppression.shown(self.n)


@dataclass
class Result:
    enterprise_id: int
    period: str
    run_id: int
    overall: float
    grade: str
    dimensions: dict[str, float | None] = field(default_factory=dict)


@dataclass
class GroupRow:
    label: str
    n: int
    box: Box | None  # the overall score's, when shown
    dimensions: list[Cell]  # the median of each dimension
    grades: list[Cell]  # the count of each grade
    trend: list[Cell]  # the median overall score in each period

    @property
    def shown(self) -> bool:
        return suppression.shown(self.n)


@dataclass
class Cohort:
    programme: Programme
    period: str
    n: int
    overall: Box | None
    dimensions: list[tuple[str, Box | None]]
    chart: charts.BoxChart | None
    grades: list[tuple[str, str, Cell]]
    trend_periods: list[str]
    trend_rows: list[tuple[str, list[Cell]]]  # (label, a cell per period)
    trend_chart: charts.LineChart | None
    dimension_labels: list[str]
    by_mode: list[GroupRow]
    by_mode_chart: charts.BoxChart | None
    by_province: list[GroupRow]
    by_province_chart: charts.BoxChart | None
    directions: list[tuple[str, Cell, int]]  # (label, the cohort's count, the paper's count)

    @property
    def shown(self) -> bool:
        return suppression.shown(self.n)

    @property
    def min_others(self) -> int:
        return suppression.MIN_OTHERS


def _latest_runs(
    programme: Programme, enterprise_ids: list[int], *, complete_only: bool
) -> list[Result]:
    """Each enterprise's latest succeeded run per programme period under the programme's scheme
    version, from a submitted assessment (one query)."""
    periods = Q()
    for year, quarter in programme.period_tuples:
        periods |= Q(year=year, quarter=quarter)
    runs = EvaluationRun.objects.filter(
        periods,
        scheme_id=programme.scheme_id,
        status=EvaluationRun.Status.SUCCEEDED,
        enterprise_id__in=enterprise_ids,
        assessment__status=Assessment.Status.SUBMITTED,
    )
    if complete_only:
        runs = runs.filter(incomplete=False)
    rows = runs.order_by("created_at", "id").values_list(
        "id", "enterprise_id", "year", "quarter", "overall", "grade"
    )
    latest: dict[tuple[int, str], Result] = {}
    for run_id, enterprise_id, year, quarter, overall, grade in rows:
        key = f"{year}Q{quarter}"
        latest[(enterprise_id, key)] = Result(enterprise_id, key, run_id, overall, grade)
    return list(latest.values())


def results(programme: Programme) -> list[Result]:
    """The cohort: each granted enterprise's latest complete result per period, with its
    dimension scores (three queries)."""
    enterprise_ids = list(granted_invitees(programme).values_list("enterprise_id", flat=True))
    latest = _latest_runs(programme, enterprise_ids, complete_only=True)
    by_run = {result.run_id: result for result in latest}
    for run_id, code, score in (
        RunDimension.objects.filter(run_id__in=list(by_run))
        .order_by()
        .values_list("run_id", "code", "score")
    ):
        by_run[run_id].dimensions[code] = score
    return sorted(latest, key=lambda r: (r.period, r.enterprise_id))


def _median(values: list[float]) -> float | None:
    made = box(sorted(values), None)
    return made.median if made else None


def _profiles(enterprise_ids: set[int]) -> tuple[dict[int, str], dict[int, str], dict[int, set]]:
    """Each enterprise's primary operation mode (its first, as peers count it), province and
    innovation directions (three queries)."""
    modes: dict[int, str] = {}
    through = Enterprise.operation_modes.through.objects.filter(enterprise_id__in=enterprise_ids)
    for enterprise_id, code in through.order_by("operationmode_id").values_list(
        "enterprise_id", "operationmode__code"
    ):
        modes.setdefault(enterprise_id, code)
    provinces = dict(Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "province"))
    directions: dict[int, set] = defaultdict(set)
    for enterprise_id, code in Enterprise.innovation_directions.through.objects.filter(
        enterprise_id__in=enterprise_ids
    ).values_list("enterprise_id", "innovationdirection__code"):
        directions[enterprise_id].add(code)
    return modes, provinces, directions


def cohort(programme: Programme, period: str) -> Cohort:
    """The cohort's figures for one period (and its trend across the programme's periods)."""
    dimensions_ref, _indicators = selectors.reference()
    dimension_codes = list(dimensions_ref)
    dimension_labels = [d.localized("name") for d in dimensions_ref.values()]
    every = results(programme)
    now = [r for r in every if r.period == period]
    n = len(now)

    overall = box(sorted(r.overall for r in now), None) if suppression.shown(n) else None
    dimension_boxes: list[tuple[str, Box | None]] = []
    for code, label in zip(dimension_codes, dimension_labels, strict=True):
        values = sorted(r.dimensions[code] for r in now if r.dimensions.get(code) is not None)
        dimension_boxes.append(
            (label, box(values, None) if suppression.shown(len(values)) else None)
        )
    chart = None
    if overall is not None:
        items = [(_("Overall"), overall), *[(lbl, b) for lbl, b in dimension_boxes if b]]
        chart = charts.box_chart(items)

    bands = [(band.grade, grade_label(band.label)) for band in programme.scheme.grade_band_specs()]
    grade_counts = Counter(r.grade for r in now)
    grades = [
        (grade, label, Cell(grade_counts.get(grade, 0), grade_counts.get(grade, 0)))
        for grade, label in bands
    ]

    periods = list(programme.periods)
    trend_rows, series = _trend(every, periods, dimension_codes, dimension_labels)
    trend_chart = None
    if any(cell.shown for cell in trend_rows[0][1]):
        trend_chart = charts.line_chart(
            [period_label(*parse_period(p)) for p in periods],
            [(label, [c.value if c.shown else None for c in cells]) for label, cells in series],
        )

    ids = {r.enterprise_id for r in every}
    modes, provinces, directions = _profiles(ids)
    grade_keys = [grade for grade, _label in bands]
    by_mode = _groups(
        every,
        period,
        periods,
        dimension_codes,
        grade_keys,
        lambda r: modes.get(r.enterprise_id),
        dict(Mode.choices),
    )
    province_labels = {**dict(Province.choices), "": _("Province not stated")}
    by_province = _groups(
        every,
        period,
        periods,
        dimension_codes,
        grade_keys,
        lambda r: provinces.get(r.enterprise_id, ""),
        province_labels,
    )
    pursuing = Counter(code for r in now for code in directions.get(r.enterprise_id, ()))
    direction_rows = [
        (str(label), Cell(pursuing.get(code, 0), pursuing.get(code, 0)), PAPER_TABLE_1[code])
        for code, label in Direction.choices
    ]
    return Cohort(
        programme=programme,
        period=period,
        n=n,
        overall=overall,
        dimensions=dimension_boxes,
        chart=chart,
        grades=grades,
        trend_periods=[period_label(*parse_period(p)) for p in periods],
        trend_rows=trend_rows,
        trend_chart=trend_chart,
        dimension_labels=dimension_labels,
        by_mode=by_mode,
        by_mode_chart=_group_chart(by_mode),
        by_province=by_province,
        by_province_chart=_group_chart(by_province),
        directions=direction_rows,
    )


def _trend(every, periods, codes, labels):
    """Rows (label, one cell per period): n, the median overall score, each dimension's."""
    by_period: dict[str, list[Result]] = defaultdict(list)
    for r in every:
        by_period[r.period].append(r)
    counts = [Cell(len(by_period[p]), len(by_period[p])) for p in periods]
    overall = [Cell(len(by_period[p]), _median([r.overall for r in by_period[p]])) for p in periods]
    series = [(_("Median overall score"), overall)]
    for code, label in zip(codes, labels, strict=True):
        cells = []
        for p in periods:
            values = [
                r.dimensions[code] for r in by_period[p] if r.dimensions.get(code) is not None
            ]
            cells.append(Cell(len(values), _median(values)))
        series.append((label, cells))
    return [(_("Median overall score"), overall), *series[1:], (_("Enterprises"), counts)], series


def _groups(every, period, periods, codes, grades, key, labels) -> list[GroupRow]:
    """One row per group (an enterprise counts once, in its group), for the chosen period,
    with the group's median overall score in each period."""
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in every:
        group = key(r)
        if group is not None:
            groups[group].append(r)
    rows = []
    for group, members in groups.items():
        now = [r for r in members if r.period == period]
        n = len(now)
        shown = suppression.shown(n)
        dims = []
        for code in codes:
            values = [r.dimensions[code] for r in now if r.dimensions.get(code) is not None]
            dims.append(Cell(len(values), _median(values)))
        grade_counts = Counter(r.grade for r in now)
        trend = []
        for p in periods:
            in_period = [r.overall for r in members if r.period == p]
            trend.append(Cell(len(in_period), _median(in_period)))
        rows.append(
            GroupRow(
                label=str(labels.get(group, group)),
                n=n,
                box=box(sorted(r.overall for r in now), None) if shown else None,
                dimensions=dims,
                grades=[Cell(grade_counts.get(g, 0), grade_counts.get(g, 0)) for g in grades],
                trend=trend,
            )
        )
    rows.sort(key=lambda row: (-row.n, row.label))
    return rows


def _group_chart(rows: list[GroupRow]) -> charts.BoxChart | None:
    shown = [(row.label, row.box) for row in rows if row.box is not None]
    return charts.box_chart(shown) if shown else None


# --- Enterprise-level results (granted) ------------------------------------------------------


def granted_results(
    programme: Programme, *, invitee_pk: int | None = None
) -> list[tuple[Invitee, list[EvaluationRun]]]:
    """For the XLSX export and the per-enterprise page: each granted invitee (or the one
    named) with its latest succeeded run per programme period under the programme's scheme
    (incomplete ones too, marked), with their dimension and indicator rows prefetched."""
    invitees = granted_invitees(programme).select_related("enterprise", "grant")
    if invitee_pk is not None:
        invitees = invitees.filter(pk=invitee_pk)
    invitees = list(invitees)
    ids = [i.enterprise_id for i in invitees]
    chosen = {r.run_id for r in _latest_runs(programme, ids, complete_only=False)}
    runs = (
        EvaluationRun.objects.filter(pk__in=chosen)
        .prefetch_related("dimensions", "indicators")
        .order_by("year", "quarter")
    )
    by_enterprise: dict[int, list[EvaluationRun]] = defaultdict(list)
    for run in runs:
        by_enterprise[run.enterprise_id].append(run)
    return [(invitee, by_enterprise.get(invitee.enterprise_id, [])) for invitee in invitees]


# --- The enterprise's side ---------------------------------------------------------------------


@dataclass
class EnterpriseProgramme:
    invitee: Invitee
    programme: Programme
    periods: list[tuple[str, bool]]  # (period as read, submitted)


def programmes_of(enterprise: Enterprise) -> list[EnterpriseProgramme]:
    """The programmes that ask this enterprise for periods (declined ones left out), with
    which periods it has submitted: its dashboard's partial (two queries)."""
    invitees = list(
        enterprise.programme_invitations.exclude(status=Invitee.Status.DECLINED)
        .select_related("programme__organisation", "grant")
        .order_by("programme__deadline", "pk")
    )
    submitted = {
        f"{y}Q{q}"
        for y, q in enterprise.assessments.filter(status=Assessment.Status.SUBMITTED).values_list(
            "year", "quarter"
        )
    }
    return [
        EnterpriseProgramme(
            invitee,
            invitee.programme,
            [
                (period_label(*parse_period(key)), key in submitted)
                for key in invitee.programme.periods
            ],
        )
        for invitee in invitees
        if invitee.state != Invitee.Status.DECLINED
    ]
