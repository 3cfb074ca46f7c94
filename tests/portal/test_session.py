"""A resident's session in Mijn Wat telt: apart from staff, 15 minutes idle, logged."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for, resident_client
from wattelt.audit.models import AccessLog
from wattelt.portal import session as portal_session

pytestmark = pytest.mark.django_db


def test_the_resident_sees_their_home_and_the_look_is_logged_with_them_as_actor(resident):
    response = resident_client(resident).get(reverse("portal:home"))
    assert response.status_code == 200
    assert resident.first_name in response.content.decode()
    record = AccessLog.objects.filter(resident_id=resident.pk).order_by("-id").first()
    assert record is not None
    assert (record.user_id, record.role, record.purpose) == (None, "resident", "own view")
    assert record.username == f"inwoner:{resident.pk}"


def test_a_resident_session_reaches_no_staff_page(resident, trajectory):
    client = resident_client(resident)
    for url in (reverse("start"), reverse("residents:detail", args=[resident.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_cannot_act_as_a_resident(alice, resident):
    client = client_for(alice)
    session = client.session  # even with a resident's id planted in a staff session
    session[portal_session.RESIDENT_KEY] = resident.pk
    session[portal_session.LAST_SEEN] = time.time()
    session.save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 403
    assert resident.first_name not in response.content.decode()


def test_the_session_ends_after_fifteen_minutes_idle(resident, settings):
    client = resident_client(resident)
    session = client.session
    session[portal_session.LAST_SEEN] = time.time() - settings.PORTAL_IDLE_SECONDS - 1
    session.save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))
    page = client.get(reverse("portal:sign_in")).content.decode()
    assert "15" in page  # "signed out after 15 minutes without activity"
    assert client.get(reverse("portal:home")).status_code == 302


def test_activity_keeps_the_session(resident, settings):
    client = resident_client(resident)
    session = client.session
    session[portal_session.LAST_SEEN] = time.time() - settings.PORTAL_IDLE_SECONDS + 60
    session.save()
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_resident_chooses_their_language(resident):
    client = resident_client(resident)
    response = client.post(reverse("portal:language"), {"language": "ar"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "ar"
    page = client.get(reverse("portal:home"))
    assert page["Content-Language"] == "ar"
    assert 'dir="rtl"' in page.content.decode()


def test_signing_out_ends_the_session(resident):
    client = resident_client(resident)
    client.post(reverse("portal:sign_out"))
    assert client.get(reverse("portal:home")).status_code == 302


def test_anonymous_is_sent_to_the_portal_sign_in():
    response = Client().get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))
