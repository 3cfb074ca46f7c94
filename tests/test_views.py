"""The screens: who may see and do what, what is logged, and bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import board_data, client_for, complete_fields, confirmed_measurement
from wattelt.audit.models import AccessLog
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Measurement
from wattelt.residents import services as residents
from wattelt.residents.models import Resident


def post_fields(measurement: Measurement, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {"revision": measurement.revision}
    for name, value in fields.items():
        data[name.replace("__", "-")] = value
    return data


def test_anonymous_is_sent_to_login(trajectory):
    response = Client().get(reverse("instrument:progress", args=[trajectory.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    [
        "instrument:progress",
        "instrument:plan",
        "instrument:plan_pdf",
        "instrument:not_filled_in",
        "residents:close",
    ],
)
def test_outsider_cannot_see_trajectory(trajectory, charlie, name):
    assert client_for(charlie).get(reverse(name, args=[trajectory.pk])).status_code == 404


def test_outsider_cannot_see_resident_or_find_them(trajectory, charlie):
    client = client_for(charlie)
    assert client.get(reverse("residents:detail", args=[trajectory.resident_id])).status_code == 404
    response = client.post(reverse("residents:search"), {"q": "Yilmaz"})
    assert "Fatima" not in response.content.decode()


def test_outsider_cannot_see_measurement(trajectory, alice, charlie):
    measurement = confirmed_measurement(trajectory, alice)
    assert (
        client_for(charlie).get(reverse("instrument:board", args=[measurement.pk])).status_code
        == 404
    )


def test_the_progress_page_offers_the_draft_to_continue(trajectory, alice):
    """The confirmed measurements and the draft are read together: the draft is offered
    to continue, and is no point of the progress."""
    confirmed = confirmed_measurement(trajectory, alice)
    url = reverse("instrument:progress", args=[trajectory.pk])
    client = client_for(alice)
    before = client.get(url)
    assert before.context["draft"] is None
    draft = instrument.start_measurement(trajectory, alice, "follow_up")
    response = client.get(url)
    assert response.context["draft"] == draft
    assert reverse("instrument:board", args=[draft.pk]) in response.content.decode()
    assert response.context["progress"].measurements == [confirmed]


def test_coach_reads_but_cannot_record(trajectory, alice, bob):
    client = client_for(bob)
    assert client.get(reverse("instrument:progress", args=[trajectory.pk])).status_code == 200
    response = client.post(reverse("instrument:new_measurement", args=[trajectory.pk]))
    assert response.status_code == 403
    draft = instrument.start_measurement(trajectory, alice)
    response = client.post(
        reverse("instrument:board", args=[draft.pk]), post_fields(draft, chosen="wonen")
    )
    assert response.status_code == 403
    assert not draft.choices.exists()
    assert client.post(reverse("residents:close", args=[trajectory.pk]), {}).status_code == 403


def test_search_finds_by_name_bsn_and_birth_date(trajectory, alice):
    client = client_for(alice)
    for query in ["yilm", "Fatima Yilmaz", "111222333", "12-04-1985"]:
        response = client.post(reverse("residents:search"), {"q": query})
        assert "Fatima Yilmaz" in response.content.decode(), query
    assert AccessLog.objects.filter(action="search", resident_id=trajectory.resident_id).exists()


def test_register_resident_and_open_trajectory_in_one_step(alice, team, district, catalogue):
    response = client_for(alice).post(
        reverse("residents:register"),
        {
            "first_name": "Piet",
            "last_name": "Post",
            "date_of_birth": "1970-05-05",
            "district": district.pk,
            "bsn": "123456782",
            "team": team.pk,
        },
    )
    resident = Resident.objects.get(last_name="Post")
    assert response.status_code == 302
    assert resident.trajectories.get().responsible == alice


def test_register_with_bad_bsn_shows_message_and_saves_nothing(alice, team, district):
    response = client_for(alice).post(
        reverse("residents:register"),
        {
            "first_name": "Piet",
            "last_name": "Post",
            "date_of_birth": "1970-05-05",
            "district": district.pk,
            "bsn": "123456789",
            "team": team.pk,
        },
    )
    assert response.status_code == 200
    assert "11" in response.content.decode()
    assert not Resident.objects.filter(last_name="Post").exists()


def test_resident_page_masks_bsn_and_is_logged(trajectory, alice):
    response = client_for(alice).get(reverse("residents:detail", args=[trajectory.resident_id]))
    html = response.content.decode()
    assert "*****333" in html
    assert "111222333" not in html
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get(object_type="resident", action="read")
    assert (log.user_id, log.resident_id, log.role) == (
        alice.pk,
        trajectory.resident_id,
        "professional",
    )
    assert log.client_address == "127.0.0.1"


def test_board_without_javascript_records_a_full_measurement(trajectory, alice):
    client = client_for(alice)
    response = client.post(reverse("instrument:new_measurement", args=[trajectory.pk]))
    draft = Measurement.objects.get(trajectory=trajectory)
    assert response["Location"] == reverse("instrument:board", args=[draft.pk])
    assert client.get(response["Location"]).status_code == 200
    fields = post_fields(draft, action="confirm", **complete_fields())
    response = client.post(reverse("instrument:board", args=[draft.pk]), fields)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Measurement.Status.CONFIRMED


def test_board_without_javascript_shows_errors_and_keeps_input(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    fields = post_fields(draft, action="confirm", **complete_fields(quality_of_life=12))
    response = client_for(alice).post(reverse("instrument:board", args=[draft.pk]), fields)
    html = response.content.decode()
    assert response.status_code == 400
    assert "1 tot en met 10" in html or "1 tot 10" in html
    assert "Ik wil rust over mijn geld" in html, "the user's goal is still on the screen"
    assert not draft.choices.exists()


def test_autosave_answers_json_with_revision_and_goal_ids(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    response = client_for(alice).post(
        reverse("instrument:board", args=[draft.pk]),
        post_fields(draft, action="save", **complete_fields()),
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert body["revision"] == draft.revision + 1
    assert body["goal_ids"]["0"] == draft.goals.get().pk


def test_autosave_conflict_is_409_with_message(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    client = client_for(alice)
    url = reverse("instrument:board", args=[draft.pk])
    client.post(url, post_fields(draft, chosen="geld"), HTTP_ACCEPT="application/json")
    response = client.post(url, post_fields(draft, chosen="wonen"), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert response.json()["revision"] == draft.revision + 1
    assert (
        "after you opened it" in response.json()["message"] or "nadat" in response.json()["message"]
    )


def test_confirmed_measurement_page_shows_history(trajectory, alice):
    original = confirmed_measurement(trajectory, alice)
    client = client_for(alice)
    response = client.post(
        reverse("instrument:correct", args=[original.pk]),
        post_fields(original, correction_reason="Verkeerd domein", **complete_fields()),
    )
    corrected = Measurement.objects.get(corrects=original)
    assert response["Location"] == reverse("instrument:board", args=[corrected.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Verkeerd domein" in html
    assert reverse("instrument:board", args=[original.pk]) in html


def test_plan_pdf_is_a_pdf_and_logged_as_print(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    response = client_for(alice).get(reverse("instrument:plan_pdf", args=[trajectory.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="print", object_type="plan").count() == 1


def test_plan_shows_goals_in_own_words_and_next_appointment(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    client = client_for(alice)
    client.post(
        reverse("residents:set_appointment", args=[trajectory.pk]),
        {"next_appointment": "Dinsdag 10:00 thuis"},
    )
    html = client.get(reverse("instrument:plan", args=[trajectory.pk])).content.decode()
    assert "Ik wil rust over mijn geld" in html
    assert "Dinsdag 10:00 thuis" in html


def test_close_trajectory_screen(trajectory, alice):
    response = client_for(alice).post(
        reverse("residents:close", args=[trajectory.pk]),
        {
            "closing_reason": "other",
            "closing_note": "",
            "ended_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200, "reason 'other' needs a note"
    trajectory.refresh_from_db()
    assert trajectory.is_open


def test_not_filled_in_screen(trajectory, alice):
    client = client_for(alice)
    url = reverse("instrument:not_filled_in", args=[trajectory.pk])
    assert client.post(url, {"kind": "start"}).status_code == 400
    assert client.post(url, {"kind": "start", "reason": "declined"}).status_code == 302
    assert trajectory.not_filled_in.get().reason == "declined"


def test_start_page_lists_my_open_trajectories_with_due_state(trajectory, alice):
    html = client_for(alice).get(reverse("start")).content.decode()
    assert "Fatima Yilmaz" in html
    assert "badge--overdue" in html  # started 200 days ago without a start measurement


# --- bounded queries: the four main pages cost the same whatever the data size ---


def add_trajectories(alice, team, district, count: int) -> None:
    for n in range(count):
        resident = residents.register_resident(
            residents.ResidentInput(f"R{n}", "Test", dt.date(1980, 1, 1), district), alice
        )
        trajectory = residents.open_trajectory(
            resident, team, alice, timezone.localdate() - dt.timedelta(days=300)
        )
        confirmed_measurement(trajectory, alice, days_ago=200)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def add_follow_up(trajectory, alice, days_ago: int) -> None:
    draft = instrument.start_measurement(trajectory, alice, "follow_up")
    reviews = {f"review__{g.pk}__status": "partly" for g in instrument.goals_to_review(draft)}
    day = (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()
    data = board_data(draft, **complete_fields(measured_on=day, **reviews))
    instrument.confirm_measurement(draft, alice, data)


def page_counts(client: Client, trajectory, alice) -> dict[str, int]:
    draft = instrument.start_measurement(trajectory, alice, "follow_up")
    urls = {
        "start": reverse("start"),
        "resident": reverse("residents:detail", args=[trajectory.resident_id]),
        "board": reverse("instrument:board", args=[draft.pk]),
        "progress": reverse("instrument:progress", args=[trajectory.pk]),
        "plan": reverse("instrument:plan", args=[trajectory.pk]),
    }
    counts = {name: count_queries(client, url) for name, url in urls.items()}
    instrument.discard_draft(draft, alice)
    return counts


def test_pages_make_a_fixed_number_of_queries(trajectory, alice, team, district):
    """Measure each page, add more residents and measurements, measure again: the
    number of queries must not grow with the data."""
    client = client_for(alice)
    confirmed_measurement(trajectory, alice, days_ago=150)
    add_follow_up(trajectory, alice, days_ago=120)
    small = page_counts(client, trajectory, alice)
    add_trajectories(alice, team, district, 12)
    for days_ago in (90, 60, 30):
        add_follow_up(trajectory, alice, days_ago)
    large = page_counts(client, trajectory, alice)
    print(f"queries per page: {small}")
    assert large == small
    assert max(small.values()) <= 25, small


def test_search_words_never_appear_in_a_url(trajectory, alice):
    """A BSN typed into the search must not land in a URL (proxy logs, history): every
    search form posts, and the search answers a POST."""
    client = client_for(alice)
    for name in ("start", "residents:search"):
        html = client.get(reverse(name)).content.decode()
        forms = re.findall(r"<form[^>]*role=\"search\"[^>]*>", html)
        assert forms, name
        assert all('method="post"' in form for form in forms), forms
    response = client.post(reverse("residents:search"), {"q": "111222333"})
    assert "Fatima Yilmaz" in response.content.decode()


def test_registering_a_resident_gives_no_lasting_access(trajectory, alice, organisation, district):
    from tests.conftest import make_staff
    from wattelt.organisations.models import Team

    other = Team.objects.create(organisation=organisation, name="Team Oost")
    erin = make_staff("erin", organisation, other, "professional")
    resident = residents.register_resident(
        residents.ResidentInput("Piet", "Post", dt.date(1970, 1, 1), district), erin
    )
    assert client_for(erin).get(reverse("residents:detail", args=[resident.pk])).status_code == 200
    residents.open_trajectory(resident, trajectory.team, alice)
    assert client_for(erin).get(reverse("residents:detail", args=[resident.pk])).status_code == 404


def test_board_offers_only_the_perspectives_the_organisation_uses(trajectory, alice, organisation):
    from wattelt.organisations.models import OrganisationPolicy

    OrganisationPolicy.objects.create(organisation=organisation, carer_view=False)
    draft = instrument.start_measurement(trajectory, alice)
    client = client_for(alice)
    html = client.get(reverse("instrument:board", args=[draft.pk])).content.decode()
    assert 'name="chip-professional-wonen"' in html
    assert 'name="chip-carer-wonen"' not in html
    fields = post_fields(
        draft, action="save", **complete_fields(placed__carer__wonen="on", chip__carer__wonen=40)
    )
    response = client.post(
        reverse("instrument:board", args=[draft.pk]), fields, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "chip-carer-wonen" in response.json()["errors"]
    assert not draft.choices.exists()
