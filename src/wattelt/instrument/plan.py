"""The plan for the resident: one page in plain language, on screen, on paper and as PDF."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from wattelt.residents.access import TrajectoryAccess
from wattelt.residents.models import Trajectory

from .models import ChosenDomain, Goal, Measurement
from .wording import ADULT, wording_for

PLAN_PARTS = ("plan", "goals")
"""The consent parts of which at least one must be shared to print the plan."""


@dataclass
class ResidentPlan:
    """The plan as this reader may see it: each consent part shows what its label on
    the consent form says, no more (the board only with "measurements", goals only with
    "goals")."""

    trajectory: Trajectory
    parts: frozenset[str]
    latest: Measurement | None
    chosen: list[ChosenDomain]
    goals: list[Goal]
    wording: str = ADULT
    """The catalogue's wording of the latest measurement (young people or adults)."""

    @property
    def open_goals(self) -> list[Goal]:
        return [g for g in self.goals if g.status in (Goal.Status.OPEN, Goal.Status.PARTLY)]

    @property
    def finished_goals(self) -> list[Goal]:
        return [g for g in self.goals if g not in self.open_goals]


def resident_plan(access: TrajectoryAccess) -> ResidentPlan:
    trajectory = access.trajectory
    latest = None
    chosen: list[ChosenDomain] = []
    if access.shows("measurements"):
        latest = (
            Measurement.objects.confirmed()
            .filter(trajectory=trajectory)
            .order_by("-measured_on", "-id")
            .first()
        )
    if latest is not None:
        chosen = list(
            latest.choices.select_related("domain").order_by("-prioritised", "domain__position")
        )
    goals: list[Goal] = []
    if access.shows("goals"):
        goals = list(
            Goal.objects.filter(
                trajectory=trajectory, stated_in__status=Measurement.Status.CONFIRMED
            )
            .select_related("stated_in")
            .prefetch_related("domains", "progress__author", "progress__organisation")
        )
    wording = wording_for(latest) if latest is not None else ADULT
    return ResidentPlan(trajectory, access.parts, latest, chosen, goals, wording)


@lru_cache(maxsize=1)
def _plan_css() -> str:
    path = finders.find("instrument/plan.css")
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


def render_plan_pdf(
    request: HttpRequest, plan: ResidentPlan, appendix: str = "", appendix_css: str = ""
) -> bytes:
    """The same plan as a PDF; styles and pictograms are inline, so nothing is fetched.
    `appendix` (trusted HTML, styled by `appendix_css`) is printed on a page of its own
    after the plan: the invitation to Mijn Wat telt (portal/staff.py)."""
    html = render_to_string(
        "instrument/plan_pdf.html",
        {
            "plan": plan,
            "printed_on": timezone.localdate(),
            "css": _plan_css() + appendix_css,
            "appendix": appendix,
        },
        request=request,
    )
    import weasyprint  # on first use: it costs an app server's start over a second

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
