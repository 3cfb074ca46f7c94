"""The start page: each role lands on its day's work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wattelt.audit.services import log_list_access
from wattelt.organisations import roles
from wattelt.organisations.models import Role
from wattelt.residents.services import due_state
from wattelt.web import StaffRequest, page_of

from . import selectors
from .forms import TodayFilter

PAGE_SIZE = 25


@login_required
def start(request: StaffRequest) -> HttpResponse:
    """ "Vandaag" for a professional (the most urgent work first), the team overview for
    a coach, and for the organisation-wide roles their main screens; a person with
    several roles finds each part."""
    user, today = request.user, timezone.localdate()
    org_roles = selectors.organisation_roles(user)
    context: dict[str, object] = {"today": today, "org_roles": org_roles, "rows": None}
    shown: list[tuple[int, int]] = []
    if roles.is_professional(user):
        chosen = TodayFilter(request.GET).chosen()
        counts = selectors.work_counts(user, today)
        work = selectors.professional_work(user, chosen.scope, chosen.show, today)
        listed = selectors.listed_count(counts, chosen.scope, chosen.show)
        page = page_of(work, request.GET.get("page"), PAGE_SIZE, count=listed)
        shared = selectors.shared_with_me(user, PAGE_SIZE)
        shown += [(t.pk, t.resident_id) for t in [*page, *shared]]
        context |= {
            "chosen": chosen,
            "page": page,
            "rows": [(t, due_state(t, today)) for t in page],
            "page_query": chosen.query,
            "counts": counts,
            "shared": shared,
        }
    if roles.is_coach(user):
        context["team_counts"], per_professional = selectors.coach_overview(user, today)
        context["per_professional"] = per_professional
        context["several_teams"] = len({row.team for row in per_professional}) > 1
        context["highlights"] = selectors.team_figures(user, today)
    context["heading_coach"] = context["rows"] is None
    context["heading_organisation"] = context["rows"] is None and "team_counts" not in context
    if Role.Name.ORGANISATION_ADMIN in org_roles:
        context["teams"] = selectors.organisation_teams(user)
        context["staff"] = selectors.organisation_staff(user)
    if roles.is_privacy_officer(user):
        context["privacy"] = selectors.privacy_counts(user, today)
    if shown:
        log_list_access(request, "read", "trajectory", shown)
    return render(request, "start/start.html", context)
