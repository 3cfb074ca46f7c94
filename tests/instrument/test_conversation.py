"""Conversation mode on the server: a follow-up starts from last time, the session is
locked to the measurement's pages, the resident sees a summary before confirming and
"what changed" after, the same save twice is no conflict, logging out clears the
browser's copy."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import board_data, client_for, complete_fields, confirmed_measurement
from wattelt.instrument import services
from wattelt.instrument.changes import direction, what_changed
from wattelt.instrument.models import Measurement
from wattelt.organisations import handover

pytestmark = pytest.mark.django_db


def reviewed(measurement):
    """The goal statuses a follow-up of `measurement` needs (board_data's field names)."""
    return {f"review__{g.pk}__status": "partly" for g in measurement.goals.all()}


def handed_over(measurement, user):
    client = client_for(user)
    response = client.post(reverse("instrument:conversation", args=[measurement.pk]))
    assert response["Location"] == reverse("instrument:conversation", args=[measurement.pk])
    return client


def test_a_follow_up_starts_with_last_times_domains_without_chips(trajectory, alice):
    start = confirmed_measurement(trajectory, alice, carer_relation="zus")
    follow_up = services.start_measurement(trajectory, alice, "follow_up")
    chosen = {c.domain.key: c.resident_chip for c in follow_up.choices.select_related("domain")}
    assert chosen == {"wonen": None, "geld": None}
    assert follow_up.carer_relation == start.carer_relation == "zus"
    # It cannot be confirmed as it is: the resident places the chips anew.
    assert "chosen" in services.completeness_errors(follow_up)


def test_a_start_measurement_starts_empty(trajectory, alice):
    assert not services.start_measurement(trajectory, alice).choices.exists()


def test_end_measurement_is_not_offered_right_after_the_start(trajectory, alice):
    start = confirmed_measurement(trajectory, alice)
    page = client_for(alice).get(reverse("instrument:progress", args=[trajectory.pk]))
    html = page.content.decode()
    assert 'value="follow_up"' in html and 'value="end"' not in html
    confirmed_measurement(trajectory, alice, kind="follow_up", days_ago=50, **reviewed(start))
    html = client_for(alice).get(reverse("instrument:progress", args=[trajectory.pk]))
    assert 'value="end"' in html.content.decode()


def test_directions_follow_the_paired_change_threshold():
    assert [direction(50, 60), direction(50, 59), direction(50, 40), direction(None, 40)] == [
        "up",
        "same",
        "down",
        "new",
    ]


def test_what_changed_compares_with_the_last_measurement(trajectory, alice):
    start = confirmed_measurement(trajectory, alice)  # wonen 70, geld 20, grade 6
    later = confirmed_measurement(
        trajectory,
        alice,
        kind="follow_up",
        days_ago=10,
        **reviewed(start),
        chip__resident__wonen=40,
        chip__resident__geld=25,
        chosen=["wonen", "geld", "werk"],
        chip__resident__werk=90,
        quality_of_life=8,
    )
    changes = what_changed(later)
    assert {c.domain.key: (c.then, c.now, c.direction) for c in changes.domains} == {
        "wonen": ("goed", "redelijk", "down"),
        "geld": ("niet-goed", "niet-goed", "same"),
        "werk": ("", "goed", "new"),
    }
    assert (changes.grade_then, changes.grade_now, changes.grade_direction) == (6, 8, "up")
    page = client_for(alice).get(reverse("instrument:what_changed", args=[later.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "site-nav" not in html
    assert 'data-direction="down"' in html


def test_handed_over_the_session_reaches_only_this_measurement(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    client = handed_over(draft, alice)
    conversation = reverse("instrument:conversation", args=[draft.pk])
    page = client.get(conversation)
    html = page.content.decode()
    assert page.status_code == 200
    assert "site-nav" not in html and "site-search" not in html
    assert trajectory.resident.last_name not in html
    assert 'name="measured_on" value=' in html and 'type="date" name="measured_on"' not in html
    for elsewhere in (
        reverse("start"),
        reverse("instrument:board", args=[draft.pk]),
        reverse("instrument:progress", args=[trajectory.pk]),
        reverse("residents:detail", args=[trajectory.resident_id]),
    ):
        assert client.get(elsewhere)["Location"] == conversation, elsewhere
    refused = client.post(reverse("instrument:discard", args=[draft.pk]))
    assert refused.status_code == 403
    assert Measurement.objects.filter(pk=draft.pk).exists()


def test_handing_back_needs_password_and_code(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    client = handed_over(draft, alice)
    back = reverse("instrument:conversation_return", args=[draft.pk])
    wrong = client.post(back, {"password": "fout", "code": "123456"})
    assert wrong.status_code == 200 and "De tablet blijft vergrendeld" in wrong.content.decode()
    assert handover.LOCK_KEY in client.session
    client.logout()
    assert handover.LOCK_KEY not in client.session


def _posted(measurement, **fields):
    data = {"revision": measurement.revision, "mode": "conversation", "action": "review"}
    data.update(fields)
    return data


def test_done_with_answers_missing_keeps_the_draft_and_names_them(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    client = handed_over(draft, alice)
    response = client.post(
        reverse("instrument:board", args=[draft.pk]),
        _posted(draft, chosen=["wonen", "geld"], **{"chip-resident-wonen": 60}),
        HTTP_ACCEPT="application/json",
    )
    body = json.loads(response.content)
    assert response.status_code == 400
    assert set(body["errors"]) == {"chosen", "quality_of_life"}
    assert body["revision"] == draft.revision + 1  # the draft is saved all the same
    draft.refresh_from_db()
    assert draft.is_draft and draft.choices.count() == 2


def test_done_leads_to_the_summary_and_confirming_there_to_what_changed(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    client = handed_over(draft, alice)
    fields = {"chosen": ["wonen"], "chip-resident-wonen": 60, "quality_of_life": 7}
    response = client.post(
        reverse("instrument:board", args=[draft.pk]),
        _posted(draft, **fields),
        HTTP_ACCEPT="application/json",
    )
    summary = reverse("instrument:summary", args=[draft.pk])
    assert json.loads(response.content)["redirect"] == summary
    draft.refresh_from_db()
    assert draft.is_draft, "the resident sees the summary before it is confirmed"
    assert "Klopt dit?" in client.get(summary).content.decode()

    stale = client.post(summary, {"revision": draft.revision - 1})
    assert stale.status_code == 409
    assert Measurement.objects.get(pk=draft.pk).is_draft
    confirmed = client.post(summary, {"revision": draft.revision})
    what_changed_url = reverse("instrument:what_changed", args=[draft.pk])
    assert confirmed["Location"] == what_changed_url
    # Still the resident's: the staff view of the confirmed measurement stays out of reach.
    board = client.get(reverse("instrument:board", args=[draft.pk]), follow=True)
    assert board.redirect_chain[-1][0] == what_changed_url
    assert "site-nav" not in board.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.quality_of_life) == ("confirmed", 7)


def test_the_same_save_twice_is_no_conflict(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    client = client_for(alice)
    fields = {
        "revision": draft.revision,
        "action": "save",
        "chosen": ["wonen"],
        "chip-resident-wonen": 60,
        "goal-0-own_words": "Rust",
        "goal-0-domains": ["wonen"],
    }
    url = reverse("instrument:board", args=[draft.pk])
    first = client.post(url, fields, HTTP_ACCEPT="application/json")
    again = client.post(url, fields, HTTP_ACCEPT="application/json")  # e.g. a beacon and a retry
    assert first.status_code == again.status_code == 200
    assert json.loads(again.content)["revision"] == json.loads(first.content)["revision"]
    assert json.loads(again.content)["goal_ids"] == json.loads(first.content)["goal_ids"]
    different = client.post(
        url, {**fields, "chip-resident-wonen": 10}, HTTP_ACCEPT="application/json"
    )
    assert different.status_code == 409, "another content on an old revision stays a conflict"


def test_logging_out_clears_what_the_browser_kept(alice):
    response = client_for(alice).post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"storage"'


def test_a_draft_date_outside_conversation_mode_is_kept(trajectory, alice):
    """Conversation mode posts the date as a hidden field: it is not lost."""
    draft = services.start_measurement(trajectory, alice)
    day = timezone.localdate() - dt.timedelta(days=3)
    draft = services.save_draft(draft, alice, board_data(draft, measured_on=day.isoformat()))
    client = handed_over(draft, alice)
    client.post(
        reverse("instrument:board", args=[draft.pk]),
        _posted(
            draft,
            action="save",
            **{
                k.replace("__", "-"): v
                for k, v in complete_fields(measured_on=day.isoformat()).items()
            },
        ),
        HTTP_ACCEPT="application/json",
    )
    draft.refresh_from_db()
    assert draft.measured_on == day


def test_conversation_mode_is_compressed(trajectory, alice):
    draft = services.start_measurement(trajectory, alice)
    client = handed_over(draft, alice)
    page = client.get(
        reverse("instrument:conversation", args=[draft.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert page["Content-Encoding"] == "gzip"
    assert len(page.content) < 20_000
