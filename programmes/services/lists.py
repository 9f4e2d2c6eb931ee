"""Lists of enterprises to invite (XLSX or CSV): name, credit code, contact e-mail address.

Every row is checked and every bad cell named (row, column, reason) before anything is written;
``invitees_add`` then invites all of them or none. A first row whose e-mail cell is not an
address is taken for headings and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .programmes import InviteeRow, invitee_row_clean
from .spreadsheets import SpreadsheetRefused, column_name, read_rows

MAX_ROWS = 2000
COLUMNS = ("name", "credit_code", "email")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # as the spreadsheet names it ("B"), or "" for the whole file
    reason: str


@dataclass
class ParsedList:
    rows: list[InviteeRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def invitee_list_read(upload) -> ParsedList:
    parsed = ParsedList()
    try:
        rows = read_rows(upload, max_rows=MAX_ROWS + 1)
    except SpreadsheetRefused as error:
        parsed.problems.append(Problem(0, "", str(error)))
        return parsed
    if rows and "@" not in str(_cell(rows[0][1], 2) or ""):
        rows = rows[1:]  # headings
    if not rows:
        parsed.problems.append(Problem(0, "", _("The list has no enterprise in it.")))
    for number, cells in rows:
        row, problems = invitee_row_clean(_cell(cells, 0), _cell(cells, 1), _cell(cells, 2))
        for column, reason in problems.items():
            parsed.problems.append(Problem(number, column_name(COLUMNS.index(column)), reason))
        parsed.rows.append(row)
    return parsed


def _cell(cells: list, index: int):
    return cells[index] if index < len(cells) else None
