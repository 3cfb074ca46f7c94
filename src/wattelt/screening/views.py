"""Dossier screening: the quality officer's rounds, dossiers and findings; the
professional's and coach's shared findings. Quality officers reach dossiers only through
`ScreeningItem.objects.visible_to`; every look is logged with the purpose
"dossier screening"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wattelt.audit.refusals import ReadOnly
from wattelt.audit.services import log_access, log_list_access
from wattelt.organisations import roles
from wattelt.organisations.models import Organisation
from wattelt.residents.access import visible_one
from wattelt.web import StaffRequest, add_service_errors

from . import services
from .forms import DiscussionForm, ReviewForm, SampleForm
from .models import PURPOSE, ScreeningItem, ScreeningRound, screening_organisation_id

PAGE_SIZE = 25


def _screener_organisation(request: StaffRequest) -> Organisation:
    """The quality officer's organisation; 404 for every other role."""
    organisation_id = screening_organisation_id(request.user)
    if organisation_id is None:
        raise Http404
    return Organisation.objects.get(pk=organisation_id)


def _visible_item(request: StaffRequest, pk: int) -> ScreeningItem:
    """A drawn item of the screener's organisation; anything else (an item not drawn,
    another organisation's) is refused and on the record."""
    return visible_one(
        ScreeningItem.objects.visible_to(request.user).select_related(
            "round", "team", "trajectory__resident", "trajectory__team", "trajectory__responsible"
        ),
        pk,
        object_type="screening_item",
        resident_field="trajectory__resident_id",
        purpose=PURPOSE,
    )


