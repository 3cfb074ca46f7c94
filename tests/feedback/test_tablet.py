"""Tablet mode: while a resident holds the professional's tablet, the session reaches
only the questionnaire and the hand-back; password and code (or logging out) end it.

These tests need `wattelt.feedback.middleware.TabletMode` in settings.MIDDLEWARE (the
first test says where)."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, client_for
from tests.feedback.conftest import answers, hand_back
from wattelt.feedback import tablet
from wattelt.feedback.middleware import TabletMode
from wattelt.feedback.models import FeedbackLink, Response
from wattelt.residents.models import Consent

pytestmark = pytest.mark.django_db

LOCKED = "De tablet blijft vergrendeld"


def test_the_middleware_is_installed_after_login_and_second_factor():
    middleware = list(settings.MIDDLEWARE)
    assert "wattelt.feedback.middleware.TabletMode" in middleware
    position = middleware.index("wattelt.feedback.middleware.TabletMode")
    for before in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "wattelt.organisations.two_factor.RequireTwoFactor",
        "wattelt.audit.headers.SecurityHeaders",
    ):
        assert middleware.index(before) < position, before


def handed_over(questionnaire, user, trajectory=None):
    client = client_for(user)
    data = {"trajectory": trajectory.pk} if trajectory else {}
    response = client.post(reverse("feedback:hand_over", args=[questionnaire.pk]), data)
    assert response["Location"] == reverse("feedback:tablet")
    assert tablet.is_locked(client)
    return client


def test_in_tablet_mode_every_other_page_leads_back_to_the_tablet(
    resident_questionnaire, alice, trajectory
):
    client = handed_over(resident_questionnaire, alice, trajectory)
    resident = trajectory.resident
    for url in (
        reverse("start"),
        reverse("residents:detail", args=[resident.pk]),
        reverse("residents:search") + f"?q={resident.last_name}",
        reverse("feedback:start"),
        reverse("feedback:trajectory", args=[trajectory.pk]),
        reverse("recovery_codes"),
        reverse("login"),
        "/beheer/",
        "/beheer/residents/resident/",
        "/bestaat-niet/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("feedback:tablet"), url
        assert resident.last_name not in response.content.decode()


def test_in_tablet_mode_changes_elsewhere_are_refused(resident_questionnaire, alice, trajectory):
    client = handed_over(resident_questionnaire, alice, trajectory)
    links = FeedbackLink.objects.count()
    for url, data in (
        (reverse("feedback:make_link", args=[resident_questionnaire.pk]), {}),
        (reverse("feedback:hand_over", args=[resident_questionnaire.pk]), {}),
        (reverse("residents:consents", args=[trajectory.pk]), {"share_plan": "on"}),
        (reverse("reauthenticate"), {"password": PASSWORD, "code": "123456"}),
        ("/beheer/login/", {"username": "alice", "password": PASSWORD}),
    ):
        response = client.post(url, data)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "Deze tablet is vergrendeld" in page and "site-nav" not in page
        assert trajectory.resident.last_name not in page
    assert FeedbackLink.objects.count() == links
    assert not Consent.objects.exists()


def test_other_sessions_of_the_professional_are_not_locked(resident_questionnaire, alice):
    handed_over(resident_questionnaire, alice)
    assert client_for(alice).get(reverse("feedback:start")).status_code == 200


def test_static_files_and_the_language_switch_still_work(resident_questionnaire, alice):
    client = handed_over(resident_questionnaire, alice)
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("feedback:tablet")}
    )
    assert switched["Location"] == reverse("feedback:tablet")
    # Static files: WhiteNoise normally answers them before; the middleware lets them by.
    request = RequestFactory().get("/static/feedback/feedback.css")
    request.session = client.session
    request.user = alice
    passed = TabletMode(lambda r: HttpResponse("file"))(request)
    assert passed.content == b"file"


def test_answering_on_the_tablet_works_and_keeps_it_locked(resident_questionnaire, alice):
    client = handed_over(resident_questionnaire, alice)
    thanks = client.post(reverse("feedback:tablet"), answers(resident_questionnaire, 5, "Fijn"))
    assert "Dank je wel!" in thanks.content.decode()
    assert Response.objects.get().answers.count() == 2
    # Answered, yet still the resident's screen: back to the tablet, which says to give it back.
    assert client.get(reverse("start"))["Location"] == reverse("feedback:tablet")
    locked = client.get(reverse("feedback:tablet")).content.decode()
    assert "Geef terug aan de professional" in locked and "Ik voelde me gehoord." not in locked


def test_hand_back_asks_for_password_and_code_and_a_wrong_one_stays_locked(
    resident_questionnaire, alice
):
    client = handed_over(resident_questionnaire, alice)
    page = client.get(reverse("feedback:tablet_return")).content.decode()
    assert 'name="password"' in page and 'name="code"' in page and "site-nav" not in page
    wrong_password = hand_back(client, alice, password="niet-het-wachtwoord")
    assert wrong_password.status_code == 200
    assert LOCKED in wrong_password.content.decode()
    wrong_code = hand_back(client, alice, code="nope-nope")
    assert LOCKED in wrong_code.content.decode()
    assert client.get(reverse("start"))["Location"] == reverse("feedback:tablet")
    assert tablet.is_locked(client)

    # django-otp makes the app wait a second or two after a wrong code; so does the test.
    TOTPDevice.objects.get(user=alice).throttle_reset()
    right = hand_back(client, alice)
    assert right["Location"] == reverse("feedback:start")
    assert not tablet.is_locked(client)
    assert "De tablet is ontgrendeld" in client.get(reverse("feedback:start")).content.decode()
    assert client.get(reverse("start")).status_code == 200


def test_an_empty_hand_back_form_stays_locked(resident_questionnaire, alice):
    client = handed_over(resident_questionnaire, alice)
    response = client.post(reverse("feedback:tablet_return"), {})
    assert response.status_code == 200
    with translation.override("nl"):
        required = str(forms.Field.default_error_messages["required"])
    assert required in response.content.decode()
    assert tablet.is_locked(client)


def test_too_many_wrong_hand_backs_log_the_session_out(resident_questionnaire, alice):
    client = handed_over(resident_questionnaire, alice)
    for _ in range(tablet.HAND_BACK_ATTEMPTS - 1):
        assert hand_back(client, alice, password="raden-raden").status_code == 200
    last = hand_back(client, alice, password="raden-raden")
    # The attempts count towards the account's lockout, as at the login: the last one
    # locks the account out and ends the session.
    assert last.status_code == 429
    assert "uitgelogd" in last.content.decode()
    assert "_auth_user_id" not in client.session
    assert not tablet.is_locked(client)
    assert client.get(reverse("start"))["Location"].startswith(reverse("login"))


def test_logging_out_ends_tablet_mode(resident_questionnaire, alice):
    client = handed_over(resident_questionnaire, alice)
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert not tablet.is_locked(client)
