"""The resident's own pages in Mijn Wat telt: plan, progress, who looked, sharing,
privacy. Each shows only the resident's own data, logs the look with the resident as
actor, and never shows a chip position or grade as a number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement, register_rik, resident_client
from wattelt.audit.models import AccessLog
from wattelt.instrument import services as instrument
from wattelt.organisations.models import Staff
from wattelt.privacy.models import RetentionPolicy
from wattelt.residents import services as residents
from wattelt.residents.models import Consent, Resident, Trajectory
from wattelt.residents.signals import consent_withdrawn

pytestmark = pytest.mark.django_db

PAGES = [
    "portal:home",
    "portal:plan",
    "portal:progress",
    "portal:looked",
    "portal:consents",
    "portal:privacy",
]


@pytest.fixture
def rik(alice, district, team) -> Resident:
    """A second resident of the same team, with a goal and a consent of his own."""
    rik = register_rik(alice, district)
    trajectory = residents.open_trajectory(
        rik, team, alice, timezone.localdate() - dt.timedelta(days=50)
    )
    confirmed_measurement(trajectory, alice, days_ago=10, goal__0__own_words="Rik wil een fiets")
    return rik


@pytest.fixture
def shared(trajectory, alice, charlie) -> Consent:
    """Rosa's consent to share her plan and goals with Charlie's organisation."""
    return residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(charlie.organisation, True, True, False, trajectory.started_on),
    )


def own_reads(resident: Resident) -> list[tuple[str, str]]:
    records = AccessLog.objects.filter(resident_id=resident.pk, role="resident")
    for record in records:
        assert (record.user_id, record.username, record.purpose) == (
            None,
            f"inwoner:{resident.pk}",
            "own view",
        )
    return [(r.action, r.object_type) for r in records]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_logs_the_look_with_the_resident_as_actor(name, trajectory, alice, shared):
    confirmed_measurement(trajectory, alice)
    resident = trajectory.resident
    before = AccessLog.objects.filter(resident_id=resident.pk, role="resident").count()
    response = resident_client(resident).get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert AccessLog.objects.filter(resident_id=resident.pk, role="resident").count() > before
    own_reads(resident)


@pytest.mark.parametrize("name", PAGES)
def test_a_resident_never_sees_another_residents_data(name, trajectory, alice, shared, rik):
    confirmed_measurement(trajectory, alice, goal__0__own_words="Rosa wil rust")
    page = resident_client(rik).get(reverse(name)).content.decode()
    assert "Rosa wil rust" not in page
    assert "Fatima" not in page and "Yilmaz" not in page
    assert "Andere organisatie" not in page  # Rosa's consent, not Rik's
    assert not AccessLog.objects.filter(
        resident_id=trajectory.resident.pk, role="resident"
    ).exists()


def test_the_plan_shows_goals_who_does_what_and_how_to_reach_the_team(trajectory, alice, team):
    team.phone = "020 123 45 67"
    team.email = "noord@wijkteam.example"
    team.save()
    trajectory.next_appointment = "dinsdag 10 uur"
    trajectory.save()
    confirmed_measurement(trajectory, alice, goal__0__by_resident="Ik bel de schuldhulp")
    page = resident_client(trajectory.resident).get(reverse("portal:plan")).content.decode()
    for text in (
        "Ik wil rust over mijn geld",
        "Ik bel de schuldhulp",
        "dinsdag 10 uur",
        str(alice),
        "020 123 45 67",
        "noord@wijkteam.example",
        reverse("portal:plan_pdf", args=[trajectory.pk]),
    ):
        assert text in page
    assert ("read", "plan") in own_reads(trajectory.resident)


def test_closed_support_is_folded_below_the_open_one(trajectory, alice, team, resident):
    residents.close_trajectory(
        trajectory, alice, "goals_reached", ended_on=trajectory.started_on + dt.timedelta(days=10)
    )
    residents.open_trajectory(resident, team, alice)
    page = resident_client(resident).get(reverse("portal:plan")).content.decode()
    assert page.count('<article class="plan">') == 2
    assert page.index('<details class="portal-earlier">') > page.index('class="portal-plan"')


def test_the_plan_as_pdf_in_arabic_is_logged_as_print(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    resident = trajectory.resident
    resident.language = "ar"
    resident.save()
    response = resident_client(resident).get(reverse("portal:plan_pdf", args=[trajectory.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ("print", "plan") in own_reads(resident)


def refused_probes(resident: Resident) -> list[tuple[str, str, str, int | None]]:
    return list(
        AccessLog.objects.filter(
            username=f"inwoner:{resident.pk}", outcome=AccessLog.Outcome.REFUSED
        ).values_list("action", "object_type", "object_id", "resident_id")
    )


def test_another_residents_plan_pdf_is_not_found_and_the_probe_is_on_record(trajectory, rik):
    response = resident_client(rik).get(reverse("portal:plan_pdf", args=[trajectory.pk]))
    assert response.status_code == 404
    # The privacy officer sees who tried what; whose it was is not looked up for the record.
    assert refused_probes(rik) == [("print", "trajectory", str(trajectory.pk), None)]


def test_progress_shows_faces_both_perspectives_and_what_changed_never_numbers(trajectory, alice):
    start = confirmed_measurement(
        trajectory,
        alice,
        kind="start",
        days_ago=100,
        chip__professional__geld=50,
        placed__professional__geld="on",
    )
    goal = start.goals.get()
    confirmed_measurement(
        trajectory,
        alice,
        **{f"review__{goal.pk}__status": "partly"},
        kind="follow_up",
        days_ago=10,
        chip__resident__geld=80,
        chip__resident__wonen=71,
        quality_of_life=8,
        goal__0__own_words="Ik zoek werk",
        goal__0__domains=["wonen"],
    )
    page = resident_client(trajectory.resident).get(reverse("portal:progress")).content.decode()
    assert page.count('class="portal-card portal-board"') == 2
    assert 'data-direction="up"' in page  # money: not going well -> going well
    assert "face-redelijk" in page  # the professional's face on money
    main = page[page.index("<main") :]
    visible = re.sub(r"<[^>]+>", " ", main)
    for number in ("70", "71", "80", "20", "50"):
        assert not re.search(rf"\b{number}\b", visible), number
    assert not re.search(r"\b[68]\b", visible.replace("2026", ""))  # no grades as digits
    assert ("read", "trajectory") in own_reads(trajectory.resident)


def test_who_looked_shows_a_staff_look_made_a_minute_ago(trajectory, alice, charlie):
    resident = trajectory.resident
    client_for(alice).get(reverse("residents:detail", args=[resident.pk]))
    client_for(charlie).get(reverse("residents:detail", args=[resident.pk]))  # refused
    client = resident_client(resident)
    client.get(reverse("portal:home"))  # her own look
    page = client.get(reverse("portal:looked")).content.decode()
    assert alice.get_full_name() in page
    assert "bekeken" in page and "uw gegevens" in page and "voor uw begeleiding" in page
    assert "De poging is tegengehouden" in page  # charlie, calmly worded
    assert "Uw eigen bezoeken" in page  # not listed one by one
    assert ("read", "access_log") in own_reads(resident)


def test_who_looked_is_paginated_newest_first(trajectory, alice):
    resident = trajectory.resident
    client = client_for(alice)
    for _ in range(21):
        client.get(reverse("residents:detail", args=[resident.pk]))
    page = resident_client(resident).get(reverse("portal:looked")).content.decode()
    assert page.count('class="portal-card portal-look') == 20
    assert "?page=2" in page


def test_the_resident_withdraws_a_consent_with_a_confirm_step(shared, charlie, alice):
    heard: list[Consent] = []

    def hear(sender: object, consent: Consent, **kwargs: object) -> None:
        heard.append(consent)

    consent_withdrawn.connect(hear, weak=False)
    try:
        withdraw_as_resident(shared, charlie)
    finally:
        consent_withdrawn.disconnect(hear)
    assert [c.pk for c in heard] == [shared.pk]  # the signal the outbox and API listen to


def withdraw_as_resident(shared: Consent, charlie: Staff) -> None:
    resident = shared.trajectory.resident
    specialist = client_for(charlie)
    plan_url = reverse("instrument:plan", args=[shared.trajectory.pk])
    assert specialist.get(plan_url).status_code == 200
    client = resident_client(resident)
    confirm = client.get(reverse("portal:withdraw", args=[shared.pk]))
    assert "Andere organisatie" in confirm.content.decode()
    shared.refresh_from_db()
    assert shared.withdrawn_at is None  # asking is not withdrawing
    response = client.post(reverse("portal:withdraw", args=[shared.pk]), follow=True)
    assert "kan uw gegevens niet meer zien" in response.content.decode()
    shared.refresh_from_db()
    assert shared.withdrawn_at is not None and shared.withdrawn_by_resident
    assert specialist.get(plan_url).status_code == 404
    assert ("change", "consent") in own_reads(resident)


def test_withdrawing_twice_says_so_and_changes_nothing(shared):
    client = resident_client(shared.trajectory.resident)
    client.post(reverse("portal:withdraw", args=[shared.pk]))
    shared.refresh_from_db()
    first = shared.withdrawn_at
    page = client.post(reverse("portal:withdraw", args=[shared.pk]), follow=True)
    assert "was al beëindigd" in page.content.decode()
    shared.refresh_from_db()
    assert shared.withdrawn_at == first


def test_a_resident_cannot_withdraw_another_residents_consent(shared, rik):
    response = resident_client(rik).post(reverse("portal:withdraw", args=[shared.pk]))
    assert response.status_code == 404
    shared.refresh_from_db()
    assert shared.withdrawn_at is None
    assert refused_probes(rik) == [("read", "consent", str(shared.pk), None)]


def test_a_staff_withdrawal_is_not_recorded_as_the_residents(shared, alice):
    residents.withdraw_consent(shared, alice)
    shared.refresh_from_db()
    assert not shared.withdrawn_by_resident
    page = resident_client(shared.trajectory.resident).get(reverse("portal:consents"))
    assert "Ingetrokken op" in page.content.decode()


def test_the_privacy_statement_gives_the_organisations_retention(trajectory, organisation):
    RetentionPolicy.objects.create(organisation=organisation, years=12, youth_years=21)
    page = resident_client(trajectory.resident).get(reverse("portal:privacy")).content.decode()
    assert "12 jaar" in page and "21 jaar" in page
    assert organisation.name in page


def test_home_links_the_parts_that_exist_and_shows_the_next_appointment(trajectory, alice):
    trajectory.next_appointment = "maandag 9 uur"
    trajectory.save()
    page = resident_client(trajectory.resident).get(reverse("portal:home")).content.decode()
    assert "maandag 9 uur" in page and str(alice) in page
    for name in (
        "portal:plan",
        "portal:progress",
        "portal:looked",
        "portal:consents",
        "portal:privacy",
    ):
        assert f'href="{reverse(name)}"' in page


def test_a_draft_is_never_shown_to_the_resident(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    draft = instrument.start_measurement(trajectory, alice, "follow_up")
    assert draft.is_draft
    page = resident_client(trajectory.resident).get(reverse("portal:progress")).content.decode()
    assert page.count('class="portal-card portal-board"') == 1
    assert Trajectory.objects.owned_by(trajectory.resident).count() == 1


def test_the_professional_sees_that_the_resident_withdrew(shared, alice):
    resident_client(shared.trajectory.resident).post(reverse("portal:withdraw", args=[shared.pk]))
    page = client_for(alice).get(reverse("residents:consents", args=[shared.trajectory.pk]))
    assert "door de inwoner in Mijn Wat telt" in page.content.decode()
