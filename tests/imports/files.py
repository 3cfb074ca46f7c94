"""Import files for the tests, written as a team would save them."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from wattelt.residents.models import Trajectory

HEADER = [
    "bsn",
    "traject_start",
    "datum",
    "soort",
    "cijfer",
    "wonen_inwoner",
    "wonen_professional",
    "geld_inwoner",
    "geld_prioriteit",
    "doel_1",
    "doel_1_leefgebieden",
    "vorig_doel_1_status",
]


def rows_for(trajectory: Trajectory) -> list[list[str]]:
    """A start and a follow-up measurement of the trajectory, both right."""
    start = trajectory.started_on
    first = start + dt.timedelta(days=10)
    later = start + dt.timedelta(days=100)
    return [
        [
            "111222333",
            start.strftime("%d-%m-%Y"),
            first.strftime("%d-%m-%Y"),
            "start",
            "5",
            "40",
            "55",
            "20",
            "ja",
            "Ik wil mijn schulden op een rij",
            "geld",
            "",
        ],
        [
            "111222333",
            start.strftime("%d-%m-%Y"),
            later.strftime("%d-%m-%Y"),
            "vervolg",
            "7",
            "60",
            "",
            "45",
            "",
            "",
            "",
            "deels behaald",
        ],
    ]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    lines = [";".join(header), *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
