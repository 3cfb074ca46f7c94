"""The organisation admin's settings screen, the team coach's reminder list and the
adoption figures."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.audit.services import log_list_access
from wattelt.organisations import roles
from wattelt.organisations.two_factor import sudo_mode
from wattelt.web import StaffRequest, add_service_errors, page_of

from . import adoption, services
from .adoption.page import rendered_report
from .forms import AdoptionFilterForm, PolicyForm

PAGE_SIZE = 25
NEEDS_ATTENTION = "aandacht"


@login_required
@sudo_mode()
def organisation_settings(request: StaffRequest) -> HttpResponse:
    """How the organisation uses Wat telt. Only its organisation admin; saving asks for
    password and code again."""
    organisation = services.administered_organisation(request.user)
    if organisation is None:
        raise Http404
    current = services.current_policy(organisation)
    form = PolicyForm(request.POST or None, initial=dataclasses.asdict(current))
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.change_policy(
                organisation, request.user, services.PolicyInput(**form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changes:
                messages.success(request, _("The settings are saved."))
                if any(change.field == "follow_up_interval_months" for change in changes):
                    messages.info(
                        request,
                        _(
                            "The follow-up figures on the page 'Use of Wat telt' are being "
                            "recalculated with the new interval; this takes a few minutes."
                        ),
                    )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("implementation:organisation_settings")
    context = {
        "organisation": organisation,
        "form": form,
        "history": services.policy_history(organisation),
    }
    return render(request, "implementation/organisation_settings.html", context)


@login_required
def team_reminders(request: StaffRequest) -> HttpResponse:
    """The coach's view of the team's open trajectories: which measurements are due,
    overdue, or never started. Team coaches only."""
    if not roles.is_coach(request.user):
        raise Http404
    needs_attention = request.GET.get("toon") == NEEDS_ATTENTION
    today = timezone.localdate()
    counts = services.coach_team_counts(request.user, today)
    trajectories = services.coach_team_list(request.user, needs_attention, today)
    # Needing attention: due within DUE_SOON_DAYS, overdue included.
    listed = counts["overdue"] + counts["due"] if needs_attention else counts["total"]
    page = page_of(trajectories, request.GET.get("page"), PAGE_SIZE, count=listed)
    rows = [
        (t, services.reminder_state(t, t.team.organisation.start_measurement_grace_days, today))
        for t in page
    ]
    log_list_access(request, "read", "trajectory", [(t.pk, t.resident_id) for t in page])
    context = {
        "page": page,
        "rows": rows,
        "counts": counts,
        "needs_attention": needs_attention,
        "page_query": f"toon={NEEDS_ATTENTION}" if needs_attention else "",
    }
    return render(request, "implementation/team_reminders.html", context)


# --- adoption ------------------------------------------------------------------------


@login_required
def adoption_page(request: StaffRequest) -> HttpResponse:
    """Is Wat telt used (blijven gebruiken): per team and professional, per month.
    Figures about professionals, no resident data; see adoption.AdoptionAccess for who
    sees what. Filters that cannot be shown get a message, never an error page."""
    access = adoption.adoption_access(request.user)
    if access is None:
        raise Http404
    today = timezone.localdate()
    chosen = AdoptionFilterForm(request.GET, access=access, today=today).chosen()
    context = {"report_html": rendered_report(access, chosen, today)}
    return render(request, "implementation/adoption.html", context)
