"""Downloadable reports of one evaluation run (PDF, CSV, XLSX) and the staff cohort export.

PRODUCT.md section 7. Everything a report shows is gathered once here (``report_data``) and then
drawn by ``pdf`` (an HTML template through WeasyPrint) or ``tables`` (CSV and XLSX), so the three
formats always agree. A builder returns a ``Built`` (file name, content type, bytes), as pretix's
exporters do, and checks access again: the view already did, but a builder may one day run
elsewhere (a task), and it must never hand an enterprise's figures to someone outside it.

The methodology appendix is the engine's own result for what the run stored (its scheme snapshot
and its values), with every intermediate figure, so a reader can follow each line by hand and
land on the stored score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.http import absolute_url
from core.text import listing
from enterprises import access
from evaluations import formatting, peers, plans, recommend, selectors, verification
from evaluations.models import Evidence, grade_label
from evaluations.models.recommendations import ChecklistAnswer
from evaluations.scoring import ScoringError, ahp
from evaluations.scoring.checklist import complete_checklist
from evaluations.selectors import RunPage
from evaluations.services.runs import run_result


def plain(x: float) -> str:
    """A number with up to six significant digits and no trailing zeros (0.25, 18, 0.333333)."""
    return f"{x:.6g}"


@dataclass(frozen=True, slots=True)
class Built:
    """A finished file: what a download view needs to answer."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class WorkedLine:
    """One indicator's arithmetic, from the snapshot's bounds and weight and the typed value."""

    code: str
    label: str
    dimension: str
    unit: str
    value: float | None  # None: not available, scored at s = 0
    worst: float
    best: float
    weight: float
    ratio: float | None  # (x − worst) / (best − worst), before clamping
    normalized: float  # s = clamp(ratio, 0, 1)
    contribution: float  # 100 · w · s
    potential_gain: float  # 100 · w · (1 − s)

    @property
    def clamped(self) -> bool:
        return self.ratio is not None and self.ratio != self.normalized

    @property
    def inputs(self) -> dict[str, str]:
        """x, worst, best and w as a person would write them: 18, 0.25, not 18.0000."""
        return {
            "x": plain(self.value),
            "worst": plain(self.worst),
            "best": plain(self.best),
            "w": plain(self.weight),
        }


@dataclass(frozen=True, slots=True)
class DimensionSum:
    label: str
    weight: float  # Σ w of its indicators
    contributions: float  # Σ 100 · w · s
    score: float | None  # 100 · Σ(w·s) / Σ w; None when not weighted


@dataclass(frozen=True, slots=True)
class Band:
    grade: str
    min_score: float
    label: str


@dataclass(frozen=True, slots=True)
class AhpRow:
    label: str
    entries: tuple[str, ...]  # each comparison as people write it: 3, 1, 1/5
    weight: float


@dataclass(frozen=True, slots=True)
class AhpMatrix:
    """One level of the comparisons a scheme's weights were derived from (AHP)."""

    title: str  # "Dimensions", or the dimension whose indicators are compared
    labels: tuple[str, ...]
    rows: tuple[AhpRow, ...]
    lambda_max: float
    cr: float


@dataclass(frozen=True, slots=True)
class Methodology:
    scheme_name: str
    slug: str
    version: int
    lines: tuple[WorkedLine, ...]
    dimensions: tuple[DimensionSum, ...]
    bands: tuple[Band, ...]
    total_weight: float
    total_contribution: float
    overall: float  # Σ contributions / Σ w, as the engine computed it
    # The weights' provenance, when the run's scheme snapshot carries AHP comparisons; levels
    # with a single criterion (weight 1 inside its dimension) are left out.
    provenance: tuple[AhpMatrix, ...] = ()


@dataclass(frozen=True, slots=True)
class ChecklistAnswerLine:
    """One answer of the environmental checklist the run's environmental score came from."""

    label: str  # a human label, never the answer's key
    kind: str  # "share" (%) or "yes"
    answer: float | bool
    factor: float
    points: float


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    name: str
    indicator: str
    size: int  # bytes
    uploaded_at: datetime


