"""The enterprise-level results an organisation was granted, as XLSX (EXPORT capability).

One row per enterprise and period: the latest succeeded run under the programme's scheme
version (an incomplete one marked so), shown scores by the display rule beside the unrounded
values, each dimension's score and each indicator's value. Text typed by people goes through
``neutralise`` (no formula runs when the file is opened). What is exported stays with the
organisation after a grant is revoked; the sheet says so.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from enterprises.models import Enterprise, Province
from evaluations import formatting, selectors
from evaluations.models.assessments import period_label
from evaluations.reports.data import Built
from evaluations.reports.tables import XLSX_TYPE, neutralise
from programmes.models import Programme
from programmes.selectors import granted_results

BOLD = Font(bold=True)


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def results_xlsx(programme: Programme, granted=None) -> Built:
    """``granted``: ``selectors.granted_results(programme)``, if the caller has it already."""
    dimensions, indicators = selectors.reference()
    granted = granted if granted is not None else granted_results(programme)
    enterprise_ids = [invitee.enterprise_id for invitee, _runs in granted]
    modes = {}
    for enterprise in Enterprise.objects.filter(pk__in=enterprise_ids).prefetch_related(
        "operation_modes"
    ):
        first = sorted(enterprise.operation_modes.all(), key=lambda mode: mode.pk)
        modes[enterprise.pk] = str(first[0]) if first else ""
    provinces = dict(Province.choices)

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Results"))
    header = [
        _("Enterprise"),
        _("Unified social credit code"),
        _("Primary operation mode"),
        _("Province"),
        _("Period"),
        _("Overall score"),
        _("Overall score (unrounded)"),
        _("Grade"),
        _("Incomplete"),
        *[
            _("%(dimension)s (score)") % {"dimension": d.localized("name")}
            for d in dimensions.values()
        ],
        *[f"{i.localized('name')} ({i.localized('unit')})" for i in indicators.values()],
        _("Evidence shared"),
        _("Evaluated"),
    ]
    sheet.append([neutralise(str(cell)) for cell in header])
    for invitee, runs in granted:
        enterprise = invitee.enterprise
        for run in runs:
            by_dimension = {row.code: row.score for row in run.dimensions.all()}
            by_indicator = {row.code: row.value for row in run.indicators.all()}
            sheet.append(
                [
                    neutralise(enterprise.name),
                    enterprise.credit_code or "",
                    modes.get(enterprise.pk, ""),
                    str(provinces.get(enterprise.province, "")),
                    period_label(run.year, run.quarter),
                    formatting.floor_score(run.overall),
                    run.overall,
                    run.grade,
                    _("yes") if run.incomplete else _("no"),
                    *[
                        None if by_dimension.get(code) is None else by_dimension[code]
                        for code in dimensions
                    ],
                    *[by_indicator.get(code) for code in indicators],
                    _("yes") if invitee.grant.include_evidence else _("no"),
                    _local(run.finished_at),
                ]
            )
    about = book.create_sheet(_("About"))
    for label, value in (
        (_("Programme"), programme.name),
        (_("Organisation"), programme.organisation.name),
        (_("Weight scheme"), programme.scheme.label),
        (_("Generated"), _local(timezone.now())),
        (
            _("Note"),
            _(
                "Only enterprises that joined the programme and have not revoked their grant "
                "are included. A copy exported before a grant was revoked stays with the "
                "organisation."
            ),
        ),
    ):
        about.append([str(label), neutralise(value) if isinstance(value, str) else value])
    buffer = io.BytesIO()
    book.save(buffer)
    name = f"{slugify(programme.name) or 'programme'}-results.xlsx"
    return Built(name, XLSX_TYPE, buffer.getvalue())
