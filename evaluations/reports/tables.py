"""CSV and XLSX downloads, and the staff cohort export that streams.

A run's table is a summary (enterprise, period, score, grade, scheme) and one row per indicator
with everything needed to recompute it: value, bounds, weight, normalized score, contribution.
Numbers are written unrounded, as numbers.

Text that a spreadsheet would run as a formula (a cell beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is neutralised with a leading apostrophe. Enterprise names and
cities are typed by users, so every text cell goes through ``neutralise``; numbers are never
touched (a negative change stays a number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import groupby

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from core.http import absolute_url
from enterprises.models import Province, SizeBand
from evaluations import formatting, plans, selectors
from evaluations.models import Indicator, RunIndicator
from evaluations.models.assessments import period_label
from evaluations.reports.data import Built, ReportData, filename, report_data

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # so that Excel opens UTF-8 (Chinese names) correctly
COHORT_CHUNK = 2000


def neutralise(value):
    """A text cell that a spreadsheet would evaluate becomes plain text ('=1+1 → '=1+1)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _row(values: Iterable) -> list:
    return [neutralise(value) for value in values]


# --- One run --------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return str(_("yes")) if value else str(_("no"))


def _local(moment):
    """A date and time as a spreadsheet takes it: local, without a time zone."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def summary_rows(data: ReportData) -> list[tuple[str, object]]:
    """What the report says on its cover. Scores follow the display rule (PRODUCT.md section
    8), each beside its unrounded value in a row of its own."""
    run, page = data.run, data.page
    band = run.robustness or {}
    rows = [
        (_("Enterprise"), data.enterprise.name),
        (_("Period"), run.period),
        (_("Overall score"), formatting.floor_score(run.overall)),
        (_("Overall score (unrounded)"), run.overall),
        (_("Grade"), f"{run.grade} ({data.grade_label})" if data.grade_label else run.grade),
        (_("Indicators with a value"), run.coverage),
        (_("Incomplete"), _yes_no(run.incomplete)),
    ]
    if band:
        rows += [
            (_("Robustness band: low (5th percentile)"), formatting.floor_score(band["low"])),
            (_("Robustness band: median"), formatting.floor_score(band["median"])),
            (_("Robustness band: high (95th percentile)"), formatting.floor_score(band["high"])),
            (_("Share of plausible schemes with the same grade"), band["same_grade"]),
        ]
    rows += [
        (_("Weight scheme"), data.methodology.scheme_name),
        (_("Weight scheme (code)"), data.methodology.slug),
        (_("Scheme version"), data.methodology.version),
        (_("Previous period"), page.previous.period if page.previous else ""),
        (_("Change since the previous period"), page.overall_change),
        (_("Evaluation"), run.pk),
        (_("Evaluated"), _local(run.finished_at)),
        (_("Generated"), _local(data.generated_at)),
    ]
    return rows


def dimension_header() -> list[str]:
    return [
        _("Dimension"),
        _("Weight"),
        _("Score"),
        _("Score (unrounded)"),
        _("Change since the previous period"),
    ]


def dimension_rows(data: ReportData) -> Iterator[list]:
    for change in data.dimension_changes:
        now = change.now
        yield [
            change.label,
            change.weight,
            None if now is None else formatting.floor_score(now),
            now,
            change.change,
        ]


def indicator_header() -> list[str]:
    return [
        _("Code"),
        _("Indicator"),
        _("Dimension"),
        _("Unit"),
        _("Value"),
        _("Worst"),
        _("Best"),
        _("Weight"),
        _("Normalized"),
        _("Score"),
        _("Contribution"),
        _("Potential gain"),
        _("Change since the previous period"),
        _("Score (unrounded)"),
        _("Contribution (unrounded)"),
        _("Potential gain (unrounded)"),
    ]


def indicator_rows(data: ReportData) -> Iterator[list]:
    """One row per indicator, the stored results beside the snapshot's bounds."""
    bounds = {line.code: line for line in data.methodology.lines}
    for line in data.page.indicators:
        row, worked = line.row, bounds.get(line.row.code)
        yield [
            row.code,
            line.indicator.localized("name") if line.indicator else row.code,
            worked.dimension if worked else row.dimension,
            line.indicator.localized("unit") if line.indicator else "",
            row.value if row.value is not None else str(_("not available")),
            worked.worst if worked else None,
            worked.best if worked else None,
            row.weight,
            row.normalized,
            formatting.floor_score(row.score),
            formatting.floor_score(row.contribution),
            formatting.floor_score(row.potential_gain),
            line.change,
            row.score,
            row.contribution,
            row.potential_gain,
        ]


def recommendation_header() -> list[str]:
    return [
        _("Rank"),
        _("Recommendation"),
        _("What if"),
        _("Points"),
        _("Points (unrounded)"),
        _("Basis in the paper"),
        _("Practice"),
    ]


