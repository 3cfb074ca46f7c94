"""Reading an uploaded CSV or XLSX file into rows of text, refusing what is malformed:
not UTF-8, too big, a formula in a cell, unknown or missing columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wattelt.spreadsheets import is_formula

MAX_BYTES = 200 * 1024 * 1024
"""The upload bound: a CSV of 1,000,000 rows with five life domains is ~100 MB."""
MAX_ROWS = 1_000_000
XLSX_MAX_BYTES = 20 * 1024 * 1024
XLSX_MAX_ROWS = 100_000
"""An XLSX workbook is unpacked in memory cell by cell: larger histories go as CSV."""
PERSPECTIVE_COLUMNS = {"inwoner": "resident", "professional": "professional", "naaste": "carer"}
FIXED = {"bsn", "inwoner_nummer", "traject_start", "datum", "soort", "cijfer"}
_GOAL = re.compile(r"doel_([0-9]{1,2})(_leefgebieden)?", re.ASCII)
# A cell that may start with a formula character (after blanks): the exact check
# (`is_formula`) runs only on lines with one, most lines have none.
_MAY_BE_FORMULA = re.compile(r"(?:^|\x00)\s*[=+\-@]")
_REVIEW = re.compile(r"vorig_doel_([0-9]{1,2})_status", re.ASCII)


class Unreadable(Exception):
    """The file as a whole cannot be imported; the message says why, in Dutch."""


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, str]]  # in file order; row n of the file is rows[n - 2]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(
            _("The file is not UTF-8 text (at byte %(n)s). Save it as “CSV UTF-8”.")
            % {"n": error.start}
        ) from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx(content: bytes) -> list[list[str]]:
    try:
        from openpyxl import load_workbook  # on first use (an app server's start)

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise Unreadable(_("The file is not a readable XLSX workbook.")) from error
    sheet = book.worksheets[0]
    rows = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > XLSX_MAX_ROWS + 1:
            break
        for cell in row:
            if getattr(cell, "data_type", "") == "f":
                raise Unreadable(
                    _("Cell %(cell)s holds a formula; import values only.")
                    % {"cell": cell.coordinate}
                )
        rows.append([_text(cell.value) for cell in row])
    book.close()
    return rows


def read_table(file_name: str, content: bytes, domain_keys: set[str]) -> Table:
    if len(content) > MAX_BYTES:
        raise Unreadable(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if file_name.lower().endswith(".xlsx"):
        if len(content) > XLSX_MAX_BYTES:
            raise Unreadable(
                _("The file is larger than %(mb)s MB; split it into smaller files.")
                % {"mb": XLSX_MAX_BYTES // (1024 * 1024)}
            )
        lines = _xlsx(content)
        limit = XLSX_MAX_ROWS
    elif file_name.lower().endswith(".csv"):
        lines = _csv(content)
        limit = MAX_ROWS
    else:
        raise Unreadable(_("Upload a .csv or .xlsx file."))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise Unreadable(_("The file is empty."))
    if len(lines) - 1 > limit:
        raise Unreadable(
            _("The file has more than %(max)s rows; split it into smaller files.") % {"max": limit}
        )
    columns = [c.strip().lower() for c in lines[0]]
    check_columns(columns, domain_keys)
    rows = []
    strip = str.strip
    for number, line in enumerate(lines[1:], start=2):
        if not _MAY_BE_FORMULA.search("\x00".join(line)):
            rows.append(dict(zip(columns, map(strip, line), strict=False)))
            continue
        for index, value in enumerate(line):
            if is_formula(value.strip()):
                raise Unreadable(
                    _("Row %(row)s, column %(column)s holds a formula; import values only.")
                    % {"row": number, "column": columns[index] if index < len(columns) else index}
                )
        rows.append(dict(zip(columns, (v.strip() for v in line), strict=False)))
    return Table(columns, rows)


def _known(column: str, domain_keys: set[str]) -> bool:
    if column in FIXED or _GOAL.fullmatch(column) or _REVIEW.fullmatch(column):
        return True
    key, _sep, suffix = column.rpartition("_")
    return key in domain_keys and (suffix in PERSPECTIVE_COLUMNS or suffix == "prioriteit")


def check_columns(columns: list[str], domain_keys: set[str]) -> None:
    problems = []
    if "bsn" not in columns and "inwoner_nummer" not in columns:
        problems.append(_("a column “bsn” or “inwoner_nummer” is missing"))
    missing = [c for c in ("traject_start", "datum", "cijfer") if c not in columns]
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    unknown = [c for c in columns if not _known(c, domain_keys)]
    if unknown:
        problems.append(
            _("unknown columns (or unknown life domain codes): %(columns)s")
            % {"columns": ", ".join(unknown[:10])}
        )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        problems.append(_("columns twice: %(columns)s") % {"columns": ", ".join(duplicates)})
    if problems:
        raise Unreadable(
            _("The columns are not right: %(problems)s.") % {"problems": "; ".join(problems)}
        )
