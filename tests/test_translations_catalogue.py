"""The catalogue in seven languages and two wordings: data an organisation edits, kept
through its versions, flagged for a native speaker's check; the wording follows the
resident's age on the measurement's date unless the professional chose; the resident's
language is stored and switched through the one door."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.conftest import client_for
from wattelt.audit.models import AccessLog
from wattelt.instrument import services as instrument
from wattelt.instrument.catalogue import copy_as_new_version
from wattelt.instrument.models import Catalogue, Domain
from wattelt.instrument.wording import (
    ADULT,
    YOUTH,
    choose_wording,
    domain_text,
    in_wording_order,
    wording_for,
)
from wattelt.residents import services as residents
from wattelt.residents.language import RESIDENT_LANGUAGES, direction, resident_language

CODES = [code for code, _name in RESIDENT_LANGUAGES]


def test_every_default_card_has_both_wordings_in_every_language(catalogue):
    for domain in catalogue.domains.all():
        for code in CODES:
            for wording in (ADULT, YOUTH):
                text = domain_text(domain, code, wording)
                assert text.label and text.explanation, (domain.key, code, wording)
        assert set(domain.youth_labels) == set(CODES)
        assert domain.unchecked_languages == ["ar", "tr", "pl", "uk", "ti"]
    assert domain_text(catalogue.domains.get(key="geld"), "nl").checked
    assert not domain_text(catalogue.domains.get(key="geld"), "ti").checked


def test_the_youth_wording_puts_school_first_and_opvoeding_as_home(catalogue):
    domains = list(catalogue.domains.all())
    assert in_wording_order(domains, YOUTH)[0].key == "school"
    assert in_wording_order(domains, ADULT)[0].key == "wonen"
    opvoeding = catalogue.domains.get(key="opvoeding")
    assert domain_text(opvoeding, "nl", YOUTH).label == "Thuis en ouders"
    assert domain_text(opvoeding, "nl", ADULT).label == "Opvoeding"


def test_a_missing_text_falls_back_to_the_language_then_to_dutch(catalogue):
    domain = catalogue.domains.get(key="wonen")
    domain.youth_labels = {"nl": "Waar ik woon"}
    assert domain_text(domain, "ar", YOUTH).label == "السكن"  # adult words, right language
    domain.labels = {"nl": "Wonen"}
    assert domain_text(domain, "ar", ADULT).label == "Wonen"
    with translation.override("uk"):
        assert domain_text(catalogue.domains.get(key="geld")).label == "Гроші"


def test_a_new_version_keeps_the_translations_and_the_flags(catalogue):
    copy = copy_as_new_version(catalogue, None)
    for original in catalogue.domains.all():
        copied = copy.domains.get(key=original.key)
        assert copied.labels == original.labels
        assert copied.youth_labels == original.youth_labels
        assert copied.youth_position == original.youth_position
        assert copied.unchecked_languages == original.unchecked_languages


def test_the_wording_follows_the_age_on_the_date_unless_chosen(trajectory, alice):
    resident = trajectory.resident
    draft = instrument.start_measurement(trajectory, alice)
    resident.date_of_birth = draft.measured_on - dt.timedelta(days=365 * 12 + 10)
    resident.save()
    assert wording_for(draft) == YOUTH  # 12
    resident.date_of_birth = draft.measured_on.replace(year=draft.measured_on.year - 18)
    resident.save()
    draft.refresh_from_db()
    assert wording_for(draft) == ADULT  # 18 today
    resident.date_of_birth = draft.measured_on.replace(year=draft.measured_on.year - 11)
    resident.save()
    assert wording_for(draft) == ADULT  # 11: too young for the youth cards
    choose_wording(draft, YOUTH)
    draft.refresh_from_db()
    assert wording_for(draft) == YOUTH
    with pytest.raises(ValidationError):
        choose_wording(draft, "children")


def test_the_professional_switches_the_wording_through_the_door(trajectory, alice, bob):
    draft = instrument.start_measurement(trajectory, alice)
    url = reverse("instrument:set_wording", args=[draft.pk])
    response = client_for(alice).post(url, {"wording": "youth"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.wording == "youth"
    assert AccessLog.objects.filter(action="change", object_type="measurement").exists()
    assert client_for(bob).post(url, {"wording": ""}).status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.wording == "youth"


def test_the_residents_language_is_stored_and_defaults_to_dutch(trajectory, alice):
    resident = trajectory.resident
    assert resident.language == "nl"
    response = client_for(alice).post(
        reverse("residents:set_language", args=[resident.pk]),
        {"language": "ti", "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == reverse("residents:detail", args=[resident.pk])
    resident.refresh_from_db()
    assert resident.language == "ti"
    assert resident_language(None, resident) == "ti"
    with pytest.raises(ValidationError):
        residents.set_language(resident, "de")
    assert direction("ar") == "rtl" and direction("ti") == "ltr"


def test_an_unknown_language_is_refused_and_nothing_changes(trajectory, alice):
    resident = trajectory.resident
    client_for(alice).post(
        reverse("residents:set_language", args=[resident.pk]), {"language": "xx"}
    )
    resident.refresh_from_db()
    assert resident.language == "nl"


def test_the_admin_marks_texts_to_check(catalogue, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    url = reverse("admin:instrument_domain_changelist") + "?to_check=yes"
    response = client_for(admin).get(url)
    assert response.status_code == 200
    assert "ar, tr, pl, uk, ti" in response.content.decode()
    assert Domain.objects.exclude(unchecked_languages=[]).count() == 14
    assert Catalogue.objects.count() == 1


def test_the_board_offers_the_wording_switch_and_shows_the_youth_cards(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    client = client_for(alice)
    board = client.get(reverse("instrument:board", args=[draft.pk])).content.decode()
    assert "Gebruik deze woorden" in board and "Opvoeding" in board
    client.post(
        reverse("instrument:set_wording", args=[draft.pk]),
        {"wording": "youth", "next": reverse("instrument:board", args=[draft.pk])},
    )
    board = client.get(reverse("instrument:board", args=[draft.pk])).content.decode()
    assert "Thuis en ouders" in board
    assert board.index('data-card="school"') < board.index('data-card="wonen"')
