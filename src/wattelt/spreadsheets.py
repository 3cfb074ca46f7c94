"""Cells for CSV and XLSX exports that a spreadsheet program shows as text, never runs.

A cell that starts with = + - @ (or a tab or carriage return, which some programs skip
before looking) is read as a formula: a name like `=HYPERLINK("http://…")` typed into a
form would become a live link in the municipality's spreadsheet (CSV/formula
injection, OWASP). Every exporter writes its rows through `SafeCsvWriter` (CSV) or
`append_safe` (XLSX); numbers stay numbers, negative ones and text like "-3" too."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # openpyxl costs an app server's start over half a second
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is just a number ("-3", "+2,5", "-10%") is read as that number, not run; a
# lone "-" (no value) is plain text.
_NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]+)?%?)?", re.ASCII)


def is_formula(value: object) -> bool:
    """Whether a spreadsheet program would read this text as a formula."""
    return (
        isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)
    )


def safe_cell(value: Any) -> Any:
    """For CSV: the value, with text that a spreadsheet would run as a formula prefixed
    by an apostrophe, so it is shown as text. Numbers and other text pass unchanged."""
    return "'" + value if is_formula(value) else value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def append_safe(sheet: Worksheet, row: Iterable[Any]) -> None:
    """For XLSX: append a row whose text cells stay text. openpyxl stores a string that
    starts with "=" as a formula; typed as a string it is shown exactly as written."""
    values = list(row)
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if is_formula(value):
            cell.data_type = "s"


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeCsvWriter:
    """csv.writer with every cell through `safe_cell`."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer: _Writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