def recommendation_rows(data: ReportData) -> Iterator[list]:
    for rank, group in enumerate(data.recommendations, start=1):
        for advice in group.items:
            points = advice.points
            yield [
                rank,
                advice.title,
                group.what_if,
                None if points is None else formatting.floor_score(points),
                points,
                advice.basis,
                advice.practice,
            ]


def peer_header() -> list[str]:
    return [
        "",
        _("You"),
        _("Percentile"),
        _("Lower quartile"),
        _("Median"),
        _("Upper quartile"),
    ]


def peer_rows(data: ReportData) -> Iterator[list]:
    """The position among peers, when the cohort is large enough to show it."""
    position = data.peers
    if position is None or not position.shown:
        return
    for label, box in [(_("Overall"), position.overall), *position.dimensions]:
        if box is not None:
            yield [str(label), box.value, box.percentile, box.q1, box.median, box.q3]


def plan_header() -> list[str]:
    return [
        _("Improvement action"),
        _("Indicator"),
        pgettext("plan action", "Owner"),
        _("Due date"),
        _("Status"),
        _("Planned from"),
        _("Expected points"),
        _("Expected points (unrounded)"),
        _("Achieved by this result"),
        _("Achieved (unrounded)"),
        _("Note"),
    ]


def _points(x: float | None) -> float | None:
    return None if x is None else formatting.floor_score(x)


def plan_rows(data: ReportData) -> Iterator[list]:
    """The earlier actions with what they achieved by this result, then the actions planned
    from this result. Dates are dates and points numbers (unrounded in columns of their own)."""
    plan = data.plan
    if not plan:
        return
    lines = [(review.action, review) for review in plan.reviews]
    lines += [(line.action, None) for line in plan.planned]
    for action, review in lines:
        achieved = review.achieved if review else None
        notes = (review.reason, review.scheme_note) if review else ()
        note = " ".join(part for part in notes if part)
        yield [
            action.title,
            plans.indicator_name(action.indicator_code),
            plans.owner_name(action),
            action.due_date,
            str(action.get_status_display()),
            action.period,
            _points(action.expected_points),
            action.expected_points,
            _points(achieved),
            achieved,
            note,
        ]


def plan_section(data: ReportData) -> tuple[str, list, list] | None:
    """The plan's table; None when the report leaves the plan out (the shared variant)."""
    if data.plan is None:
        return None
    return (_("Plan"), plan_header(), list(plan_rows(data)))


def verification_header() -> list[str]:
    return [_("Verified by"), _("State"), _("Analyst"), _("Date"), _("Comment or reason")]


def verification_rows(data: ReportData) -> Iterator[list]:
    """Each verifier's stamp on the submission (``evaluations.verification.stamps_for``)."""
    for stamp in data.stamps:
        yield [stamp.verifier, stamp.state_label, stamp.analyst, _local(stamp.date), stamp.comment]


def _sections(data: ReportData) -> list[tuple[str, list, list]]:
    """The report's tables after the summary: (title, header, rows)."""
    sections = [
        (_("Dimensions"), dimension_header(), list(dimension_rows(data))),
        (_("Indicators"), indicator_header(), list(indicator_rows(data))),
        (_("Recommendations"), recommendation_header(), list(recommendation_rows(data))),
        (_("Peers"), peer_header(), list(peer_rows(data))),
    ]
    if data.stamps:
        sections.append((_("Verification"), verification_header(), list(verification_rows(data))))
    plan = plan_section(data)
    return sections if plan is None else [*sections, plan]


def csv_bytes(data: ReportData) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerows(_row(pair) for pair in summary_rows(data))
    for title, header, rows in _sections(data):
        writer.writerow([])
        writer.writerow(_row([title]))
        writer.writerow(_row(header))
        writer.writerows(_row(values) for values in rows)
    return out.getvalue().encode("utf-8")


def _sheet_title(text: str) -> str:
    """Excel's rules for a sheet name: 31 characters, none of []:*?/\\."""
    return "".join(c for c in str(text) if c not in "[]:*?/\\")[:31] or "Sheet"


def xlsx_bytes(data: ReportData) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)

    summary = workbook.active
    summary.title = _sheet_title(_("Summary"))
    for pair in summary_rows(data):
        summary.append(_row(pair))
    for (cell,) in summary.iter_rows(min_col=1, max_col=1):
        cell.font = bold
    for (cell,) in summary.iter_rows(min_col=2, max_col=2):
        if cell.is_date:
            cell.number_format = "yyyy-mm-dd hh:mm"
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 40

    for title, header, rows in _sections(data):
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.append(_row(header))
        for cell in sheet[1]:
            cell.font = bold
        for values in rows:
            sheet.append(_row(values))
        sheet.freeze_panes = "A2"
        for column in "ABCD":
            sheet.column_dimensions[column].width = 28

    method = workbook.create_sheet(_sheet_title(_("Methodology")))
    for line in methodology_lines(data):
        method.append(_row(line))
    method.column_dimensions["A"].width = 60

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def methodology_lines(data: ReportData) -> list[list]:
    """The formulas and grade bands, so the workbook explains itself."""
    m = data.methodology
    lines: list[list] = [
        [_("Weight scheme"), m.scheme_name, m.slug, m.version],
        [],
        ["s = clamp((x − worst) / (best − worst), 0, 1)"],
        [_("contribution") + " = 100 · w · s"],
        [_("potential gain") + " = 100 · w · (1 − s)"],
        [_("dimension score") + " = 100 · Σ(w · s) / Σ w"],
        [_("overall score") + " = Σ " + _("contributions") + " / Σ w"],
        [
            _(
                "Scores are shown rounded down to one decimal (the unrounded values are in "
                "columns of their own), so the shown contributions may differ from the shown "
                "total by up to 0.1 per indicator."
            )
        ],
        [
            _("Which numbers come from the paper and which are this product's choices:"),
            absolute_url(reverse("methodology")),
        ],
        [],
        [_("Grade"), _("Overall score at least"), _("Meaning")],
    ]
    lines.extend([band.grade, band.min_score, band.label] for band in m.bands)
    return lines


