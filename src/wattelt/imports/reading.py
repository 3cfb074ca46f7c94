"""Reading an uploaded CSV or XLSX file into rows of text, refusing what is malformed:
not UTF-8, too big, a formula in a cell, unknown or missing columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator

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
# (`is_formula`) runs only on lines with one, most lines have none. Searched in the
# row's cells each after a NUL: the literal first character lets the search skip ahead
# (`(?:^|\x00)` was tried at every position: 2.3 s of the first pass's 6.5 s per million
# rows, now 0.9 s; bench/RESULTS.md, import15e).
_MAY_BE_FORMULA = re.compile(r"\x00\s*[=+\-@]")
_REVIEW = re.compile(r"vorig_doel_([0-9]{1,2})_status", re.ASCII)


class Unreadable(Exception):
    """The file as a whole cannot be imported; the message says why, in Dutch."""


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


class Source:
    """An uploaded file opened for reading row by row: `rows()` reads it from the top
    each time it is called, so a file is read twice (the lookups' pass and the checking
    pass, `services.py`) without ever holding its rows (a million dicts took 4 GB).
    Opening checks what can be checked without reading the rows (size, type, UTF-8,
    the columns); a formula or too many rows is found by the first pass."""

    def __init__(self, file_name: str, content: bytes, domain_keys: set[str]) -> None:
        if len(content) > MAX_BYTES:
            raise Unreadable(_too_big(MAX_BYTES))
        name = file_name.lower()
        self.lines: Callable[[bytes], Iterator[list[str]]]
        if name.endswith(".xlsx"):
            if len(content) > XLSX_MAX_BYTES:
                raise Unreadable(_too_big(XLSX_MAX_BYTES))
            self.lines = _xlsx_lines
            self.limit = XLSX_MAX_ROWS
        elif name.endswith(".csv"):
            _check_utf8(content)
            self.lines = _csv_lines
            self.limit = MAX_ROWS
        else:
            raise Unreadable(_("Upload a .csv or .xlsx file."))
        self.content = content
        header = next(self._filled(), None)
        if header is None:
            raise Unreadable(_("The file is empty."))
        self.columns = [c.strip().lower() for c in header]
        check_columns(self.columns, domain_keys)

    def _filled(self) -> Iterator[list[str]]:
        return (line for line in self.lines(self.content) if any(map(str.strip, line)))

    def rows(self, checked: bool = False, stripped: bool = True) -> Iterator[tuple[int, list[str]]]:
        """The rows as (row number, cells), numbered as the file's rows without its empty
        lines (the header is row 1); the cells stripped of blanks unless not `stripped`
        (a pass that reads a few cells of a row strips those). Unless `checked` (a pass
        before found the file readable), a formula or one row too many raises
        `Unreadable`."""
        lines = self._filled()
        next(lines)
        strip = str.strip
        limit, columns = self.limit, self.columns
        for number, line in enumerate(lines, start=2):
            if not checked:
                if number - 1 > limit:
                    raise Unreadable(
                        _("The file has more than %(max)s rows; split it into smaller files.")
                        % {"max": limit}
                    )
                if _MAY_BE_FORMULA.search("\x00" + "\x00".join(line)):
                    _refuse_formula(number, line, columns)
            yield number, list(map(strip, line)) if stripped else line


def _too_big(limit: int) -> str:
    return _("The file is larger than %(mb)s MB; split it into smaller files.") % {
        "mb": limit // (1024 * 1024)
    }


def _refuse_formula(number: int, line: list[str], columns: list[str]) -> None:
    for index, value in enumerate(line):
        if is_formula(value.strip()):
            raise Unreadable(
                _("Row %(row)s, column %(column)s holds a formula; import values only.")
                % {"row": number, "column": columns[index] if index < len(columns) else index}
            )


def _check_utf8(content: bytes) -> None:
    """Decoded once as a whole (~0.1 s per 100 MB) so the message can name the byte; the
    text is not kept, the passes decode as they read."""
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(
            _("The file is not UTF-8 text (at byte %(n)s). Save it as “CSV UTF-8”.")
            % {"n": error.start}
        ) from error


def _csv_lines(content: bytes) -> Iterator[list[str]]:
    end = content.find(b"\n")
    first = content[: end if end >= 0 else len(content)]
    delimiter = ";" if first.count(b";") >= first.count(b",") else ","
    # BytesIO shares the bytes (no copy); the wrapper decodes as csv reads.
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    return csv.reader(text, delimiter=delimiter)


def _xlsx_lines(content: bytes) -> Iterator[list[str]]:
    try:
        from openpyxl import load_workbook  # on first use (an app server's start)

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise Unreadable(_("The file is not a readable XLSX workbook.")) from error
    try:
        for number, row in enumerate(book.worksheets[0].iter_rows(), start=1):
            if number > XLSX_MAX_ROWS + 2:  # one row too many is enough to refuse the file
                break
            for cell in row:
                if getattr(cell, "data_type", "") == "f":
                    raise Unreadable(
                        _("Cell %(cell)s holds a formula; import values only.")
                        % {"cell": cell.coordinate}
                    )
            yield [_text(cell.value) for cell in row]
    finally:
        book.close()


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
