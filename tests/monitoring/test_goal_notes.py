"""Issue 14: a goal's status counts wherever it was set, at a measurement or through a
progress note of the shared plan; each goal once in a period, with its last status; a
note that sets a status makes the next publish rebuild the scope."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.conftest import confirmed_measurement
from tests.monitoring.test_indicators import measure
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal
from wattelt.monitoring import summary
from wattelt.monitoring.cube import Scope
from wattelt.monitoring.indicators import Selection, goal_attainment
from wattelt.monitoring.models import GoalReviewFact
from wattelt.monitoring.published import publish


def counted(organisation_id: int) -> dict[str, int]:
    today = timezone.localdate()
    sel = Selection(
        dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), organisation_id=organisation_id
    )
    return {s: f.count for s, f in goal_attainment(sel).by_status.items() if f.count}


def test_a_status_set_through_a_progress_note_counts(trajectory, alice, organisation):
    confirmed_measurement(trajectory, alice, days_ago=30)
    goal = Goal.objects.get(trajectory=trajectory)
    assert counted(organisation.pk) == {}
    scope = Scope(organisation_id=organisation.pk)
    year = timezone.localdate().year
    assert publish(scope, year).built

    instrument.add_goal_progress(goal, alice, "Het is gelukt", status=Goal.Status.ACHIEVED)
    assert counted(organisation.pk) == {"achieved": 1}
    assert publish(scope, year).built  # the publish check saw the note

    # Once per goal, with its last status: a later note replaces the earlier one.
    instrument.add_goal_progress(goal, alice, "Toch maar half", status=Goal.Status.PARTLY)
    assert counted(organisation.pk) == {"partly": 1}
    assert publish(scope, year).built
    # A note without a status changes nothing.
    instrument.add_goal_progress(goal, alice, "Gesproken met de buren")
    assert counted(organisation.pk) == {"partly": 1}
    assert not publish(scope, year).built

    # What the services keep up to date is what a rebuild derives from the raw rows.
    kept = set(GoalReviewFact.objects.values_list("review_id", "goal_id", "measured_on", "status"))
    summary.rebuild()
    assert (
        set(GoalReviewFact.objects.values_list("review_id", "goal_id", "measured_on", "status"))
        == kept
    )


def test_a_review_at_a_later_measurement_replaces_the_note(trajectory, alice, organisation):
    confirmed_measurement(trajectory, alice, days_ago=30)
    goal = Goal.objects.get(trajectory=trajectory)
    instrument.add_goal_progress(goal, alice, "Bijna", status=Goal.Status.PARTLY)
    # A review the same day comes after the note (a note has no measurement to order by).
    reviews = {goal: Goal.Status.NOT_ACHIEVED}
    measure(
        trajectory, alice, timezone.localdate(), {"wonen": 70}, 6, reviews=reviews, kind="follow_up"
    )
    assert counted(organisation.pk) == {"not_achieved": 1}
