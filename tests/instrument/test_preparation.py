"""The professional and the resident's preparation: seen on the progress page once sent,
opened together (the next measurement starts with the resident's domains and chips, the
topics shown in conversation mode), confirmed as usual; the preparation stays as the
resident made it, linked to the measurement."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for, confirmed_measurement, resident_client
from wattelt.instrument import services
from wattelt.instrument.models import Measurement, Preparation
from wattelt.instrument.preparation import open_together

pytestmark = pytest.mark.django_db
PREPARE = reverse("portal:prepare")


def prepare(resident, action="send", **fields) -> Preparation:
    response = resident_client(resident).post(PREPARE, {"action": action, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Preparation.objects.get(measurement__isnull=True)


def chips(measurement: Measurement) -> dict[str, int | None]:
    return {c.domain.key: c.resident_chip for c in measurement.choices.select_related("domain")}


def test_the_professional_sees_a_sent_preparation_not_a_saved_one(trajectory, alice, resident):
    progress = reverse("instrument:progress", args=[trajectory.pk])
    prepare(resident, action="save", chosen=["wonen"])
    assert "data-open-together" not in client_for(alice).get(progress).content.decode()
    prepared = prepare(resident, chosen=["wonen"])
    html = client_for(alice).get(progress).content.decode()
    assert "Voorbereiding van de inwoner" in html and "Samen openen" in html
    assert reverse("instrument:open_preparation", args=[prepared.pk]) in html


def test_opened_together_and_confirmed_the_preparation_stays_the_residents(
    trajectory, alice, resident
):
    start = confirmed_measurement(trajectory, alice)
    prepared = prepare(
        resident,
        chosen=["wonen", "werk"],
        topics="Ik wil over werk praten",
        **{"chip-resident-wonen": "80", "chip-resident-werk": "15"},
    )
    client = client_for(alice)
    response = client.post(reverse("instrument:open_preparation", args=[prepared.pk]))
    draft = Measurement.objects.get(status=Measurement.Status.DRAFT)
    assert response["Location"] == reverse("instrument:conversation", args=[draft.pk])
    assert draft.kind == Measurement.Kind.FOLLOW_UP
    assert chips(draft) == {"wonen": 80, "werk": 15}
    # In conversation mode the topics are on top, in the resident's words.
    html = client.get(response["Location"]).content.decode()
    assert "Ik wil over werk praten" in html and 'value="werk" checked' in html
    # They go through it together: the professional's chip and a goal are added.
    from tests.conftest import board_data

    data = board_data(
        draft,
        chosen=["wonen", "werk"],
        chip__resident__wonen=80,
        chip__resident__werk=20,
        quality_of_life=7,
        goal__0__own_words="Ik wil een baan",
        goal__0__domains=["werk"],
        **{f"review__{g.pk}__status": "partly" for g in start.goals.all()},
    )
    confirmed = services.confirm_measurement(draft, alice, data)
    prepared.refresh_from_db()
    assert prepared.measurement == confirmed
    assert {c.domain.key: c.resident_chip for c in prepared.choices.select_related("domain")} == {
        "wonen": 80,
        "werk": 15,
    }
    assert prepared.topics == "Ik wil over werk praten"
    client = client_for(alice)  # the tablet taken back
    progress = client.get(reverse("instrument:progress", args=[trajectory.pk])).content.decode()
    assert "voorbereid door inwoner" in progress
    assert "data-open-together" not in progress
    page = client.get(reverse("instrument:preparation", args=[prepared.pk])).content.decode()
    assert "Ik wil over werk praten" in page and "Samen openen" not in page


def test_without_a_confirmed_measurement_it_opens_as_the_start(trajectory, alice, resident):
    prepared = prepare(resident, chosen=["geld"], **{"chip-resident-geld": "5"})
    measurement = open_together(prepared, alice)
    assert measurement.kind == Measurement.Kind.START and chips(measurement) == {"geld": 5}
    # Opening twice gives the same draft.
    assert open_together(prepared, alice) == measurement


def test_not_opened_over_an_existing_draft(trajectory, alice, resident):
    services.start_measurement(trajectory, alice)
    prepared = prepare(resident, chosen=["geld"])
    client = client_for(alice)
    response = client.post(reverse("instrument:open_preparation", args=[prepared.pk]), follow=True)
    assert "Er is al een conceptmeting" in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.measurement is None


def test_discarding_the_draft_frees_the_preparation(trajectory, alice, resident):
    prepared = prepare(resident, chosen=["geld"])
    draft = open_together(prepared, alice)
    services.discard_draft(draft, alice)
    prepared.refresh_from_db()
    assert prepared.is_open and prepared.measurement is None


def test_the_coach_reads_but_cannot_open(trajectory, alice, bob, resident):
    prepared = prepare(resident, chosen=["geld"])
    coach = client_for(bob)
    assert coach.get(reverse("instrument:preparation", args=[prepared.pk])).status_code == 200
    response = coach.post(reverse("instrument:open_preparation", args=[prepared.pk]))
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_the_inzage_shows_the_preparation_and_erasure_removes_it(trajectory, alice, resident):
    from wattelt.instrument.privacy import erase, trajectory_facts

    prepared = prepare(resident, chosen=["geld"], topics="Mijn schulden")
    facts = trajectory_facts([trajectory.pk])[trajectory.pk]["preparations"]
    assert [(p["id"], p["topics"]) for p in facts] == [(prepared.pk, "Mijn schulden")]
    assert facts[0]["choices"][0]["domain"] == "geld"
    erase([trajectory.pk])
    assert not Preparation.objects.exists()
