"""Indicator values that arrive in spreadsheets (PRODUCT.md section 10): a template per programme
and period, and its upload written as drafts that each enterprise confirms and submits.

The template (XLSX): one row per enterprise that joined, one column per indicator of the
programme's scheme and per answer of the environmental checklist; a header row in the chosen
language with each unit; data validation in the cells (a number in the indicator's range, a
share from 0 to 100, yes/no from a list of the template's own words).

The upload is all-or-nothing. Every row is checked and each bad cell reported (row, column,
reason, in the reader's language); nothing is written unless every row is valid. A row must
name an enterprise that joined the programme (its grant active), once; a blank cell leaves that
field empty in the draft; yes/no cells take the template's words in either language or
TRUE/FALSE; the environmental score is typed or computed from the checklist, not both; a row
for an enterprise that already submitted the period, or has a draft of its own for it, is
invalid (a draft this programme imported and nobody changed since may be replaced). Rows whose
every value cell is blank are skipped. The drafts are marked "entered by <organisation>"
(``ImportedDraft``): an organisation never submits or scores for an enterprise.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from enterprises.models import Enterprise
from evaluations.models import Assessment, Indicator
from evaluations.models.assessments import period_label
from evaluations.reports.data import Built
from evaluations.reports.tables import XLSX_TYPE, neutralise
from evaluations.scoring.checklist import ITEMS as CHECKLIST_ITEMS
from evaluations.scoring.checklist import complete_checklist
from evaluations.services.assessments import ENV_CODE
from programmes.models import ImportedDraft, Programme, parse_period
from programmes.selectors import granted_invitees

from .spreadsheets import SpreadsheetRefused, column_name, read_rows

MAX_ROWS = 5000
ID_COLUMN = "enterprise"
FIXED = ("enterprise", "name", "credit_code")
YES_WORDS = {"yes", "是", "true", "y", "1"}
NO_WORDS = {"no", "否", "false", "n", "0"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class ImportRefused(ValueError):
    """The whole file is refused (not the template, malformed, formulas, too large)."""


@dataclass(frozen=True)
class Column:
    key: str  # an indicator code, a checklist key, or one of FIXED
    kind: str  # "id", "info", "number", "share", "yes"
    indicator: Indicator | None = None

    def header(self) -> str:
        """The heading in the active language, with the unit."""
        if self.key == "enterprise":
            return _("Enterprise number (do not change)")
        if self.key == "name":
            return _("Enterprise")
        if self.key == "credit_code":
            return _("Unified social credit code")
        if self.indicator is not None:
            return f"{self.indicator.localized('name')} ({self.indicator.localized('unit')})"
        return str(_checklist_headers()[self.key])


def _checklist_headers() -> dict[str, str]:
    return {
        "green_packaging_pct": _(
            "Checklist: shipments in reduced, recyclable or reusable packaging (%)"
        ),
        "low_carbon_shipping_pct": _("Checklist: shipments by lower-carbon modes (%)"),
        "emissions_reported": _("Checklist: emissions measured and reported (yes/no)"),
        "reduction_target": _("Checklist: an emission-reduction target is set (yes/no)"),
        "renewable_electricity_pct": _("Checklist: renewable share of own electricity (%)"),
        "returns_programme": _("Checklist: a returns-reduction or reuse programme runs (yes/no)"),
    }


def columns(programme: Programme) -> list[Column]:
    """The template's columns for a programme: who, then its scheme's indicators in display
    order, then the checklist's answers."""
    rows = programme.scheme.rows.select_related("indicator__dimension")
    indicators = sorted(
        (row.indicator for row in rows),
        key=lambda i: (i.dimension.order, i.order, i.code),
    )
    made = [Column("enterprise", "id"), Column("name", "info"), Column("credit_code", "info")]
    made += [Column(i.code, "number", i) for i in indicators]
    if any(i.code == ENV_CODE for i in indicators):
        made += [Column(key, kind) for key, kind, _factor in CHECKLIST_ITEMS]
    return made


