"""What dossier screening holds about one resident, for the privacy app: the findings
in the access request (inzage) and blanking the free text on erasure. Registered with the
privacy app in `apps.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models

from wattelt.privacy.registry import PersonalData

from .models import ScreeningItem, question_label


def _moment(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at else None


def resident_findings(resident_id: int) -> list[dict[str, Any]]:
    """Every screening of the resident's trajectories: when drawn, the answers, the
    notes, and whether they were shared and discussed."""
    items = (
        ScreeningItem.objects.filter(trajectory__resident_id=resident_id)
        .select_related("round", "screened_by", "discussed_by")
        .order_by("round__drawn_at", "pk")
    )
    return [
        {
            "trajectory": item.trajectory_number,
            "period_start": item.round.period_start.isoformat(),
            "period_end": item.round.period_end.isoformat(),
            "drawn_at": _moment(item.round.drawn_at),
            "screened_at": _moment(item.screened_at),
            "screened_by": str(item.screened_by) if item.screened_by else "",
            "answers": [
                {
                    "question": name,
                    "question_label": question_label(name),
                    "answer": getattr(item, name),
                    "answer_label": str(getattr(item, f"get_{name}_display")()),
                }
                for name in ScreeningItem.QUESTIONS
                if getattr(item, name)
            ],
            "notes": item.notes,
            "shared_at": _moment(item.shared_at),
            "discussed_at": _moment(item.discussed_at),
            "discussed_by": str(item.discussed_by) if item.discussed_by else "",
            "discussion_note": item.discussion_note,
        }
        for item in items
    ]


def erase_resident_findings(trajectory_ids: Iterable[int]) -> None:
    """Blank the free text about the resident's trajectories; the answers (codes) stay,
    so the round's counts do not shift."""
    ScreeningItem.objects.filter(trajectory_id__in=list(trajectory_ids)).update(
        notes="", discussion_note=""
    )


def _erase(trajectory_ids: list[int]) -> dict[type[models.Model], list[int]]:
    erase_resident_findings(trajectory_ids)
    return {}


PERSONAL_DATA = PersonalData(
    app="screening",
    resident_facts=lambda resident_id: {"screening": resident_findings(resident_id)},
    erase=_erase,
)