@dataclass
class ReportData:
    """Everything one run's report shows, whatever the format."""

    enterprise: Any
    run: Any
    page: RunPage
    methodology: Methodology
    profile: list[tuple[str, str]] = field(default_factory=list)
    recommendations: list = field(default_factory=list)  # recommend.AdviceGroup, best first
    rule: str = ""  # how the recommendations are ranked
    peers: peers.PeerPosition | None = None
    peer_chart: Any = None  # charts.BoxChart of the peer position, when shown
    # The improvement plan (members' full report only; None leaves it out, as the shared
    # variant must: ``templates/evaluations/_report_plan.html``, ``tables.plan_section``).
    plan: plans.ReportPlan | None = None
    generated_at: datetime = field(default_factory=timezone.now)
    language: str = "en"
    checklist: list[ChecklistAnswerLine] = field(default_factory=list)
    checklist_total: float | None = None
    evidence: list[EvidenceLine] = field(default_factory=list)  # left out of a shared variant
    stamps: list[verification.Stamp] = field(default_factory=list)  # verification stamps
    # The shared variant (PRODUCT.md sections 7 and 11): made under a grant, it leaves out the
    # plan (and its owners' names), lists evidence only when the grant includes it, and prints
    # its check address.
    shared: bool = False
    evidence_shared: bool = True
    check_url: str = ""

    @property
    def grade_label(self) -> str:
        band = next((b for b in self.methodology.bands if b.grade == self.run.grade), None)
        return band.label if band else ""

    @property
    def dimension_changes(self) -> list[Change]:
        """Each dimension's score before and now (the page stores only now and the change)."""
        changes = []
        for line in self.page.dimensions:
            label = line.dimension.localized("name") if line.dimension else line.row.code
            before = None if line.change is None else line.row.score - line.change
            changes.append(Change(label, before, line.row.score, line.change, line.row.weight))
        return changes


@dataclass(frozen=True, slots=True)
class Change:
    label: str
    before: float | None
    now: float | None
    change: float | None
    weight: float | None = None

    @property
    def verdict(self) -> str | None:
        """A higher dimension score is better."""
        return formatting.change_verdict(self.change)


def methodology(run, page: RunPage) -> Methodology:
    """The appendix: the engine's own result for the run's snapshot and values, with every
    intermediate figure (the ratio before clamping, each dimension's points) it computed."""
    result = run_result(run)
    names = {line.row.code: line.indicator for line in page.indicators}
    dimension_names = {
        line.row.code: (line.dimension.localized("name") if line.dimension else line.row.code)
        for line in page.dimensions
    }
    lines = tuple(
        WorkedLine(
            code=i.code,
            label=names[i.code].localized("name") if names.get(i.code) else i.code,
            dimension=dimension_names.get(i.dimension, i.dimension),
            unit=names[i.code].localized("unit") if names.get(i.code) else "",
            value=i.value,
            worst=i.worst,
            best=i.best,
            weight=i.weight,
            ratio=i.ratio,
            normalized=i.normalized,
            contribution=i.contribution,
            potential_gain=i.potential_gain,
        )
        for i in result.indicators
    )
    snapshot = run.scheme_snapshot or {}
    bands = tuple(
        Band(
            str(band["grade"]),
            float(band["min_score"]),
            grade_label(band.get("label", "")),
        )
        for band in snapshot.get("grade_bands", [])
    )
    scheme = getattr(run, "scheme", None)
    return Methodology(
        scheme_name=scheme.localized("name") if scheme is not None else run.scheme_slug,
        slug=result.scheme,
        version=result.scheme_version,
        lines=lines,
        dimensions=tuple(
            DimensionSum(dimension_names.get(d.code, d.code), d.weight, d.contribution, d.score)
            for d in result.dimensions
        ),
        bands=bands,
        total_weight=sum(d.weight for d in result.dimensions),
        total_contribution=sum(d.contribution for d in result.dimensions),
        overall=result.overall,
        provenance=ahp_provenance(snapshot.get("ahp"), selectors.run_reference(run)),
    )


def ahp_provenance(comparisons: object, reference=None) -> tuple[AhpMatrix, ...]:
    """The stored comparisons as matrices people read, each with what the engine derives from
    it (weights, lambda_max, CR); empty when there are none or they are unreadable. Named as
    ``reference`` (a run's kept names) says, else as the rows are now."""
    if not isinstance(comparisons, dict):
        return ()
    dimensions, indicators = reference or selectors.reference()
    levels = [(_("Dimensions"), comparisons.get("dimensions"), dimensions)]
    inside = comparisons.get("indicators")
    for code, level in inside.items() if isinstance(inside, dict) else ():
        name = dimensions[code].localized("name") if code in dimensions else code
        levels.append((name, level, indicators))
    matrices = []
    for title, level, names in levels:
        try:
            criteria, matrix = level["criteria"], level["matrix"]
            result = ahp(criteria, matrix)
        except (TypeError, KeyError, ScoringError):
            return ()  # not what scheme_apply_ahp writes: claim no provenance
        if len(criteria) < 2:
            continue
        labels = tuple(names[c].localized("name") if c in names else c for c in criteria)
        rows = tuple(
            AhpRow(label, tuple(formatting.saaty(x) for x in row), weight)
            for label, row, weight in zip(labels, matrix, result.weights.values(), strict=True)
        )
        matrices.append(AhpMatrix(str(title), labels, rows, result.lambda_max, result.cr))
    return tuple(matrices)