def _yes_no_words() -> tuple[str, str]:
    return pgettext("spreadsheet answer", "yes"), pgettext("spreadsheet answer", "no")


def import_template(*, programme: Programme, period: str, language: str | None = None) -> Built:
    """The XLSX to fill in: one row per enterprise that joined, in ``language`` (else the
    active one)."""
    parse_period(period)
    with translation.override(language or translation.get_language()):
        cols = columns(programme)
        yes, no = _yes_no_words()
        book = Workbook()
        sheet = book.active
        sheet.title = _("Values")
        sheet.append([col.header() for col in cols])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        sheet.freeze_panes = "D2"
        invitees = list(granted_invitees(programme).select_related("enterprise").order_by("name"))
        for invitee in invitees:
            enterprise = invitee.enterprise
            sheet.append([enterprise.pk, neutralise(enterprise.name), enterprise.credit_code or ""])
        last = max(len(invitees) + 1, 2) + 200  # room for rows typed below
        for index, col in enumerate(cols):
            letter = column_name(index)
            sheet.column_dimensions[letter].width = 16 if index else 12
            cells = f"{letter}2:{letter}{last}"
            rule = _validation(col, yes, no)
            if rule is not None:
                sheet.add_data_validation(rule)
                rule.add(cells)
        sheet.column_dimensions["B"].width = 36
        notes = book.create_sheet(_("How to fill it in"))
        for line in (
            _("Programme: %(name)s") % {"name": programme.name},
            _("Period: %(period)s") % {"period": _period_label(period)},
            _("One row per enterprise that joined the programme; keep the first column as it is."),
            _("A blank cell leaves that field empty in the enterprise's draft."),
            _("Yes/no answers: %(yes)s or %(no)s (TRUE or FALSE also work).")
            % {"yes": yes, "no": no},
            _(
                "Give the environmental impact score or the checklist's answers, not both: "
                "with the checklist the score is computed."
            ),
            _(
                "Values become drafts marked as entered by your organisation; each enterprise "
                "checks, completes and submits its own. Nothing is submitted or scored for it."
            ),
            _(
                "A row for an enterprise that already submitted this period, or has its own "
                "draft for it, is refused."
            ),
        ):
            notes.append([neutralise(str(line))])
        notes.column_dimensions["A"].width = 110
        buffer = io.BytesIO()
        book.save(buffer)
    name = f"{slugify(programme.name) or 'programme'}-{period}-template.xlsx"
    return Built(name, XLSX_TYPE, buffer.getvalue())


def _period_label(period: str) -> str:
    return period_label(*parse_period(period))


def _validation(col: Column, yes: str, no: str) -> DataValidation | None:
    title = _("Invalid value")
    if col.kind == "id":
        rule = DataValidation(type="whole", operator="greaterThan", formula1="0")
    elif col.kind == "number":
        low = float(col.indicator.min_value or 0)
        if col.indicator.max_value is not None:
            high = float(col.indicator.max_value)
            rule = DataValidation(
                type="decimal", operator="between", formula1=str(low), formula2=str(high)
            )
            rule.error = _("A number from %(low)s to %(high)s.") % {
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
        else:
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(low))
            rule.error = _("A number of at least %(low)s.") % {"low": f"{low:g}"}
    elif col.kind == "share":
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        rule.error = _("A percentage from 0 to 100.")
    elif col.kind == "yes":
        rule = DataValidation(type="list", formula1=f'"{yes},{no}"')
        rule.error = _("%(yes)s or %(no)s.") % {"yes": yes, "no": no}
    else:
        return None
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorTitle = title
    return rule


# --- Upload -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str  # the spreadsheet's letter
    heading: str
    reason: str


@dataclass
class RowValues:
    row: int
    enterprise_id: int
    values: dict[str, float] = field(default_factory=dict)
    checklist: dict[str, object] = field(default_factory=dict)
    replace: Assessment | None = None

    @property
    def empty(self) -> bool:
        return not self.values and not self.checklist


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    skipped: int = 0
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _headers_of(programme: Programme) -> tuple[list[Column], set[tuple[str, ...]]]:
    """The columns, and the header rows accepted: the template's in any site language."""
    cols = columns(programme)
    accepted = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            accepted.add(tuple(_normal(col.header()) for col in cols))
    return cols, accepted


