"""Sharing the plan with a specialist organisation under the resident's consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement
from wattelt.audit.models import AccessLog
from wattelt.instrument.models import Goal, GoalProgress, Measurement
from wattelt.residents import services
from wattelt.residents.models import Consent, Trajectory


def share(trajectory, alice, charlie, **parts: bool) -> Consent:
    return services.record_consent(
        trajectory,
        alice,
        services.ConsentInput(
            organisation=charlie.organisation,
            share_plan=parts.get("plan", True),
            share_goals=parts.get("goals", True),
            share_measurements=parts.get("measurements", False),
            valid_from=timezone.localdate(),
        ),
    )


def test_without_consent_the_specialist_sees_nothing(trajectory, alice, charlie):
    confirmed_measurement(trajectory, alice)
    client = client_for(charlie)
    assert client.get(reverse("instrument:plan", args=[trajectory.pk])).status_code == 404
    assert client.get(reverse("residents:detail", args=[trajectory.resident_id])).status_code == 404


def test_specialist_sees_only_the_shared_parts(trajectory, alice, charlie):
    confirmed_measurement(trajectory, alice)
    share(trajectory, alice, charlie)
    client = client_for(charlie)
    plan = client.get(reverse("instrument:plan", args=[trajectory.pk]))
    assert plan.status_code == 200
    assert "Ik wil rust over mijn geld" in plan.content.decode()
    assert client.get(reverse("instrument:progress", args=[trajectory.pk])).status_code == 404
    measurement = trajectory.measurements.get()
    assert client.get(reverse("instrument:board", args=[measurement.pk])).status_code == 404
    start = client.get(reverse("start")).content.decode()
    assert "Fatima Yilmaz" in start, "the shared trajectory is on the specialist's start page"


def test_specialist_and_generalist_work_on_one_plan(trajectory, alice, charlie):
    confirmed_measurement(trajectory, alice)
    share(trajectory, alice, charlie)
    goal = Goal.objects.get(trajectory=trajectory)
    url = reverse("instrument:goal_progress", args=[trajectory.pk, goal.pk])
    client_for(charlie).post(url, {"note": "Budgetplan opgesteld", "status": "partly"})
    client_for(alice).post(url, {"note": "Besproken met inwoner"})
    assert [p.note for p in GoalProgress.objects.filter(goal=goal)] == [
        "Budgetplan opgesteld",
        "Besproken met inwoner",
    ]
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PARTLY
    for user in (alice, charlie):
        html = (
            client_for(user).get(reverse("instrument:plan", args=[trajectory.pk])).content.decode()
        )
        assert "Budgetplan opgesteld" in html and "Besproken met inwoner" in html


def test_specialist_cannot_record_measurements_or_share_further(trajectory, alice, charlie):
    share(trajectory, alice, charlie, measurements=True)
    client = client_for(charlie)
    assert client.get(reverse("instrument:progress", args=[trajectory.pk])).status_code == 200
    assert (
        client.post(reverse("instrument:new_measurement", args=[trajectory.pk])).status_code == 403
    )
    assert client.get(reverse("residents:consents", args=[trajectory.pk])).status_code == 403


def test_withdrawal_takes_effect_mid_session(trajectory, alice, charlie):
    confirmed_measurement(trajectory, alice)
    consent = share(trajectory, alice, charlie)
    specialist = client_for(charlie)
    plan_url = reverse("instrument:plan", args=[trajectory.pk])
    assert specialist.get(plan_url).status_code == 200
    response = client_for(alice, sudo=True).post(
        reverse("residents:withdraw_consent", args=[trajectory.pk, consent.pk])
    )
    assert response.status_code == 302
    assert specialist.get(plan_url).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_expired_consent_shares_nothing(trajectory, alice, charlie):
    consent = share(trajectory, alice, charlie)
    Consent.objects.filter(pk=consent.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert (
        client_for(charlie).get(reverse("instrument:plan", args=[trajectory.pk])).status_code == 404
    )


def test_consent_needs_a_part_and_another_organisation(trajectory, alice, charlie):
    with pytest.raises(ValidationError) as error:
        share(trajectory, alice, charlie, plan=False, goals=False)
    assert "share_plan" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_consent(
            trajectory,
            alice,
            services.ConsentInput(alice.organisation, True, True, False, timezone.localdate()),
        )
    assert "organisation" in error.value.message_dict


def test_share_view_and_withdrawal_are_logged(trajectory, alice, charlie):
    client = client_for(alice, sudo=True)
    response = client.post(
        reverse("residents:consents", args=[trajectory.pk]),
        {
            "organisation": charlie.organisation_id,
            "share_plan": "on",
            "share_goals": "on",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    client_for(charlie).get(reverse("instrument:plan", args=[trajectory.pk]))
    client.post(reverse("residents:withdraw_consent", args=[trajectory.pk, consent.pk]))
    actions = list(
        AccessLog.objects.filter(resident_id=trajectory.resident_id)
        .order_by("id")
        .values_list("username", "action", "object_type")
    )
    assert ("alice", "create", "consent") in actions
    assert ("charlie", "read", "plan") in actions
    assert ("alice", "change", "consent") in actions


def test_specialist_cannot_make_a_shared_resident_their_own(trajectory, alice, charlie):
    share(trajectory, alice, charlie)
    team = charlie.memberships.get().team
    response = client_for(charlie).post(
        reverse("residents:open_trajectory", args=[trajectory.resident_id]), {"team": team.pk}
    )
    assert response.status_code == 302
    assert trajectory.resident.trajectories.count() == 1, "no trajectory in the specialist's team"


def test_goals_stay_hidden_unless_the_goals_are_shared(trajectory, alice, charlie):
    confirmed_measurement(trajectory, alice)
    share(trajectory, alice, charlie, plan=True, goals=False, measurements=True)
    client = client_for(charlie)
    for name in ("instrument:plan", "instrument:progress"):
        html = client.get(reverse(name, args=[trajectory.pk])).content.decode()
        assert "Ik wil rust over mijn geld" not in html, name
    measurement = trajectory.measurements.get()
    board = client.get(reverse("instrument:board", args=[measurement.pk])).content.decode()
    assert "Ik wil rust over mijn geld" not in board


def test_specialist_sees_who_it_is_about_but_not_contact_details(trajectory, alice, charlie):
    trajectory.resident.phone = "0612345678"
    trajectory.resident.save()
    share(trajectory, alice, charlie)
    html = (
        client_for(charlie)
        .get(reverse("residents:detail", args=[trajectory.resident_id]))
        .content.decode()
    )
    assert "Fatima Yilmaz" in html
    assert "0612345678" not in html and "*****333" not in html
    own = client_for(alice).get(reverse("residents:detail", args=[trajectory.resident_id]))
    assert "0612345678" in own.content.decode()


def _dated(measurement) -> str:
    from django.utils.formats import date_format

    return date_format(measurement.measured_on, "j F Y")


def test_plan_only_consent_shows_no_board_content(trajectory, alice, charlie):
    measurement = confirmed_measurement(trajectory, alice)
    share(trajectory, alice, charlie, plan=True, goals=False, measurements=False)
    for name in ("instrument:plan", "instrument:plan_pdf"):
        response = client_for(charlie).get(reverse(name, args=[trajectory.pk]))
        assert response.status_code == 200, name
    html = client_for(charlie).get(reverse("instrument:plan", args=[trajectory.pk])).content
    page = html.decode()
    # The plan without the board: no chosen domains, faces, priority stars or measured date.
    for board_content in ("plan-domains", "plan-face", "plan-star", _dated(measurement)):
        assert board_content not in page, board_content
    assert "Ik wil rust over mijn geld" not in page, "goals were not shared"
    # The team sees all of it on the same page.
    own = client_for(alice).get(reverse("instrument:plan", args=[trajectory.pk])).content.decode()
    assert "plan-domains" in own and "plan-star" in own and _dated(measurement) in own


def test_goals_only_consent_shows_no_measurement_facts(trajectory, alice, charlie):
    measurement = confirmed_measurement(trajectory, alice)
    share(trajectory, alice, charlie, plan=False, goals=True, measurements=False)
    client = client_for(charlie)
    plan = client.get(reverse("instrument:plan", args=[trajectory.pk])).content.decode()
    assert "Ik wil rust over mijn geld" in plan
    assert "plan-domains" not in plan and _dated(measurement) not in plan
    detail = client.get(reverse("residents:detail", args=[trajectory.resident_id]))
    page = detail.content.decode()
    assert "meting" not in page and "measurement" not in page
    assert reverse("instrument:plan", args=[trajectory.pk]) in page
    assert f'href="{reverse("instrument:progress", args=[trajectory.pk])}"' not in page


def test_measurements_consent_shows_the_board_and_its_count(trajectory, alice, charlie):
    confirmed_measurement(trajectory, alice)
    share(trajectory, alice, charlie, plan=True, goals=True, measurements=True)
    client = client_for(charlie)
    assert (
        "plan-domains"
        in client.get(reverse("instrument:plan", args=[trajectory.pk])).content.decode()
    )
    detail = client.get(reverse("residents:detail", args=[trajectory.resident_id])).content.decode()
    assert "1 meting" in detail


def _through_subquery(model, user, part: str):  # type: ignore[no-untyped-def]
    """The rule as it was written before `visible_through`: the rows whose trajectory is
    among the visible trajectories (a subquery)."""
    return set(
        model.objects.filter(trajectory__in=Trajectory.objects.visible_to(user, part)).values_list(
            "pk", flat=True
        )
    )


def test_rows_follow_their_trajectorys_rule_through_the_join(trajectory, alice, bob, charlie):
    """Measurements and goals are visible exactly when their trajectory is, for the
    trajectory's part: the condition on the joined trajectory (`visible_through`) gives
    the rows the subquery of visible trajectories gave, for every kind of viewer and
    every state of the consent."""
    confirmed_measurement(trajectory, alice)
    viewers = [alice, bob, charlie, AnonymousUser()]
    stated = set(Goal.objects.filter(stated_in__status="confirmed").values_list("pk", flat=True))

    def agree(expect_charlie: tuple[int, int]) -> None:
        for user in viewers:
            measurements = set(Measurement.objects.visible_to(user).values_list("pk", flat=True))
            goals = set(Goal.objects.visible_to(user).values_list("pk", flat=True))
            assert measurements == _through_subquery(Measurement, user, "measurements"), user
            assert goals == _through_subquery(Goal, user, "goals") & stated, user
            if user == charlie:
                assert (len(measurements), len(goals)) == expect_charlie
        assert Measurement.objects.visible_to(alice).count() == 1

    agree((0, 0))
    consent = share(trajectory, alice, charlie, goals=True, measurements=False)
    agree((0, 1))
    services.withdraw_consent(consent, alice)
    agree((0, 0))
    share(trajectory, alice, charlie, goals=False, measurements=True)
    agree((1, 0))
