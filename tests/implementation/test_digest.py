"""The daily reminder digest: first name and links, once a day."""

from __future__ import annotations

import datetime as dt
import io
import smtplib

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import confirmed_measurement
from wattelt.implementation import services
from wattelt.implementation.models import DigestSent


@pytest.fixture(autouse=True)
def site(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://wattelt.example.nl/"


@pytest.fixture
def alice_mail(alice):
    alice.email = "alice@example.nl"
    alice.save()
    return alice


def test_digest_names_the_professional_and_links_only(trajectory, alice_mail, mailoutbox):
    call_command("send_reminder_digest", stdout=io.StringIO())
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alice@example.nl"]
    assert "Wat telt" in mail.subject
    assert "Alice" in mail.body
    assert f"https://wattelt.example.nl/trajecten/{trajectory.pk}/" in mail.body
    assert "startmeting ontbreekt" in mail.body
    resident = trajectory.resident
    for personal in (
        resident.first_name,
        resident.last_name,
        resident.bsn,
        resident.date_of_birth.strftime("%d-%m-%Y"),
        str(resident.district),
        alice_mail.last_name,
    ):
        assert personal not in mail.body and personal not in mail.subject


def test_running_twice_on_one_day_sends_one_mail(trajectory, alice_mail, mailoutbox):
    first = services.send_reminder_digest()
    second = services.send_reminder_digest()
    assert (first.sent, second.sent, second.already_sent) == (1, 0, 1)
    assert len(mailoutbox) == 1
    assert DigestSent.objects.get().trajectories == 1


def test_the_next_day_brings_a_new_digest(trajectory, alice_mail, mailoutbox):
    today = timezone.localdate()
    services.send_reminder_digest(today)
    services.send_reminder_digest(today + dt.timedelta(days=1))
    assert len(mailoutbox) == 2


def test_overdue_and_due_follow_ups_are_in_the_digest(trajectory, alice_mail, mailoutbox):
    confirmed_measurement(trajectory, alice_mail, days_ago=100)
    services.send_reminder_digest()
    assert "te laat sinds" in mailoutbox[0].body
    mailoutbox.clear()
    services.send_reminder_digest(timezone.localdate() - dt.timedelta(days=20))
    assert "uiterlijk" in mailoutbox[0].body


def test_nothing_due_means_no_mail(trajectory, alice_mail, mailoutbox):
    confirmed_measurement(trajectory, alice_mail, days_ago=1)
    assert services.send_reminder_digest().sent == 0
    assert mailoutbox == []


def test_professional_without_address_or_account_gets_nothing(trajectory, alice, mailoutbox):
    assert services.send_reminder_digest().without_email == 1
    alice.email, alice.is_active = "alice@example.nl", False
    alice.save()
    assert services.send_reminder_digest().sent == 0
    assert mailoutbox == [] and not DigestSent.objects.exists()


def test_a_failed_mail_is_tried_again_next_run(trajectory, alice_mail, mailoutbox, monkeypatch):
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(CommandError):
        call_command("send_reminder_digest", stdout=io.StringIO())
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert services.send_reminder_digest().sent == 1


def test_the_command_needs_the_site_address(settings, trajectory):
    settings.SITE_URL = ""
    with pytest.raises(CommandError):
        call_command("send_reminder_digest")
