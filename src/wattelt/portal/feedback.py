"""Mijn Wat telt: the residents' feedback questionnaires of the organisation supporting
the resident, answered in their language with the faces scale (feedback's own answer
form, the one template for every way in). Answers count in the feedback figures as a
link's do: an anonymous questionnaire keeps only that the resident answered, never which
response is theirs; nothing about the answering is written where it could be matched."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render

from wattelt.audit.services import log_access
from wattelt.feedback import services
from wattelt.feedback.forms import AnswerForm
from wattelt.feedback.models import Questionnaire
from wattelt.instrument.preparation import open_trajectory
from wattelt.web import add_service_errors

from .session import PortalRequest, resident_required
from .views import OWN_VIEW, portal_context


@resident_required
def feedback(request: PortalRequest) -> HttpResponse:
    """The open questionnaires for residents, and which ones the resident answered."""
    resident = request.portal_resident
    trajectory = open_trajectory(resident)
    items = []
    if trajectory is not None:
        log_access(request, "read", "trajectory", trajectory.pk, resident.pk, purpose=OWN_VIEW)
        for questionnaire in Questionnaire.objects.for_resident(trajectory).active():
            answered = services.has_answered_in_portal(questionnaire, trajectory)
            items.append({"questionnaire": questionnaire, "answered": answered})
    context = portal_context(request, portal_section="feedback", items=items)
    return render(request, "portal/feedback.html", context)


@resident_required
def answer(request: PortalRequest, pk: int) -> HttpResponse:
    """One questionnaire: the questions with the faces scale; sent once."""
    trajectory = open_trajectory(request.portal_resident)
    questionnaire = (
        Questionnaire.objects.for_resident(trajectory).active().filter(pk=pk).first()
        if trajectory is not None
        else None
    )
    if questionnaire is None or trajectory is None:
        raise Http404
    answered = services.has_answered_in_portal(questionnaire, trajectory)
    form = AnswerForm(list(questionnaire.questions.all()), request.POST or None)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.answer_in_portal(questionnaire, trajectory, request.POST)
        except services.LinkProblem:
            answered = True  # answered meanwhile (another tab) or just closed
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            answered = True
    context = portal_context(
        request,
        portal_section="feedback",
        questionnaire=questionnaire,
        form=form,
        answered=answered,
        sent=answered and request.method == "POST",
    )
    status = 400 if form.errors else 200
    return render(request, "portal/feedback_answer.html", context, status=status)
