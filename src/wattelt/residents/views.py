"""Resident search and file, trajectories and the resident's plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.audit.refusals import NotVisible, ReadOnly
from wattelt.audit.services import log_access, log_list_access
from wattelt.organisations import roles
from wattelt.organisations.models import Team
from wattelt.organisations.two_factor import sudo_mode
from wattelt.web import StaffRequest, add_service_errors

from . import language, selectors, services
from .access import resident_access, trajectory_access, visible_one
from .forms import (
    AppointmentForm,
    CloseTrajectoryForm,
    ConsentForm,
    LanguageForm,
    OpenTrajectoryForm,
    ResidentForm,
    ResponsibleForm,
)
from .models import Resident
from .search import posted_search, search_residents

PAGE_SIZE = 25


@login_required
def search(request: StaffRequest) -> HttpResponse:
    """Team members find the residents in their care; for anyone else a search is a
    look beyond their rights, refused and on the record."""
    query, page_number = posted_search(request)
    if not roles.is_team_member(request.user):
        raise NotVisible("resident", "", None, "search")
    results = search_residents(Resident.objects.visible_to(request.user), query)
    page = Paginator(results.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(
        page_number
    )
    if query:
        log_list_access(request, "search", "resident", [(r.pk, r.pk) for r in page])
    return render(request, "residents/search.html", {"page": page, "query": query})


def require_professional(request: StaffRequest, resident: Resident | None = None) -> None:
    """Registering residents and opening trajectories is a professional's work; a
    refusal about a resident is on the record."""
    if roles.is_professional(request.user):
        return
    message = _("Only professionals of a team can do this.")
    if resident is None:
        raise PermissionDenied(message)
    raise ReadOnly("resident", resident.pk, resident.pk, "change", message=message)


@login_required
def register(request: StaffRequest) -> HttpResponse:
    require_professional(request)
    form = ResidentForm(request.POST or None, user=request.user)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = data.pop("team")
        resident_input = services.ResidentInput(**data)
        # The same registration posted twice, or someone registered already: ask first.
        if not request.POST.get("register_anyway"):
            duplicates = services.possible_duplicates(resident_input, request.user) or None
        if duplicates is None:
            try:
                with transaction.atomic():
                    resident = services.register_resident(resident_input, request.user)
                    if team is not None:
                        services.open_trajectory(resident, team, request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                log_access(request, "create", "resident", resident.pk, resident.pk)
                messages.success(request, _registered(resident, team))
                return redirect("residents:detail", resident.pk)
    return render(request, "residents/register.html", {"form": form, "duplicates": duplicates})


def _registered(resident: Resident, team: Team | None) -> str:
    if team is None:
        return _("%(name)s is registered.") % {"name": resident}
    message = _(
        "%(name)s is registered and a trajectory is opened in %(team)s; "
        "record the start measurement there."
    )
    return message % {"name": resident, "team": team}


@login_required
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    door = resident_access(request.user, pk)
    resident = door.resident
    log_access(request, "read", "resident", resident.pk, resident.pk)
    return render(
        request,
        "residents/detail.html",
        {
            "resident": resident,
            "trajectories": selectors.resident_trajectories(request.user, resident),
            "open_form": OpenTrajectoryForm(user=request.user, resident=resident),
            "language_form": LanguageForm(initial={"language": resident.language}),
            "in_care": door.in_care,
        },
    )


@login_required
@require_POST
def open_trajectory(request: StaffRequest, pk: int) -> HttpResponse:
    resident = resident_access(request.user, pk, for_edit=True).resident
    require_professional(request, resident)
    form = OpenTrajectoryForm(request.POST, user=request.user, resident=resident)
    if form.is_valid():
        try:
            trajectory = services.open_trajectory(
                resident, form.cleaned_data["team"], request.user, form.cleaned_data["started_on"]
            )
        except services.TrajectoryAlreadyOpen as refused:
            messages.error(request, _already_open(refused))
            return redirect("residents:detail", resident.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            log_access(request, "create", "trajectory", trajectory.pk, resident.pk)
            return redirect("instrument:progress", trajectory.pk)
    for problems in form.errors.values():
        messages.error(request, " ".join(str(p) for p in problems))
    return redirect("residents:detail", resident.pk)


@login_required
def close(request: StaffRequest, pk: int) -> HttpResponse:
    trajectory = trajectory_access(request.user, pk, for_edit=True).trajectory
    form = CloseTrajectoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.close_trajectory(
                trajectory,
                request.user,
                data["closing_reason"],
                data["closing_note"],
                data["ended_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            log_access(request, "change", "trajectory", trajectory.pk, trajectory.resident_id)
            messages.success(request, _("The trajectory is closed."))
            return redirect("instrument:progress", trajectory.pk)
    log_access(request, "read", "trajectory", trajectory.pk, trajectory.resident_id)
    return render(request, "residents/close.html", {"trajectory": trajectory, "form": form})


@login_required
@require_POST
def set_appointment(request: StaffRequest, pk: int) -> HttpResponse:
    trajectory = trajectory_access(request.user, pk, for_edit=True).trajectory
    form = AppointmentForm(request.POST)
    if form.is_valid():
        services.set_next_appointment(trajectory, form.cleaned_data["next_appointment"])
        log_access(request, "change", "plan", trajectory.pk, trajectory.resident_id)
    for problems in form.errors.values():
        messages.error(request, " ".join(str(p) for p in problems))
    return redirect("instrument:plan", trajectory.pk)


@login_required
@sudo_mode()
def consents(request: StaffRequest, pk: int) -> HttpResponse:
    """Record the resident's consent to share, and see and withdraw earlier ones."""
    trajectory = trajectory_access(request.user, pk, for_edit=True).trajectory
    form = ConsentForm(request.POST or None, trajectory=trajectory)
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.record_consent(
                trajectory, request.user, services.ConsentInput(**form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            log_access(request, "create", "consent", consent.pk, trajectory.resident_id)
            messages.success(request, _("Shared with %(org)s.") % {"org": consent.organisation})
            return redirect("residents:consents", trajectory.pk)
    log_access(request, "read", "consents", trajectory.pk, trajectory.resident_id)
    return render(
        request,
        "residents/consents.html",
        {
            "trajectory": trajectory,
            "form": form,
            "consents": trajectory.consents.select_related("organisation", "recorded_by").order_by(
                "-recorded_at"
            ),
        },
    )


@login_required
@require_POST
@sudo_mode()
def withdraw_consent(request: StaffRequest, pk: int, consent_pk: int) -> HttpResponse:
    trajectory = trajectory_access(request.user, pk, for_edit=True).trajectory
    consent = visible_one(
        trajectory.consents.all(),
        consent_pk,
        object_type="consent",
        resident_field="trajectory__resident_id",
        action="change",
    )
    try:
        services.withdraw_consent(consent, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        log_access(request, "change", "consent", consent.pk, trajectory.resident_id)
        messages.success(request, _("The consent is withdrawn; sharing stopped at once."))
    return redirect("residents:consents", trajectory.pk)


@login_required
def responsible(request: StaffRequest, pk: int) -> HttpResponse:
    """Name a new responsible professional, e.g. when the previous one left the team."""
    access = trajectory_access(request.user, pk)
    trajectory = access.trajectory
    if not access.can_hand_over:
        raise ReadOnly("trajectory", pk, trajectory.resident_id, "change", message=_readonly())
    form = ResponsibleForm(request.POST or None, team=trajectory.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_responsible(trajectory, request.user, form.cleaned_data["responsible"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            log_access(request, "change", "trajectory", trajectory.pk, trajectory.resident_id)
            messages.success(request, _("The responsible professional is changed."))
            return redirect("instrument:progress", trajectory.pk)
    log_access(request, "read", "trajectory", trajectory.pk, trajectory.resident_id)
    return render(request, "residents/responsible.html", {"trajectory": trajectory, "form": form})


def _readonly() -> str:
    return _("Only the team can name a responsible professional for an open trajectory.")


def _already_open(refused: services.TrajectoryAlreadyOpen) -> str:
    """The refusal with a link to the trajectory that is open."""
    return format_html(
        '{} <a href="{}">{}</a>',
        " ".join(refused.messages),
        reverse("instrument:progress", args=[refused.trajectory.pk]),
        _("Go to the open trajectory"),
    )


@login_required
@require_POST
def set_language(request: StaffRequest, pk: int) -> HttpResponse:
    """Store the language of the resident's screens: on the file, or from the switch in
    conversation mode (which comes back to `next`)."""
    resident = resident_access(request.user, pk, for_edit=True).resident
    require_professional(request, resident)
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.set_language(resident, form.cleaned_data["language"])
        log_access(request, "change", "resident", resident.pk, resident.pk)
    else:
        messages.error(request, _("This language is not offered."))
    return redirect(language.safe_next(request, reverse("residents:detail", args=[resident.pk])))


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """A resident's own choice on a screen without a stored resident (a one-time feedback
    link): kept for this session only."""
    language.remember_choice(request, request.POST.get("language", ""))
    return redirect(language.safe_next(request, "/"))
