"""The adoption summary kept on write gives exactly the figures the page computed from the
raw tables before (the old queries, kept as the oracle in adoption_oracle.py), after every
kind of change, through the services that make it; and what is kept equals a rebuild."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.conftest import (
    board_data,
    client_for,
    complete_fields,
    confirmed_measurement,
    make_staff,
)
from tests.implementation import adoption_oracle as oracle
from tests.implementation.adoption_data import Builder, a_year_of_use
from tests.implementation.conftest import confirm_later_measurement
from wattelt.implementation import services as implementation
from wattelt.implementation.adoption import Month, access, summary
from wattelt.implementation.adoption.counts import counts_of_teams
from wattelt.implementation.adoption.indicators import Counts, Key
from wattelt.implementation.models import AdoptionDay, AdoptionFact, AdoptionMonth
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Measurement
from wattelt.organisations.models import Membership, Organisation, Staff, Team
from wattelt.privacy.services import anonymise_resident
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory


def _nonzero(counts: dict[Key, Counts]) -> dict[Key, Counts]:
    return {key: c for key, c in counts.items() if c != Counts()}


def _periods(today: dt.date) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(start, end, today): the page's windows ending this month, last month, half a
    year ago, and a period that starts and ends mid-month; each seen from a few days."""
    periods = []
    for seen in (today, today - dt.timedelta(days=9), today + dt.timedelta(days=20)):
        for back in (0, 1, 6):
            end = Month.of(seen) - back
            periods.append(((end - 11).first_day, min(end.last_day, seen), seen))
        periods.append((seen - dt.timedelta(days=200), seen - dt.timedelta(days=3), seen))
    return periods


def refresh_adoption_summary() -> str:
    out = io.StringIO()
    call_command("refresh_adoption_summary", stdout=out)
    return out.getvalue()


def _table(model: Any) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.fields if f.attname != "id"]
    return sorted(model.objects.values_list(*names))


def assert_kept(organisation: Organisation) -> None:
    """The page's counts from the summary equal the old computation for every period,
    the professionals listed are the same, and the kept tables equal a rebuild."""
    team_ids = list(Team.objects.filter(organisation=organisation).values_list("pk", flat=True))
    for start, end, today in _periods(timezone.localdate()):
        new = _nonzero(counts_of_teams(organisation, start, end, team_ids, today))
        old = _nonzero(oracle.counts_of_teams(organisation, start, end, team_ids, today))
        assert new == old, (start, end, today)
    assert access.professionals_of(team_ids) == oracle.professionals_of(team_ids)
    kept = [_table(model) for model in (AdoptionFact, AdoptionDay, AdoptionMonth)]
    summary.rebuild()
    assert [_table(model) for model in (AdoptionFact, AdoptionDay, AdoptionMonth)] == kept


def stamps_of(organisation: Organisation) -> list[tuple[int, int, str]]:
    return summary.stamps(
        Team.objects.filter(organisation=organisation).values_list("pk", flat=True)
    )


def kept_after(organisation: Organisation, before: list[tuple[int, int, str]]) -> list[Any]:
    """A change gave the teams' stamps new tokens (a kept rendering keyed on them is
    not served again), every cell has its pair stamped, and `assert_kept` holds. Returns
    the stamps after the check's rebuild (which stamps everything anew)."""
    after = stamps_of(organisation)
    assert after != before
    assert set(AdoptionMonth.objects.values_list("team_id", "responsible_id")) <= {
        (team, person) for team, person, _token in after
    }
    assert_kept(organisation)
    rebuilt = stamps_of(organisation)
    assert rebuilt != after
    return rebuilt


@pytest.fixture
def used(catalogue, district, organisation, team, alice) -> dict[str, Staff | Team]:
    """Fourteen months of use in two teams by two professionals, a third without any yet
    (rows made directly, each followed by a refresh of its trajectory, as the services'
    signals do)."""
    south = Team.objects.create(organisation=organisation, name="Team Zuid")
    south.districts.add(district)
    dave = make_staff("dave", organisation, south, Membership.Role.PROFESSIONAL)
    erik = make_staff("erik", organisation, team, Membership.Role.PROFESSIONAL)
    build = Builder(catalogue, district)
    today = timezone.localdate()
    a_year_of_use(build, team, [(alice, 0.5)], today, seed=3)
    a_year_of_use(build, south, [(dave, 0.7)], today, seed=4)
    return {"south": south, "dave": dave, "erik": erik}


def an_open_trajectory(team: Team, by: Staff, district, days_ago: int) -> Trajectory:
    resident = residents.register_resident(
        residents.ResidentInput(
            first_name="Fenna",
            last_name="Summier",
            date_of_birth=dt.date(1990, 5, 5),
            district=district,
        ),
        by,
    )
    started = timezone.localdate() - dt.timedelta(days=days_ago)
    return residents.open_trajectory(resident, team, by, started)


def test_the_seeded_summary_gives_the_old_figures(used, organisation):
    assert AdoptionMonth.objects.exists()
    assert_kept(organisation)