def _normal(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int | float | Decimal):
        value = float(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("%", "").replace("−", "-")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def _yes_no(raw: object, yes: set[str], no: set[str]) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().casefold()
    if word in yes:
        return True
    if word in no:
        return False
    raise ValueError


def import_validate(
    *, programme: Programme, period: str, upload
) -> tuple[ImportReport, list[RowValues]]:
    """Check every row; nothing is written. ImportRefused for a file that is not the filled-in
    template (or not readable at all)."""
    year, quarter = parse_period(period)
    try:
        rows = read_rows(upload, max_rows=MAX_ROWS + 1)
    except SpreadsheetRefused as error:
        raise ImportRefused(str(error)) from None
    cols, accepted = _headers_of(programme)
    if not rows or tuple(_normal(cell) for cell in rows[0][1][: len(cols)]) not in accepted:
        raise ImportRefused(
            _(
                "This is not the template of this programme: its first row must be the "
                "template's headings. Download the template and fill it in."
            )
        )
    yes_words = set(YES_WORDS)
    no_words = set(NO_WORDS)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            y, n = _yes_no_words()
            yes_words.add(y.casefold())
            no_words.add(n.casefold())

    granted = set(granted_invitees(programme).values_list("enterprise_id", flat=True))
    existing = {
        a.enterprise_id: a
        for a in Assessment.objects.filter(
            enterprise_id__in=granted, year=year, quarter=quarter
        ).select_related("imported")
    }
    report = ImportReport()
    found: list[RowValues] = []
    seen: dict[int, int] = {}
    headers = [col.header() for col in cols]

    def problem(number: int, index: int, reason: str) -> None:
        report.problems.append(CellProblem(number, column_name(index), headers[index], reason))

    for number, cells in rows[1:]:
        report.rows += 1
        cells = list(cells) + [None] * (len(cols) - len(cells))
        extra = [i for i in range(len(cols), len(cells)) if cells[i] not in (None, "")]
        for index in extra:
            report.problems.append(
                CellProblem(
                    number, column_name(index), "", _("This column is not in the template.")
                )
            )
        raw_id = cells[0]
        try:
            enterprise_id = int(_number(raw_id))
            if enterprise_id != _number(raw_id):
                raise ValueError
        except (TypeError, ValueError):
            problem(number, 0, _("The enterprise number is missing or not a whole number."))
            continue
        if enterprise_id not in granted:
            problem(number, 0, _("No enterprise with this number has joined the programme."))
            continue
        if enterprise_id in seen:
            problem(
                number,
                0,
                _("This enterprise already has a row (row %(row)d).")
                % {"row": seen[enterprise_id]},
            )
            continue
        seen[enterprise_id] = number
        row = RowValues(number, enterprise_id)
        for index, col in enumerate(cols):
            raw = cells[index]
            if (
                col.kind in ("id", "info")
                or raw is None
                or (isinstance(raw, str) and not raw.strip())
            ):
                continue
            if col.kind == "yes":
                try:
                    row.checklist[col.key] = _yes_no(raw, yes_words, no_words)
                except ValueError:
                    problem(number, index, _("Answer yes or no."))
                continue
            try:
                value = _number(raw)
            except (TypeError, ValueError):
                problem(number, index, _("Not a number."))
                continue
            if col.kind == "share":
                if not 0 <= value <= 100:
                    problem(number, index, _("A percentage from 0 to 100."))
                    continue
                row.checklist[col.key] = value
                continue
            low = float(col.indicator.min_value or 0)
            high = None if col.indicator.max_value is None else float(col.indicator.max_value)
            if value < low:
                problem(
                    number,
                    index,
                    _("Below %(low)s, the lowest possible value.") % {"low": f"{low:g}"},
                )
                continue
            if high is not None and value > high:
                problem(
                    number,
                    index,
                    _("Above %(high)s, the highest possible value.") % {"high": f"{high:g}"},
                )
                continue
            row.values[col.key] = value
        if row.checklist and ENV_CODE in row.values:
            index = next(i for i, col in enumerate(cols) if col.key == ENV_CODE)
            problem(
                number,
                index,
                _("Give the environmental impact score or the checklist's answers, not both."),
            )
        assessment = existing.get(enterprise_id)
        if assessment is not None:
            if not assessment.is_draft:
                problem(number, 0, _("This enterprise has already submitted this period."))
            elif not _replaceable(assessment, programme):
                problem(number, 0, _("This enterprise has its own draft for this period."))
            else:
                row.replace = assessment
        found.append(row)
    if report.rows > MAX_ROWS:
        raise ImportRefused(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
    return report, found


def _replaceable(assessment: Assessment, programme: Programme) -> bool:
    """A draft this programme imported, unchanged since (what it holds is what was written)."""
    imported = getattr(assessment, "imported", None)
    return (
        imported is not None
        and imported.programme_id == programme.pk
        and assessment.values == imported.values
        and assessment.env_checklist == imported.checklist
    )


class ImportChanged(ImportRefused):
    """An enterprise changed its assessment of the period between the check and the write."""


def import_drafts(*, programme: Programme, period: str, upload, user) -> ImportReport:
    """Validate, then write every row as a draft in one transaction, or nothing.

    One INSERT (or UPDATE) per draft and one per marker, each recorded by the audit trail; the
    environmental score is the checklist's total whenever the checklist is complete, as
    ``evaluations.services.assessments.assessment_save`` stores it. Rows to replace are locked
    and checked again; an assessment made meanwhile refuses the whole import."""
    report, rows = import_validate(programme=programme, period=period, upload=upload)
    if not report.ok:
        return report
    year, quarter = parse_period(period)
    rows = [row for row in rows if not row.empty]
    report.skipped = report.rows - len(rows)
    enterprises = Enterprise.objects.in_bulk([row.enterprise_id for row in rows])
    try:
        with transaction.atomic():
            replaced = {
                a.pk: a
                for a in Assessment.objects.select_for_update(of=("self",))
                .select_related("imported")
                .filter(pk__in=[row.replace.pk for row in rows if row.replace])
            }
            for row in rows:
                _write_draft(
                    row,
                    replaced,
                    enterprise=enterprises[row.enterprise_id],
                    programme=programme,
                    year=year,
                    quarter=quarter,
                    user=user,
                )
                report.written += 1
    except IntegrityError:
        raise ImportChanged(
            _("An enterprise started this period's assessment meanwhile; upload the file again.")
        ) from None
    return report


def _write_draft(
    row: RowValues, replaced: dict, *, enterprise, programme, year, quarter, user
) -> None:
    values = dict(row.values)
    mode = Assessment.EnvMode.CHECKLIST if row.checklist else Assessment.EnvMode.TYPED
    if row.checklist:
        checklist = complete_checklist(row.checklist)
        if checklist is not None:
            values[ENV_CODE] = checklist.total
    if row.replace is not None:
        assessment = replaced.get(row.replace.pk)
        if assessment is None or not assessment.is_draft or not _replaceable(assessment, programme):
            raise IntegrityError("changed meanwhile")
    else:
        assessment = Assessment(enterprise=enterprise, year=year, quarter=quarter, created_by=user)
    assessment.enterprise = enterprise  # the audit trail names it without a query
    assessment.values = values
    assessment.env_mode = mode
    assessment.env_checklist = dict(row.checklist)
    assessment.updated_by = user
    with transaction.atomic():
        assessment.save()
    marker = getattr(assessment, "imported", None) if row.replace is not None else None
    if marker is None:
        marker = ImportedDraft(assessment=assessment)
    marker.programme = programme
    marker.values = assessment.values
    marker.checklist = assessment.env_checklist
    marker.imported_by = user
    marker.save()
