"""Feedback from Mijn Wat telt: the residents' questionnaires of the resident's
organisation, with the faces scale (five faces, each with its word, radio buttons with
their labels) and the open question labelled; answered once; an anonymous questionnaire's
response names nobody, as with a one-time link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for, resident_client
from tests.feedback.conftest import answers, make_questionnaire
from wattelt.feedback import services
from wattelt.feedback.models import FeedbackLink, Questionnaire, ResidentParticipation, Response

pytestmark = pytest.mark.django_db


def page(questionnaire: Questionnaire) -> str:
    return reverse("portal:feedback_answer", args=[questionnaire.pk])


def test_the_scale_is_five_labelled_faces_and_the_open_question_has_a_label(
    trajectory, resident, resident_questionnaire
):
    html = resident_client(resident).get(page(resident_questionnaire)).content.decode()
    scale_q, open_q = resident_questionnaire.questions.all()
    radios = re.findall(
        rf'<input type="radio" name="q{scale_q.pk}" value="(\d)" id="([^"]+)"', html
    )
    assert [value for value, _id in radios] == ["1", "2", "3", "4", "5"]
    for _value, radio_id in radios:
        assert f'for="{radio_id}"' in html
    words = re.findall(r'<span class="face-word">([^<]+)</span>', html)
    assert [w.replace("\u00ad", "") for w in words] == [
        "helemaal niet",
        "een beetje",
        "deels",
        "grotendeels",
        "helemaal",
    ]
    assert html.count('class="face-svg"') == 5
    assert f'<label class="utrecht-form-label question__label" for="id_q{open_q.pk}"' in html


def test_the_one_time_link_shows_the_same_faces(resident_questionnaire, alice):
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    html = client_for(alice).get(reverse("feedback:respond", args=[token])).content.decode()
    assert html.count('class="face-svg"') == 5 and "een beetje" in html


def test_the_questionnaire_in_the_residents_language(trajectory, resident, resident_questionnaire):
    resident.language = "ar"
    resident.save()
    html = resident_client(resident).get(page(resident_questionnaire)).content.decode()
    assert 'dir="rtl"' in html and "قليلًا" in html


def test_an_anonymous_answer_names_nobody_and_is_given_once(
    trajectory, resident, resident_questionnaire
):
    client = resident_client(resident)
    listing = client.get(reverse("portal:feedback")).content.decode()
    assert resident_questionnaire.title in listing and "Beantwoord" not in listing
    response = client.post(page(resident_questionnaire), answers(resident_questionnaire, 2, "Fijn"))
    assert response.status_code == 200 and 'data-feedback="thanks"' in response.content.decode()
    stored = Response.objects.get()
    assert stored.channel == Response.Channel.PORTAL
    assert stored.trajectory is None and stored.handed_out_by is None and stored.respondent is None
    assert ResidentParticipation.objects.filter(trajectory=trajectory).count() == 1
    # A second try changes nothing.
    client.post(page(resident_questionnaire), answers(resident_questionnaire, 5))
    assert Response.objects.count() == 1
    assert "Beantwoord" in client.get(reverse("portal:feedback")).content.decode()


def test_a_named_questionnaire_keeps_the_trajectory(trajectory, resident, organisation, olga):
    named = make_questionnaire(organisation, olga, anonymous=False)
    resident_client(resident).post(page(named), answers(named, 4))
    assert Response.objects.get().trajectory == trajectory


def test_a_missing_answer_is_named_and_nothing_is_saved(
    trajectory, resident, resident_questionnaire
):
    response = resident_client(resident).post(
        page(resident_questionnaire), answers(resident_questionnaire, "")
    )
    assert response.status_code == 400 and "Vraag 1" in response.content.decode()
    assert not Response.objects.exists() and not ResidentParticipation.objects.exists()


def test_another_organisations_questionnaire_is_not_found(trajectory, resident, charlie):
    theirs = make_questionnaire(charlie.organisation, charlie)
    assert resident_client(resident).get(page(theirs)).status_code == 404
