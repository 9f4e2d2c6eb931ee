"""The audit trail as XLSX: the entries a trail page's filters select, one row each.

Every text cell goes through the reports' ``neutralise`` (a name, a file name or a user agent
typed as ``=HYPERLINK(...)`` stays text) and loses the control characters XLSX cannot hold;
times are the site's local time.
"""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from audit import trail
from audit.models import LogEntry
from enterprises.models import Enterprise
from evaluations.reports.tables import XLSX_TYPE, neutralise

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def xlsx(entries: QuerySet[LogEntry], *, enterprise: Enterprise | None) -> tuple[bytes, str, str]:
    """(content, file name, content type) for ``core.http.private_download``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail")[:31])
    header = [_("When"), _("Who"), _("E-mail address")]
    if enterprise is None:
        header.append(_("Enterprise"))
    header += [
        _("Kind"),
        _("Object"),
        _("Action"),
        _("What changed"),
        _("IP address"),
        _("User agent"),
    ]
    bold = Font(bold=True)
    sheet.append([_cell(sheet, text, font=bold) for text in header])
    for row in trail.describe_all(entries):
        values = [timezone.make_naive(row.when), row.who, row.email]
        if enterprise is None:
            values.append(row.enterprise)
        values += [
            row.kind,
            row.subject,
            row.action,
            row.changes_text(),
            row.ip,
            row.entry.user_agent,
        ]
        sheet.append([_cell(sheet, value) for value in values])
    out = io.BytesIO()
    workbook.save(out)
    scope = f"-{enterprise.pk}" if enterprise else ""
    name = f"audit-trail{scope}-{timezone.localdate().isoformat()}.xlsx"
    return out.getvalue(), name, XLSX_TYPE


def _cell(sheet, value, *, font: Font | None = None) -> WriteOnlyCell:
    if isinstance(value, str):  # control characters (a forged User-Agent) are not valid XLSX
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if font is not None:
        cell.font = font
    if hasattr(value, "year"):
        cell.number_format = DATETIME_FORMAT
    return cell
