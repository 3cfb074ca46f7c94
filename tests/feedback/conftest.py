from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, staff_with_role
from wattelt.feedback import services
from wattelt.feedback.models import Question, Questionnaire
from wattelt.organisations.models import Organisation, Role, Staff


@pytest.fixture
def olga(organisation: Organisation) -> Staff:
    return staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)


def make_questionnaire(
    organisation: Organisation,
    by: Staff,
    audience: str = Questionnaire.Audience.RESIDENT,
    anonymous: bool = True,
    repeat: str = Questionnaire.Repeat.QUARTER,
) -> Questionnaire:
    return services.create_questionnaire(
        organisation,
        by,
        services.QuestionnaireInput(
            title="Hoe was het gesprek?",
            audience=audience,
            anonymous=anonymous,
            repeat=repeat,
            opens_on=timezone.localdate() - dt.timedelta(days=60),
        ),
        [
            services.QuestionInput("Ik voelde me gehoord."),
            services.QuestionInput("Wat kan beter?", Question.Kind.OPEN, required=False),
        ],
    )


@pytest.fixture
def resident_questionnaire(organisation: Organisation, olga: Staff) -> Questionnaire:
    return make_questionnaire(organisation, olga)


@pytest.fixture
def professional_questionnaire(organisation: Organisation, olga: Staff) -> Questionnaire:
    return make_questionnaire(organisation, olga, Questionnaire.Audience.PROFESSIONAL)


def answers(questionnaire: Questionnaire, scale: object = 4, text: str = "") -> dict[str, object]:
    scale_q, open_q = questionnaire.questions.all()
    return {f"q{scale_q.pk}": scale, f"q{open_q.pk}": text}


def current_code(user: Staff) -> str:
    """What the user's authenticator app shows now (client_for made the device)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def hand_back(
    client: Client, user: Staff, password: str = PASSWORD, code: str | None = None
) -> Any:
    """The professional confirms on the tablet with password and authenticator code."""
    data = {"password": password, "code": current_code(user) if code is None else code}
    return client.post(reverse("feedback:tablet_return"), data)
