"""Every event the issue names writes one notification in the VNG shape, with no
personal data, in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import board_data, complete_fields, confirmed_measurement
from wattelt.instrument import services as instrument
from wattelt.notifications.models import Delivery, Notification
from wattelt.residents import services as residents

VNG_KEYS = {
    "kanaal",
    "hoofdObject",
    "resource",
    "resourceUrl",
    "actie",
    "aanmaakdatum",
    "kenmerken",
}


def messages() -> list[dict]:
    return [n.message for n in Notification.objects.order_by("id")]


def test_every_event_puts_one_notification_in_the_outbox(
    trajectory, alice, charlie, settings, subscription
):
    settings.SITE_URL = "https://watelt.example"
    measurement = confirmed_measurement(trajectory, alice)
    data = board_data(measurement, **complete_fields(chip__resident__geld=35))
    corrected = instrument.correct_measurement(
        measurement, alice, instrument.CorrectionInput(data, "Fiche verkeerd gelegd")
    )
    consent = residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(
            organisation=charlie.organisation,
            share_plan=True,
            share_goals=False,
            share_measurements=False,
            valid_from=timezone.localdate(),
        ),
    )
    residents.withdraw_consent(consent, alice)
    closed = residents.close_trajectory(trajectory, alice, "goals_reached")
    reopened = residents.open_trajectory(trajectory.resident, trajectory.team, alice)

    base = "https://watelt.example/api/v1"
    events = [
        (m["kanaal"], m["actie"], m["kenmerken"]["gebeurtenis"], m["resourceUrl"])
        for m in messages()
    ]
    assert events == [
        ("metingen", "create", "bevestigd", f"{base}/metingen/{measurement.pk}"),
        ("metingen", "update", "gecorrigeerd", f"{base}/metingen/{corrected.pk}"),
        ("toestemmingen", "create", "gegeven", f"{base}/toestemmingen/{consent.pk}"),
        ("toestemmingen", "update", "ingetrokken", f"{base}/toestemmingen/{consent.pk}"),
        ("trajecten", "update", "gesloten", f"{base}/trajecten/{closed.pk}"),
        ("trajecten", "create", "geopend", f"{base}/trajecten/{reopened.pk}"),
    ]
    for message in messages():
        assert set(message) == VNG_KEYS
        assert message["aanmaakdatum"].endswith("Z")
    assert messages()[0]["hoofdObject"] == f"{base}/trajecten/{trajectory.pk}"
    assert messages()[1]["kenmerken"]["vervangt"] == f"{base}/metingen/{measurement.pk}"
    assert Delivery.objects.filter(status="pending").count() == 6


def test_a_notification_holds_no_personal_data(trajectory, alice, subscription):
    confirmed_measurement(trajectory, alice)
    text = json.dumps(messages())
    resident = trajectory.resident
    for personal in [resident.first_name, resident.last_name, "rust over mijn geld", "Noord"]:
        assert personal not in text
    # Only words from a fixed vocabulary besides the addresses and the time.
    assert messages()[0]["kenmerken"] == {"gebeurtenis": "bevestigd", "soort": "start"}


def test_no_outbox_row_when_the_change_is_refused(trajectory, alice, subscription):
    draft = instrument.start_measurement(trajectory, alice)
    incomplete = board_data(draft, chosen=["wonen"])
    with pytest.raises(ValidationError):
        instrument.confirm_measurement(draft, alice, incomplete)
    assert not Notification.objects.exists()


def test_a_receiver_failing_rolls_back_the_outbox_row_with_the_change(
    trajectory, alice, subscription
):
    """The outbox row and the change commit together: a close refused by a rule after
    its signal leaves neither."""
    draft = instrument.start_measurement(trajectory, alice)  # an open draft refuses closing
    with pytest.raises(ValidationError):
        residents.close_trajectory(trajectory, alice, "goals_reached")
    assert draft.pk
    assert not Notification.objects.exists()


def test_other_organisations_and_other_channels_hear_nothing(
    trajectory, alice, charlie, subscription
):
    subscription.channels = "trajecten"
    subscription.save()
    confirmed_measurement(trajectory, alice)
    assert not Notification.objects.exists()
    residents.close_trajectory(trajectory, alice, "goals_reached", ended_on=timezone.localdate())
    assert [m["kanaal"] for m in messages()] == ["trajecten"]


def test_the_organisation_a_consent_shares_with_hears_of_it(
    trajectory, alice, charlie, olga, subscription
):
    """The specialist's system learns of consent given to its organisation."""
    theirs = type(subscription).objects.create(
        organisation=charlie.organisation,
        name="Specialist",
        callback_url="https://specialist.example/hook",
        secret="s",
        channels="toestemmingen",
        created_by=olga,
    )
    residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(
            organisation=charlie.organisation,
            share_plan=True,
            share_goals=True,
            share_measurements=False,
            valid_from=timezone.localdate() - dt.timedelta(days=1),
        ),
    )
    assert set(Delivery.objects.values_list("subscription_id", flat=True)) == {
        subscription.pk,
        theirs.pk,
    }
