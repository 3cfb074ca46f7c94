"""Template helpers for the board: inline pictograms and faces, chip positions."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

from ..board import band

register = template.Library()


@lru_cache(maxsize=64)
def _svg(name: str) -> str:
    path = finders.find(f"instrument/pictograms/{name}.svg")
    if not path:
        return ""
    return Path(str(path)).read_text(encoding="utf-8")


@register.simple_tag
def pictogram(name: str) -> SafeString:
    """The domain's pictogram inline, so it takes the text colour and prints in PDFs."""
    return mark_safe(_svg(name))


@register.simple_tag
def face(position: int | None) -> SafeString:
    """The face for a chip position; residents see faces, never numbers."""
    name = band(position)
    return mark_safe(_svg(f"face-{name}")) if name else mark_safe("")


@register.filter
def face_name(position: int | None) -> str:
    return band(position)


@register.filter
def goal_status(value: str) -> str:
    """The label of a goal status value, e.g. for statuses kept in a snapshot."""
    from ..models import Goal

    return str(Goal.Status(value).label) if value in Goal.Status.values else value