@login_required
def rounds(request: StaffRequest) -> HttpResponse:
    """The organisation's sample rounds and the form to draw a new one."""
    organisation = _screener_organisation(request)
    form = SampleForm(request.POST or None, organisation)
    if request.method == "POST" and form.is_valid():
        data = services.SampleInput(
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            size=form.cleaned_data["size"],
            teams=form.chosen_teams(),
            seed=form.cleaned_data["seed"],
        )
        try:
            sample = services.draw_sample(organisation, request.user, data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            drawn = sample.items.count()
            if sample.requested_size > sample.population_size:
                messages.info(
                    request,
                    _(
                        "You asked for %(asked)s dossiers, but only %(total)s trajectories were "
                        "active in this period: the whole population is taken."
                    )
                    % {"asked": sample.requested_size, "total": sample.population_size},
                )
            messages.success(request, _("%(n)s dossiers are drawn.") % {"n": drawn})
            return redirect("screening:round", sample.pk)
    listed = (
        ScreeningRound.objects.visible_to(request.user)
        .select_related("drawn_by")
        .annotate(
            drawn=Count("items"),
            screened=Count("items", filter=Q(items__screened_at__isnull=False)),
            shared=Count("items", filter=Q(items__shared_at__isnull=False)),
        )
        .order_by("-drawn_at", "-pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    log_access(request, "read", "screening_round", purpose=PURPOSE)
    return render(
        request,
        "screening/rounds.html",
        {"form": form, "page": page},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def round_detail(request: StaffRequest, pk: int) -> HttpResponse:
    sample = get_object_or_404(ScreeningRound.objects.visible_to(request.user), pk=pk)
    items = ScreeningItem.objects.visible_to(request.user).filter(round=sample)
    page = Paginator(
        items.select_related("team", "trajectory__resident", "trajectory__responsible"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    rows = [(item, services.pseudonym(item), services.is_erased(item)) for item in page]
    shown = [
        (i.trajectory_number, i.trajectory.resident_id)
        for i, _p, erased in rows
        if i.trajectory is not None and not erased
    ]
    log_list_access(request, "read", "trajectory", shown, purpose=PURPOSE)
    return render(
        request,
        "screening/round.html",
        {"sample": sample, "page": page, "rows": rows, "per_team": services.drawn_per_team(sample)},
    )


def _neighbours(
    request: StaffRequest, screening: ScreeningItem
) -> tuple[int | None, int | None, int, int]:
    """The previous and next item of the round in the round's order (team name, then
    trajectory number), the position of this one, and the round's count; only through
    the screener's access rule, and only the neighbours are fetched."""
    items = ScreeningItem.objects.visible_to(request.user).filter(round_id=screening.round_id)
    name, number = screening.team.name, screening.trajectory_number
    before = Q(team__name__lt=name) | Q(team__name=name, trajectory_number__lt=number)
    after = Q(team__name__gt=name) | Q(team__name=name, trajectory_number__gt=number)
    previous = (
        items.filter(before)
        .order_by("-team__name", "-trajectory_number")
        .values_list("pk", flat=True)
        .first()
    )
    following = (
        items.filter(after).order_by("team__name", "trajectory_number").values_list("pk", flat=True)
    ).first()
    return previous, following, items.filter(before).count() + 1, items.count()


@login_required
def item(request: StaffRequest, pk: int) -> HttpResponse:
    """The dossier read-only beside the screening form."""
    screening = _visible_item(request, pk)
    initial = {name: getattr(screening, name) for name in ScreeningItem.QUESTIONS}
    form = ReviewForm(request.POST or None, initial={**initial, "notes": screening.notes})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.screen(screening, request.user, services.ReviewInput(**form.cleaned_data))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                resident_id = screening.trajectory.resident_id if screening.trajectory else None
                log_access(request, "change", "screening_item", screening.pk, resident_id, PURPOSE)
                messages.success(request, _("The findings are saved."))
                return redirect("screening:item", screening.pk)
        status = 400
    file = services.dossier(screening)
    if file is not None:
        log_access(
            request,
            "read",
            "trajectory",
            screening.trajectory_number,
            file.trajectory.resident_id,
            PURPOSE,
        )
    previous, following, position, count = _neighbours(request, screening)
    return render(
        request,
        "screening/item.html",
        {
            "screening": screening,
            "pseudonym": services.pseudonym(screening),
            "dossier": file,
            "form": form,
            "previous": previous,
            "next": following,
            "position": position,
            "count": count,
        },
        status=status,
    )


@login_required
@require_POST
def share(request: StaffRequest, pk: int) -> HttpResponse:
    screening = _visible_item(request, pk)
    try:
        services.share(screening, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        resident_id = screening.trajectory.resident_id if screening.trajectory else None
        log_access(request, "change", "screening_item", screening.pk, resident_id, PURPOSE)
        messages.success(request, _("The findings are shared with the professional."))
    return redirect("screening:item", screening.pk)


@login_required
@require_POST
def share_round(request: StaffRequest, pk: int) -> HttpResponse:
    sample = get_object_or_404(ScreeningRound.objects.visible_to(request.user), pk=pk)
    shared = services.share_round(sample, request.user)
    # One record per resident whose findings are now shared.
    log_list_access(
        request,
        "change",
        "screening_item",
        [(pk, resident_id) for pk, resident_id in shared if resident_id is not None],
        purpose=PURPOSE,
    )
    if shared:
        messages.success(
            request,
            _("The findings of %(n)s screened dossiers are shared.") % {"n": len(shared)},
        )
    else:
        messages.info(request, _("There were no screened findings left to share."))
    return redirect("screening:round", sample.pk)


@login_required
def findings(request: StaffRequest, pk: int) -> HttpResponse:
    """Counts per question and team: no resident in sight."""
    sample = get_object_or_404(ScreeningRound.objects.visible_to(request.user), pk=pk)
    log_access(request, "read", "screening_round", sample.pk, purpose=PURPOSE)
    return render(
        request,
        "screening/findings.html",
        {
            "sample": sample,
            "rows": services.findings_per_team(sample),
            "answers": services.Answer.choices,
        },
    )


@login_required
def my_findings(request: StaffRequest) -> HttpResponse:
    """Shared findings about my trajectories, and, for a coach, about my teams'."""
    if not roles.team_roles(request.user):
        raise Http404
    items = (
        ScreeningItem.objects.shared_with(request.user)
        .select_related(
            "round", "team", "discussed_by", "trajectory__resident", "trajectory__responsible"
        )
        .order_by(F("discussed_at").asc(nulls_first=True), "-shared_at", "-pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (i, services.pseudonym(i), services.may_record_discussion(i, request.user)) for i in page
    ]
    shown = [(i.pk, i.trajectory.resident_id) for i in page if i.trajectory]
    log_list_access(request, "read", "screening_item", shown, purpose=PURPOSE)
    return render(
        request,
        "screening/my_findings.html",
        {"page": page, "rows": rows, "discussion_form": DiscussionForm()},
    )


@login_required
@require_POST
def discussed(request: StaffRequest, pk: int) -> HttpResponse:
    screening = visible_one(
        ScreeningItem.objects.shared_with(request.user).select_related("trajectory"),
        pk,
        object_type="screening_item",
        resident_field="trajectory__resident_id",
        action="change",
        purpose=PURPOSE,
    )
    if not services.may_record_discussion(screening, request.user):
        resident_id = screening.trajectory.resident_id if screening.trajectory else None
        raise ReadOnly(
            "screening_item",
            screening.pk,
            resident_id,
            "change",
            PURPOSE,
            _("Only the responsible professional records the conversation."),
        )
    form = DiscussionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("screening:my_findings")
    try:
        services.record_discussion(screening, request.user, form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        resident_id = screening.trajectory.resident_id if screening.trajectory else None
        log_access(request, "change", "screening_item", screening.pk, resident_id, PURPOSE)
        messages.success(request, _("Recorded that the findings were discussed."))
    return redirect("screening:my_findings")
