"""Feedback screens: answering (professionals logged in; residents on the tablet or
through a one-time link without an account), managing questionnaires (organisation
admin) and the suppressed summaries (admin, quality officer, team coaches)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wattelt.audit.services import client_address, log_access
from wattelt.organisations import handover, roles
from wattelt.organisations.forms import ReauthenticateForm
from wattelt.organisations.models import Role
from wattelt.residents import language
from wattelt.residents.access import trajectory_access
from wattelt.residents.models import Trajectory
from wattelt.web import StaffRequest, add_service_errors

from . import services
from . import tablet as tablet_mode
from .forms import (
    AnswerForm,
    QuestionFormSet,
    QuestionnaireForm,
    question_initial,
    questions_from,
)
from .models import FeedbackLink, Questionnaire, Response, sees_results
from .tablet import TABLET_SESSION_KEY

FAILED_LOOKUPS_LIMIT = 30
"""Unknown tokens one address may try per FAILED_LOOKUPS_SECONDS before it must wait."""
FAILED_LOOKUPS_SECONDS = 600

LINK_MESSAGES = {
    "unknown": (
        404,
        gettext_lazy("This link does not exist."),
        gettext_lazy(
            "Check that you copied the whole link, or ask your professional for a new one."
        ),
    ),
    "used": (
        410,
        gettext_lazy("This link has already been used."),
        gettext_lazy(
            "Every link can be used once, and your answers have been received. Thank you!"
        ),
    ),
    "expired": (
        410,
        gettext_lazy("This link has expired."),
        gettext_lazy(
            "Ask your professional for a new link if you still want to give your opinion."
        ),
    ),
    "closed": (
        410,
        gettext_lazy("This questionnaire is closed."),
        gettext_lazy("Answers can no longer be given. Thank you for your interest."),
    ),
}


# --- Professionals --------------------------------------------------------------------


@login_required
def start(request: StaffRequest) -> HttpResponse:
    """What a team member can fill in or hand out today."""
    if not roles.is_team_member(request.user):
        raise Http404
    active = Questionnaire.objects.for_team_members_of(request.user).active()
    own = [
        (q, services.has_answered(q, request.user))
        for q in active.filter(audience=Questionnaire.Audience.PROFESSIONAL)
    ]
    resident = list(active.filter(audience=Questionnaire.Audience.RESIDENT))
    context = {"own": own, "resident": resident, "trajectory": None}
    return render(request, "feedback/start.html", context)


def _answerable(request: StaffRequest, pk: int) -> Questionnaire:
    return get_object_or_404(
        Questionnaire.objects.for_team_members_of(request.user).active(),
        pk=pk,
        audience=Questionnaire.Audience.PROFESSIONAL,
    )


@login_required
def answer(request: StaffRequest, pk: int) -> HttpResponse:
    """A professional answers a questionnaire for professionals, once per period."""
    questionnaire = _answerable(request, pk)
    questions = list(questionnaire.questions.all())
    form = AnswerForm(questions, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_as_professional(questionnaire, request.user, request.POST)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you, your answers have been saved."))
            return redirect("feedback:start")
    context = {
        "questionnaire": questionnaire,
        "form": form,
        "answered": services.has_answered(questionnaire, request.user),
    }
    return render(request, "feedback/answer.html", context)


def _to_hand_out(request: StaffRequest, pk: int) -> tuple[Questionnaire, Trajectory | None]:
    questionnaire = get_object_or_404(
        Questionnaire.objects.for_team_members_of(request.user).active(),
        pk=pk,
        audience=Questionnaire.Audience.RESIDENT,
    )
    trajectory = None
    if request.POST.get("trajectory"):
        trajectory = _own_trajectory(request, request.POST["trajectory"])
    return questionnaire, trajectory


def _own_trajectory(request: StaffRequest, pk: object) -> Trajectory:
    """A trajectory the user records for: read-only (a coach) 403, others 404."""
    return trajectory_access(request.user, pk, for_edit=True).trajectory


@login_required
@require_POST
def hand_over(request: StaffRequest, pk: int) -> HttpResponse:
    """Give the tablet to the resident: a screen without navigation or resident data,
    valid for TABLET_HOURS, that ends with handing it back."""
    questionnaire, trajectory = _to_hand_out(request, pk)
    try:
        token = services.hand_out(
            questionnaire, request.user, FeedbackLink.Channel.TABLET, trajectory
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("feedback:start")
    # From here on the session reaches only the tablet screens (middleware.TabletMode)
    # until the professional hands back with password and code.
    tablet_mode.start(request, questionnaire.pk, token)
    if trajectory is not None:
        # The tablet speaks the resident's language, also for an anonymous questionnaire
        # (whose answers never name the trajectory).
        language.remember_choice(request, trajectory.resident.language)
    return redirect("feedback:tablet")


@login_required
@require_POST
def make_link(request: StaffRequest, pk: int) -> HttpResponse:
    """A one-time link for the resident to answer at home, shown once."""
    questionnaire, trajectory = _to_hand_out(request, pk)
    try:
        token = services.hand_out(
            questionnaire, request.user, FeedbackLink.Channel.LINK, trajectory
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("feedback:start")
    url = request.build_absolute_uri(reverse("feedback:respond", args=[token]))
    context = {"questionnaire": questionnaire, "url": url, "days": services.LINK_DAYS}
    return render(request, "feedback/link_made.html", context)


@login_required
def trajectory(request: StaffRequest, pk: int) -> HttpResponse:
    """Ask this resident for feedback: on the tablet now, or with a link."""
    chosen = _own_trajectory(request, pk)
    log_access(request, "read", "trajectory", chosen.pk, chosen.resident_id)
    resident = Questionnaire.objects.for_team_members_of(request.user).active()
    context = {
        "own": [],
        "resident": list(resident.filter(audience=Questionnaire.Audience.RESIDENT)),
        "trajectory": chosen,
    }
    return render(request, "feedback/start.html", context)


# --- Residents ------------------------------------------------------------------------


def _answer_page(
    request: HttpRequest, token: str, template_context: dict[str, object]
) -> tuple[HttpResponse, bool]:
    """The questionnaire for a resident, through a link or the tablet, in the resident's
    language, and whether the answering has ended."""
    code = language.chosen_in_session(request)
    if code is None:
        try:
            code = language.resident_language(None, services.resident_of(services.link_for(token)))
        except services.LinkProblem:
            code = language.DEFAULT
    context = {**template_context, **_language_switch(request, code)}
    with language.speaking(code):
        response, ended = _answer_in_language(request, token, context)
    response.headers["Content-Language"] = code
    return response, ended


def _language_switch(request: HttpRequest, code: str) -> dict[str, object]:
    return language.template_context(
        code, reverse("residents:choose_language"), request.get_full_path()
    )


def _answer_in_language(
    request: HttpRequest, token: str, template_context: dict[str, object]
) -> tuple[HttpResponse, bool]:
    """The questionnaire for a resident, through a link or the tablet, and whether the
    answering has ended (saved, or the link cannot be used). Nothing of the resident or
    the professional is shown."""
    try:
        link = services.link_for(token)
    except services.LinkProblem as problem:
        return _link_problem(request, problem.kind, template_context), True
    questionnaire = link.questionnaire
    questions = list(questionnaire.questions.all())
    form = AnswerForm(questions, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_with_link(token, request.POST)
        except services.LinkProblem as problem:
            return _link_problem(request, problem.kind, template_context), True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "feedback/thanks.html", template_context), True
    context = {"questionnaire": questionnaire, "form": form, **template_context}
    return render(request, "feedback/respond.html", context), False


def _link_problem(
    request: HttpRequest, kind: str, template_context: dict[str, object]
) -> HttpResponse:
    status, title, text = LINK_MESSAGES[kind]
    context = {"title": title, "text": text, **template_context}
    return render(request, "feedback/link_problem.html", context, status=status)


def _throttled(request: HttpRequest) -> bool:
    key = f"feedback-unknown-token:{client_address(request)}"
    return int(cache.get(key, 0)) >= FAILED_LOOKUPS_LIMIT


def _count_failure(request: HttpRequest) -> None:
    key = f"feedback-unknown-token:{client_address(request)}"
    if not cache.add(key, 1, FAILED_LOOKUPS_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, FAILED_LOOKUPS_SECONDS)


def respond(request: HttpRequest, token: str) -> HttpResponse:
    """A resident answers through a one-time link, without an account. Not cached, not
    sent on as referrer; an address trying many unknown links waits a while."""
    if _throttled(request):
        code = language.chosen_in_session(request) or language.DEFAULT
        with language.speaking(code):
            response = render(
                request,
                "feedback/link_problem.html",
                {
                    "title": _("Too many attempts."),
                    "text": _("Wait a few minutes and try your link again."),
                    **_language_switch(request, code),
                },
                status=429,
            )
    else:
        response, _ended = _answer_page(request, token, {"tablet": False})
        if response.status_code == 404:
            _count_failure(request)
    response["Cache-Control"] = "no-store"
    # Never send the token on to another site; same-origin keeps the Origin header that
    # the CSRF check needs (no-referrer makes the browser send "Origin: null").
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
def tablet(request: StaffRequest) -> HttpResponse:
    """The handed-over screen: only the questions, then the way back. Once answered (or
    the hand-over can no longer be used) it only says to give the tablet back."""
    token = request.session.get(TABLET_SESSION_KEY)
    if not token:
        if tablet_mode.is_locked(request):
            code = language.chosen_in_session(request) or language.DEFAULT
            with language.speaking(code):
                return render(
                    request, "feedback/tablet_locked.html", _language_switch(request, code)
                )
        return redirect("feedback:start")
    response, ended = _answer_page(request, token, {"tablet": True})
    if ended:
        request.session.pop(TABLET_SESSION_KEY, None)
    return response


@login_required
def tablet_return(request: StaffRequest) -> HttpResponse:
    """The professional takes the tablet back with password and code; an unanswered
    hand-over ends here too. A wrong attempt keeps the tablet locked; after
    HAND_BACK_ATTEMPTS wrong attempts the session is logged out."""
    back = redirect("feedback:start" if roles.is_team_member(request.user) else "start")
    if not tablet_mode.is_locked(request):
        request.session.pop(TABLET_SESSION_KEY, None)
        return back
    form = ReauthenticateForm(request.POST if request.method == "POST" else None)
    done = handover.take_back(request, request.user, form, back.url)
    if done is not None:
        tablet_mode.end(request)  # the token and the resident's language choice go too
        return done
    return render(request, "feedback/tablet_return.html", {"form": form})


# --- Organisation admin ---------------------------------------------------------------


def _is_admin(request: StaffRequest) -> bool:
    return request.user.organisation_id is not None and request.user.has_role(
        Role.Name.ORGANISATION_ADMIN
    )


@login_required
def manage(request: StaffRequest) -> HttpResponse:
    if not _is_admin(request):
        raise Http404
    questionnaires = Questionnaire.objects.managed_by(request.user).prefetch_related("questions")
    answered = set(
        Response.objects.filter(questionnaire__in=questionnaires)
        .values_list("questionnaire_id", flat=True)
        .distinct()
    )
    today = timezone.localdate()
    rows = [(q, q.is_open_on(today), q.pk in answered) for q in questionnaires]
    return render(request, "feedback/manage.html", {"rows": rows})


@login_required
def create(request: StaffRequest) -> HttpResponse:
    if not _is_admin(request):
        raise Http404
    initial = {"opens_on": timezone.localdate(), "anonymous": True, "audience": "resident"}
    form = QuestionnaireForm(request.POST or None, initial=initial)
    formset = QuestionFormSet(request.POST or None, prefix="questions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        organisation = request.user.organisation
        assert organisation is not None
        try:
            questionnaire = services.create_questionnaire(
                organisation, request.user, form.to_input(), questions_from(formset)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The questionnaire has been saved."))
            return redirect("feedback:edit", questionnaire.pk)
    context = {"form": form, "formset": formset, "questionnaire": None, "locked": False}
    return render(request, "feedback/edit.html", context)


@login_required
def edit(request: StaffRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire.objects.managed_by(request.user), pk=pk)
    locked = services.is_locked(questionnaire)
    initial = {
        name: getattr(questionnaire, name)
        for name in ("title", "introduction", "audience", "anonymous", "repeat")
    }
    initial |= {"opens_on": questionnaire.opens_on, "closes_on": questionnaire.closes_on}
    form = QuestionnaireForm(request.POST or None, initial=initial, locked=locked)
    questions = list(questionnaire.questions.all())
    formset = None
    if not locked:
        formset = QuestionFormSet(
            request.POST or None, prefix="questions", initial=question_initial(questions)
        )
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            services.change_questionnaire(
                questionnaire,
                form.to_input(),
                None if formset is None else questions_from(formset),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The questionnaire has been saved."))
            return redirect("feedback:edit", questionnaire.pk)
    context = {
        "form": form,
        "formset": formset,
        "questionnaire": questionnaire,
        "questions": questions,
        "locked": locked,
    }
    return render(request, "feedback/edit.html", context)


@login_required
@require_POST
def new_version(request: StaffRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire.objects.managed_by(request.user), pk=pk)
    copy = services.new_version(questionnaire, request.user)
    messages.success(
        request,
        _("Version %(n)s has been made; the previous version is closed.") % {"n": copy.version},
    )
    return redirect("feedback:edit", copy.pk)


# --- Results --------------------------------------------------------------------------


@login_required
def results(request: StaffRequest) -> HttpResponse:
    if not sees_results(request.user):
        raise Http404
    questionnaires = Questionnaire.objects.results_visible_to(request.user)
    return render(request, "feedback/results.html", {"questionnaires": questionnaires})


@login_required
def questionnaire_results(request: StaffRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire.objects.results_visible_to(request.user), pk=pk)
    per = services.MONTH if request.GET.get("per") == "maand" else services.QUARTER
    context = {
        "questionnaire": questionnaire,
        "per": per,
        "periods": services.results(questionnaire, per),
        "threshold": services.THRESHOLD,
    }
    return render(request, "feedback/questionnaire_results.html", context)
