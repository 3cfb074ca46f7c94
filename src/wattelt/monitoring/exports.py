"""A report as CSV, XLSX or PDF: exactly the figures of the dashboard ("<10" where
hidden), with the selection described at the top."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from wattelt.spreadsheets import SafeCsvWriter, append_safe

from .report import Report


def report_rows(report: Report) -> list[list[str]]:
    """The figures in long form: section, row, column, value."""
    rows = []
    for section in report.all_sections:
        for label, values in section.rows:
            for header, value in zip(section.headers, values, strict=True):
                rows.append([section.title, label, header, value])
    return rows


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out, delimiter=";")
    for name, value in report.description:
        writer.writerow([name, value])
    writer.writerow([])
    writer.writerow([_("Figure"), _("Row"), _("Column"), _("Value")])
    writer.writerows(report_rows(report))
    return "\ufeff" + out.getvalue()  # a BOM, so spreadsheet programs read UTF-8


def report_xlsx(report: Report) -> bytes:
    """One sheet describing the selection, one with every figure in long form, and one
    sheet per figure laid out as its table."""
    from openpyxl import Workbook  # on first use: over half a second of a server's start
    from openpyxl.styles import Font

    book = Workbook()
    about = book.active
    assert about is not None
    about.title = _("Selection")[:31]
    for name, value in report.description:
        append_safe(about, [name, value])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 90
    figures = book.create_sheet(_("Figures")[:31])
    append_safe(figures, [_("Figure"), _("Row"), _("Column"), _("Value")])
    for cell in figures[1]:
        cell.font = Font(bold=True)
    for row in report_rows(report):
        append_safe(figures, row)
    for n, section in enumerate(report.all_sections, start=1):
        sheet = book.create_sheet(f"{n} {section.title}"[:31].replace("/", "-"))
        append_safe(sheet, [section.title])
        sheet["A1"].font = Font(bold=True)
        append_safe(sheet, [section.caption])
        append_safe(sheet, ["", *section.headers])
        for label, values in section.rows:
            append_safe(sheet, [label, *values])
        sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def _report_css() -> str:
    path = finders.find("monitoring/report.css")
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


def report_pdf(request: HttpRequest, report: Report, municipality: str) -> bytes:
    """The quarterly report: a cover with the selection, the definitions and the
    suppression rule, then every figure as its chart and table."""
    html = render_to_string(
        "monitoring/report_pdf.html",
        {"report": report, "municipality": municipality, "css": _report_css()},
        request=request,
    )
    import weasyprint  # on first use: it costs an app server's start over a second

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
