from __future__ import annotations

import pytest

from tests.conftest import staff_with_role
from wattelt.notifications.models import Channel, Subscription
from wattelt.organisations.models import Organisation, Role, Staff


@pytest.fixture
def olga(organisation: Organisation) -> Staff:
    return staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)


@pytest.fixture
def subscription(organisation: Organisation, olga: Staff) -> Subscription:
    return Subscription.objects.create(
        organisation=organisation,
        name="Dossiersysteem",
        callback_url="http://127.0.0.1:9/notificaties",
        secret="geheim-voor-de-test",
        channels=",".join(Channel.values),
        created_by=olga,
    )
