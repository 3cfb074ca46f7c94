"""The plan as a PDF, from the same body template as the screen (WeasyPrint)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from .models import PlanVersion
from .services import PlanContents


@lru_cache(maxsize=1)
def _css() -> str:
    path = finders.find("implementation_plan/plan_pdf.css")
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


def render_plan_pdf(request: HttpRequest, version: PlanVersion, contents: PlanContents) -> bytes:
    """Styles are inline, so nothing is fetched while rendering."""
    html = render_to_string(
        "implementation_plan/plan_pdf.html",
        {
            "version": version,
            "contents": contents,
            "printed_on": timezone.localdate(),
            "css": _css(),
        },
        request=request,
    )
    import weasyprint  # on first use: it costs an app server's start over a second

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