def build_csv(run, *, user) -> Built:
    data = report_data(run, user=user)
    return Built(filename(data, "csv"), CSV_TYPE, csv_bytes(data))


def build_xlsx(run, *, user) -> Built:
    data = report_data(run, user=user)
    return Built(filename(data, "xlsx"), XLSX_TYPE, xlsx_bytes(data))


# --- The cohort (staff) ---------------------------------------------------------------------


RUN_FIELDS = (
    "run_id",
    "run__enterprise_id",
    "run__enterprise__name",
    "run__enterprise__province",
    "run__enterprise__city",
    "run__enterprise__size_band",
    "run__year",
    "run__quarter",
    "run__scheme_slug",
    "run__scheme_version",
    "run__overall",
    "run__grade",
    "run__created_at",  # when it was submitted: a submission creates its run
)
INDICATOR_FIELDS = ("code", "value", "normalized", "contribution")


def cohort_codes() -> list[str]:
    """The indicator columns: every code in the latest runs, in the indicators' order."""
    present = set(
        RunIndicator.objects.filter(run_id__in=selectors.latest_submitted_results())
        .values_list("code", flat=True)
        .distinct()
    )
    ordered = [code for code in Indicator.objects.values_list("code", flat=True) if code in present]
    return ordered + sorted(present - set(ordered))


def cohort_rows(*, chunk_size: int = COHORT_CHUNK) -> Iterator[list]:
    """Header, then one row per enterprise, read in chunks: memory stays flat however many.

    Three queries in all (codes, their order, the rows), never one per enterprise.
    """
    codes = cohort_codes()
    position = {code: i for i, code in enumerate(codes)}
    # Human labels in the reader's language, never a stored code (issue 15).
    provinces, sizes = dict(Province.choices), dict(SizeBand.choices)
    _dimensions, indicators = selectors.reference()
    names = {
        code: indicators[code].localized("name") if code in indicators else code for code in codes
    }
    yield [
        _("Enterprise id"),
        _("Enterprise"),
        _("Province"),
        _("City"),
        _("Size"),
        _("Period"),
        _("Scheme slug"),
        _("Scheme version"),
        _("Overall score"),
        _("Grade"),
        pgettext("a column: the date a result was submitted", "Submitted"),
        _("Evaluation"),
        *(
            f"{names[code]} · {label}"
            for code in codes
            for label in (_("value"), _("normalized"), _("contribution"))
        ),
    ]
    rows = (
        RunIndicator.objects.filter(run_id__in=selectors.latest_submitted_results())
        .order_by("run__enterprise__name", "run_id", "id")
        .values_list(*RUN_FIELDS, *INDICATOR_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    n = len(RUN_FIELDS)
    for _run_id, group in groupby(rows, key=lambda row: row[0]):
        first = None
        cells: list = [None] * (3 * len(codes))
        for row in group:
            first = first or row
            code, value, normalized, contribution = row[n:]
            at = 3 * position[code]
            cells[at : at + 3] = [value, normalized, contribution]
        (run_id, ent_id, name, province, city, size, year, quarter, slug, version) = first[:10]
        overall, grade, submitted = first[10:n]
        yield [
            ent_id,
            name,
            str(provinces.get(province, province or "")),
            city,
            str(sizes.get(size, size or "")),
            period_label(year, quarter),
            slug,
            version,
            overall,
            grade,
            timezone.localdate(submitted).isoformat() if submitted else "",
            run_id,
            *cells,
        ]


class _Echo:
    """A file whose write() hands back the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def cohort_csv(*, user, chunk_size: int = COHORT_CHUNK) -> Iterator[bytes]:
    """The streamed cohort CSV, line by line; staff only (checked here too)."""
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied
    writer = csv.writer(_Echo())

    def lines() -> Iterator[bytes]:
        yield BOM.encode("utf-8")
        for values in cohort_rows(chunk_size=chunk_size):
            yield writer.writerow(_row(values)).encode("utf-8")

    return lines()


def cohort_filename() -> str:
    return f"cohort-latest-evaluations-{timezone.localdate().isoformat()}.csv"
