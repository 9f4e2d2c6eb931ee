"""Reading an uploaded spreadsheet safely: XLSX (openpyxl, read-only) or CSV (UTF-8).

Refused with a clear message, before any row is looked at: a file that is not what its name
says, an XLSX whose parts would unpack to more than ``MAX_UNPACKED_BYTES`` (a zip bomb), a
malformed file, a cell holding a formula (a value computed by a formula is not a value anyone
typed, and it would be evaluated by whoever opens the file later), and more than ``max_rows``
rows. Cells come back as plain Python values (str, int, float, bool, datetime or None).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_UNPACKED_BYTES = 50 * 1024 * 1024


class SpreadsheetRefused(ValueError):
    """The whole file is refused; the message says why, for the person who uploaded it."""


def column_name(index: int) -> str:
    """The spreadsheet's name of a 0-based column: A, B, …, AA."""
    return get_column_letter(index + 1)


def read_rows(upload, *, max_rows: int) -> list[tuple[int, list]]:
    """(row number as the spreadsheet shows it, cells) for every row that is not empty."""
    name = (getattr(upload, "name", "") or "").lower()
    upload.seek(0)
    content = upload.read()
    rows = _csv_rows(content) if name.endswith(".csv") else _xlsx_rows(content)
    found = []
    for number, cells in rows:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        found.append((number, cells))
        if len(found) > max_rows:
            raise SpreadsheetRefused(
                _("The file has more than %(n)d rows; split it into several uploads.")
                % {"n": max_rows}
            )
    return found


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetRefused(
            _("The CSV file is not in UTF-8; save it as “CSV UTF-8” and upload it again.")
        ) from None
    if "\x00" in text:
        raise SpreadsheetRefused(_("This is not a CSV file."))
    try:
        parsed = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise SpreadsheetRefused(_("The CSV file is malformed: %s") % error) from None
    for number, cells in enumerate(parsed, start=1):
        for index, cell in enumerate(cells):
            if cell.startswith("=") and len(cell) > 1:
                raise SpreadsheetRefused(
                    _("Cell %(cell)s holds a formula; upload values only.")
                    % {"cell": f"{column_name(index)}{number}"}
                )
        yield number, [cell if cell.strip() else None for cell in cells]


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    if not content.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused(_("This is not an XLSX file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetRefused(_("The XLSX file is damaged and cannot be read.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetRefused(
            _("The XLSX file would unpack to more than %(mb)d MB; it is refused.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a malformed file
        raise SpreadsheetRefused(_("The XLSX file is damaged and cannot be read.")) from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    raise SpreadsheetRefused(
                        _("Cell %(cell)s holds a formula; upload values only.")
                        % {"cell": f"{column_name(index)}{number}"}
                    )
                cells.append(getattr(cell, "value", None))
            yield number, cells
    except SpreadsheetRefused:
        raise
    except Exception:  # noqa: BLE001 - a malformed sheet part
        raise SpreadsheetRefused(_("The XLSX file is damaged and cannot be read.")) from None
    finally:
        book.close()