def test_every_kind_of_change_keeps_the_old_figures(used, organisation, team, alice, district):
    was = stamps_of(organisation)
    trajectory = an_open_trajectory(team, alice, district, days_ago=130)
    was = kept_after(organisation, was)  # opened
    start = confirmed_measurement(trajectory, alice, days_ago=120)
    was = kept_after(organisation, was)  # a start measurement confirmed
    instrument.correct_measurement(
        Measurement.objects.get(pk=start.pk),
        alice,
        instrument.CorrectionInput(
            board_data(start, **complete_fields(chip__professional__wonen=40)),
            reason="chip verkeerd gelegd",
        ),
    )
    was = kept_after(organisation, was)  # corrected: the new version counts, with its chip
    confirm_later_measurement(trajectory, alice, kind="follow_up", days_ago=20)
    was = kept_after(organisation, was)  # a follow-up, on time for the start's due or not
    other = an_open_trajectory(team, alice, district, days_ago=40)
    instrument.record_not_filled_in(other, alice, "start", "crisis")
    was = kept_after(organisation, was)  # not filled in, by reason
    residents.assign_responsible(trajectory, alice, used["erik"])
    was = kept_after(organisation, was)  # handed over: every count moves to Erik
    instrument.record_not_filled_in(trajectory, used["erik"], "end", "declined")
    residents.close_trajectory(
        trajectory, used["erik"], "goals_reached", ended_on=timezone.localdate()
    )
    was = kept_after(organisation, was)  # closed, a reason for no end measurement
    policy = implementation.current_policy(organisation)
    policy.follow_up_interval_months = 6 if policy.follow_up_interval_months != 6 else 3
    implementation.change_policy(organisation, alice, policy)
    refresh_adoption_summary()  # the job the settings page asked for
    was = kept_after(organisation, was)  # the follow-ups fall due at the new interval
    anonymise_resident(trajectory.resident)
    kept_after(organisation, was)  # erasure keeps what counts


def test_the_rebuild_command_restores_a_lost_summary(used, organisation):
    kept = _table(AdoptionMonth)
    AdoptionMonth.objects.all().delete()
    AdoptionDay.objects.all().delete()
    call_command("rebuild_adoption_summary", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _table(AdoptionMonth) == kept
    assert_kept(organisation)


def test_a_bulk_import_keeps_the_old_figures(trajectory, organisation):
    from tests.conftest import staff_with_role
    from tests.imports.files import csv_bytes
    from tests.imports.test_bulk import HEADER_TWO_GOALS, start_row
    from tests.imports.test_import import run
    from wattelt.organisations.models import Role

    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    before = AdoptionFact.objects.filter(trajectory_id=trajectory.pk, measurements=1).count()
    job = run(
        quinn, "historie.csv", csv_bytes([start_row(trajectory, "111222333")], HEADER_TWO_GOALS)
    )
    assert (job.state, job.imported) == ("done", 1)
    after = AdoptionFact.objects.filter(trajectory_id=trajectory.pk, measurements=1).count()
    assert after == before + 1
    assert_kept(organisation)


def test_the_summary_changes_in_the_writers_transaction(used, organisation, team, alice):
    """A close that is rolled back after its signals ran leaves the summary as it was."""
    trajectory = Trajectory.objects.filter(team=team, ended_on__isnull=True).first()
    assert trajectory is not None
    kept = _table(AdoptionFact), _table(AdoptionMonth)
    with pytest.raises(RuntimeError), transaction.atomic():
        residents.close_trajectory(trajectory, alice, "goals_reached")
        assert _table(AdoptionFact) != kept[0]
        raise RuntimeError("rolled back")
    assert (_table(AdoptionFact), _table(AdoptionMonth)) == kept


def _new_interval(organisation: Organisation, alice: Staff) -> None:
    policy = implementation.current_policy(organisation)
    policy.follow_up_interval_months = 1 if policy.follow_up_interval_months != 1 else 2
    implementation.change_policy(organisation, alice, policy)


def test_a_new_follow_up_interval_is_counted_by_the_job_not_in_the_request(
    used, organisation, alice
):
    """At 1,000,000 residents deriving an organisation again takes minutes: the settings
    page records a request, the page says the follow-ups are being recalculated, and the
    job (cron, every minute) brings the figures to the new interval."""
    kept = _table(AdoptionFact)
    _new_interval(organisation, alice)
    assert _table(AdoptionFact) == kept  # nothing derived inside the admin's request
    assert summary.refresh_pending_since(organisation.pk) is not None
    client = client_for(alice)
    page = client.get("/gebruik/").content.decode()
    assert "worden opnieuw berekend" in page

    output = refresh_adoption_summary()
    assert f"organisation {organisation.pk}:" in output
    assert summary.refresh_pending_since(organisation.pk) is None
    assert _table(AdoptionFact) != kept  # the follow-ups moved to their new due days
    assert_kept(organisation)
    assert "worden opnieuw berekend" not in client.get("/gebruik/").content.decode()
    assert f"organisation {organisation.pk}:" not in refresh_adoption_summary()  # done once


def test_an_interval_changed_again_while_the_job_runs_is_done_once_more(
    used, organisation, alice, monkeypatch
):
    _new_interval(organisation, alice)
    derive = summary._refresh
    changed_again = []

    def derive_and_change_again(scope: Any) -> None:
        derive(scope)
        if not changed_again:  # the admin saves another interval halfway through the run
            changed_again.append(True)
            _new_interval(organisation, alice)

    monkeypatch.setattr(summary, "_refresh", derive_and_change_again)
    summary.refresh_requested()
    assert summary.refresh_pending_since(organisation.pk) is not None  # not lost
    monkeypatch.setattr(summary, "_refresh", derive)
    summary.refresh_requested()
    assert summary.refresh_pending_since(organisation.pk) is None
    assert_kept(organisation)


def test_a_trajectory_deleted_outright_leaves_the_sums(used, organisation, team):
    trajectory = Trajectory.objects.filter(team=team, measurements__isnull=False).first()
    assert trajectory is not None
    assert AdoptionFact.objects.filter(trajectory_id=trajectory.pk).exists()
    trajectory.delete()
    assert not AdoptionFact.objects.filter(trajectory_id=trajectory.pk).exists()
    assert_kept(organisation)
