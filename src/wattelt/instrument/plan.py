"""The plan for the resident: one page in plain language, on screen, on paper and as PDF."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import weasyprint
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from wattelt.residents.models import Trajectory

from .models import ChosenDomain, Goal, Measurement


@dataclass
class ResidentPlan:
    trajectory: Trajectory
    latest: Measurement | None
    chosen: list[ChosenDomain]
    goals: list[Goal]

    @property
    def open_goals(self) -> list[Goal]:
        return [g for g in self.goals if g.status in (Goal.Status.OPEN, Goal.Status.PARTLY)]

    @property
    def finished_goals(self) -> list[Goal]:
        return [g for g in self.goals if g not in self.open_goals]


def resident_plan(trajectory: Trajectory) -> ResidentPlan:
    latest = (
        Measurement.objects.confirmed()
        .filter(trajectory=trajectory)
        .order_by("-measured_on", "-id")
        .first()
    )
    chosen = (
        list(latest.choices.select_related("domain").order_by("-prioritised", "domain__position"))
        if latest
        else []
    )
    goals = list(
        Goal.objects.filter(trajectory=trajectory, stated_in__status=Measurement.Status.CONFIRMED)
        .select_related("stated_in")
        .prefetch_related("domains", "progress__author", "progress__organisation")
    )
    return ResidentPlan(trajectory, latest, chosen, goals)


@lru_cache(maxsize=1)
def _plan_css() -> str:
    path = finders.find("instrument/plan.css")
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


def render_plan_pdf(request: HttpRequest, plan: ResidentPlan) -> bytes:
    """The same plan as a PDF; styles and pictograms are inline, so nothing is fetched."""
    html = render_to_string(
        "instrument/plan_pdf.html",
        {"plan": plan, "printed_on": timezone.localdate(), "css": _plan_css()},
        request=request,
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
