"""A professional who leaves a team leaves its trajectories; the coach names a new
responsible professional."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import client_for, confirmed_measurement, make_staff
from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Membership
from wattelt.residents.models import Trajectory


def test_responsible_professional_who_leaves_the_team_loses_the_trajectory(trajectory, alice):
    confirmed_measurement(trajectory, alice)
    assert trajectory.responsible == alice
    Membership.objects.filter(staff=alice, team=trajectory.team).delete()
    client = client_for(alice)
    for name in ("instrument:progress", "instrument:plan", "residents:close"):
        assert client.get(reverse(name, args=[trajectory.pk])).status_code == 404, name
    assert client.get(reverse("residents:detail", args=[trajectory.resident_id])).status_code == 404
    assert not Trajectory.objects.visible_to(alice).exists()
    assert AccessLog.objects.filter(username="alice", outcome="refused").count() == 4


def test_coach_sees_who_left_and_names_a_new_responsible(trajectory, alice, bob, team):
    carol = make_staff("carol", team.organisation, team, Membership.Role.PROFESSIONAL)
    Membership.objects.filter(staff=alice, team=team).delete()
    coach = client_for(bob)
    reminders = coach.get(reverse("implementation:team_reminders")).content.decode()
    assert "uit het team" in reminders or "left the team" in reminders
    assert reverse("residents:responsible", args=[trajectory.pk]) in reminders
    url = reverse("residents:responsible", args=[trajectory.pk])
    # Only a professional of the team can be named: Alice is gone.
    refused = coach.post(url, {"responsible": alice.pk})
    assert refused.status_code == 200
    trajectory.refresh_from_db()
    assert trajectory.responsible == alice
    response = coach.post(url, {"responsible": carol.pk})
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.responsible == carol
    assert not Trajectory.objects.responsible_left_team().exists()
    assert (
        client_for(carol).get(reverse("instrument:progress", args=[trajectory.pk])).status_code
        == 200
    )


def test_outsider_cannot_name_a_responsible(trajectory, charlie):
    url = reverse("residents:responsible", args=[trajectory.pk])
    assert client_for(charlie).post(url, {"responsible": charlie.pk}).status_code == 404


def test_no_reminders_about_a_team_one_left(trajectory, alice):
    from django.utils import timezone

    from wattelt.implementation.services import reminders_per_professional

    today = timezone.localdate()
    Trajectory.objects.filter(pk=trajectory.pk).update(measurement_due_on=today)
    assert alice.pk in reminders_per_professional(today)
    Membership.objects.filter(staff=alice, team=trajectory.team).delete()
    assert alice.pk not in reminders_per_professional(today)
