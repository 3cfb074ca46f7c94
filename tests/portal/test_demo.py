"""The demo invitation that `make run` prints: a fixed link and code that work."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wattelt.portal.demo import DEMO_CODE, DEMO_TOKEN, demo_invitation
from wattelt.portal.models import Invitation

pytestmark = pytest.mark.django_db


def test_the_demo_invitation_works_and_is_renewed(trajectory):
    assert demo_invitation() == trajectory.resident
    assert demo_invitation() == trajectory.resident  # again: the earlier one is replaced
    assert Invitation.objects.count() == 1
    link = reverse("portal:invitation", args=[DEMO_TOKEN])
    client = Client()
    assert client.post(link, {"code": DEMO_CODE}).status_code == 302
    assert b'data-passkey="register"' in client.get(link).content


def test_no_demo_invitation_without_demo_data(db):
    assert demo_invitation() is None