def enterprise_profile(enterprise) -> list[tuple[str, str]]:
    """The cover's facts about the enterprise, labelled in the active language."""
    rows = []
    place = ", ".join(p for p in (enterprise.city, enterprise.get_province_display()) if p)
    if place:
        rows.append((str(_("Location")), place))
    if enterprise.size_band:
        rows.append((str(_("Size")), str(enterprise.get_size_band_display())))
    modes = [str(mode) for mode in enterprise.operation_modes.all()]
    if modes:
        rows.append((str(_("Operation modes")), listing(modes)))
    platforms = enterprise.platform_labels()
    if platforms:
        rows.append((str(_("Main platforms")), listing(platforms)))
    return rows


def checklist_answers(run) -> tuple[list[ChecklistAnswerLine], float | None]:
    """The checklist answers behind the environmental score, when it was computed (issue 15),
    with the engine's own arithmetic; nothing when the score was typed."""
    result = complete_checklist(run.checklist) if run.checklist else None
    if result is None:
        return [], None
    labels = dict(ChecklistAnswer.choices)
    lines = [
        ChecklistAnswerLine(
            str(labels.get(line.key, line.key)), line.kind, line.answer, line.factor, line.points
        )
        for line in result.lines
    ]
    return lines, result.total


def evidence_lines(run, indicators: dict) -> list[EvidenceLine]:
    """The files attached to the run's assessment: name, indicator, size (one query)."""
    return [
        EvidenceLine(
            item.original_name,
            indicators[item.indicator_code].localized("name")
            if item.indicator_code in indicators
            else item.indicator_code,
            item.size,
            item.uploaded_at,
        )
        for item in Evidence.objects.filter(assessment_id=run.assessment_id).order_by(
            "indicator_code", "uploaded_at", "id"
        )
    ]


def _recommendations(run, position: peers.PeerPosition) -> list:
    """The same shortlist as the result page, measured against the same cohort."""
    return recommend.shortlist(recommend.cached_recommendations(run, cohort=position.cohort))


def report_data(
    run, *, user, grant_id: int | None = None, check_code: str | None = None
) -> ReportData:
    """Gather a succeeded run's report, after checking again that ``user`` may read it.

    Raises Http404 for an outsider (as the views do) and for a run that has not succeeded.
    With ``grant_id``: the shared variant, read through that grant (``access.shared_through``:
    an ended grant raises its explaining 403), with the check address of ``check_code``.
    """
    if grant_id is not None:
        shared = access.shared_through(user, grant_id, run.year, run.quarter)
        enterprise, evidence = shared.enterprise, shared.evidence
        if run.enterprise_id != enterprise.pk:
            raise Http404
    else:
        enterprise = access.enterprise_for_member(user, run.enterprise_id).enterprise
        evidence = True
    if run.status != run.Status.SUCCEEDED:
        raise Http404("This evaluation has no result yet.")
    page = selectors.run_page(run)
    position = peers.peer_position(run)
    checklist, checklist_total = checklist_answers(run)
    return ReportData(
        enterprise=enterprise,
        run=run,
        page=page,
        methodology=methodology(run, page),
        profile=enterprise_profile(enterprise),
        recommendations=_recommendations(run, position),
        rule=str(recommend.RULE),
        peers=position,
        peer_chart=position.chart(),
        plan=None if grant_id is not None else plans.report_plan(run),
        language=get_language() or "en",
        checklist=checklist,
        checklist_total=checklist_total,
        stamps=verification.stamps_for(run.assessment_id),
        evidence=evidence_lines(run, selectors.run_reference(run)[1]) if evidence else [],
        shared=grant_id is not None,
        evidence_shared=evidence,
        check_url=check_url(check_code) if check_code else "",
    )


def check_url(code: str) -> str:
    """The public page where anyone can check a shared report's figures."""
    return absolute_url(reverse("sharing:check", args=[code]))


def filename(data: ReportData, extension: str) -> str:
    """``alice-trading-co-2025-Q4-evaluation.pdf``: who, when and what, safe on every disk."""
    name = slugify(data.enterprise.name, allow_unicode=True)[:60].strip("-")
    who = name or f"enterprise-{data.enterprise.pk}"
    return f"{who}-{data.run.year}-Q{data.run.quarter}-evaluation.{extension}"
