"""Every indicator against a small data set worked out by hand.

The data set (all in 2024 unless said otherwise; the selection is the first half of 2024):

  Noord  Anna (adult)  T1 from 10 Jan: start 20 Jan  wonen 70, geld 20*, grade 6, goal G1
                                      follow-up 15 Apr  wonen 85, geld 25*, grade 8, G1 partly
                       T7 from 1 Jun:  start 5 Jun  wonen 60*, grade 6
         Bram (young)  T2 from 1 Feb:  start 15 Mar  school 40*, wonen 50, grade 5, goal G2
                                       follow-up 1 May  school 20*, wonen 55, grade 4,
                                                        G2 not achieved
                                       end 1 Jun  school 60*, grade 7, G2 achieved;
                                       closed 10 Jun
         Eva (adult)   T5 from 1 May:  start not filled in (declined), recorded 3 May
  Zuid   Cees (adult)  T3 from 1 Mar:  start 5 Mar  wonen 10*, geld 90, grade 3, goal G3,
                                       corrected to wonen 15*; then a draft (wonen 99)
         Dirk (adult)  T4 from 1 Nov 2023: start 5 Nov 2023  wonen 30, grade 5, goal G4
                                       follow-up 10 Feb  wonen 20, grade 4, G4 not applicable

  (* = prioritised)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import board_data, legacy_trajectory
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal, Measurement, NotFilledIn
from wattelt.monitoring import summary
from wattelt.monitoring.indicators import (
    Change,
    Figure,
    Selection,
    domain_profile,
    goal_attainment,
    paired_change,
    quality_of_life_change,
    quarterly_series,
    trajectory_counts,
)
from wattelt.monitoring.models import GoalReviewFact
from wattelt.organisations.models import District, Municipality, Organisation, Staff, Team
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory

H1 = Selection(start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))


def day(month: int, number: int, year: int = 2024) -> dt.date:
    return dt.date(year, month, number)


def measure(
    trajectory: Trajectory,
    by: Staff,
    on: dt.date,
    chips: dict[str, int],
    grade: int,
    priority: tuple[str, ...] = (),
    goal: str = "",
    reviews: dict[Goal, str] | None = None,
    kind: str = "",
) -> Measurement:
    """Record and confirm a measurement through the instrument's services."""
    draft = instrument.start_measurement(trajectory, by, kind)
    fields: dict[str, object] = {
        "measured_on": on.isoformat(),
        "chosen": list(chips),
        "priority": list(priority),
        "quality_of_life": grade,
        **{f"chip__resident__{key}": chip for key, chip in chips.items()},
    }
    if goal:
        fields.update(goal__0__own_words=f"Beter met {goal}", goal__0__domains=[goal])
    for reviewed, status in (reviews or {}).items():
        fields[f"review__{reviewed.pk}__status"] = status
    return instrument.confirm_measurement(draft, by, board_data(draft, **fields))


@dataclass
class DataSet:
    municipality: Municipality
    organisation: Organisation
    team: Team
    noord: District
    zuid: District


@pytest.fixture
def data(municipality, organisation, team, district, alice, catalogue) -> DataSet:
    noord = district
    zuid = District.objects.create(municipality=municipality, name="Zuid")
    team.districts.add(zuid)

    def resident(name: str, born: dt.date, where: District):
        return residents.register_resident(
            residents.ResidentInput(name, "Test", born, where), alice
        )

    def trajectory(who, started: dt.date) -> Trajectory:
        return residents.open_trajectory(who, team, alice, started)

    anna = resident("Anna", day(1, 1, 1980), noord)
    t1 = trajectory(anna, day(1, 10))
    measure(t1, alice, day(1, 20), {"wonen": 70, "geld": 20}, 6, ("geld",), goal="geld")
    g1 = Goal.objects.get(trajectory=t1)
    measure(t1, alice, day(4, 15), {"wonen": 85, "geld": 25}, 8, ("geld",), reviews={g1: "partly"})
    t7 = legacy_trajectory(anna, team, alice, day(6, 1))  # t1 is still open
    measure(t7, alice, day(6, 5), {"wonen": 60}, 6, ("wonen",))

    bram = resident("Bram", day(3, 1, 2008), noord)
    t2 = trajectory(bram, day(2, 1))
    measure(t2, alice, day(3, 15), {"school": 40, "wonen": 50}, 5, ("school",), goal="school")
    g2 = Goal.objects.get(trajectory=t2)
    measure(
        t2,
        alice,
        day(5, 1),
        {"school": 20, "wonen": 55},
        4,
        ("school",),
        reviews={g2: "not_achieved"},
    )
    measure(
        t2, alice, day(6, 1), {"school": 60}, 7, ("school",), reviews={g2: "achieved"}, kind="end"
    )
    residents.close_trajectory(t2, alice, "goals_reached", ended_on=day(6, 10))

    eva = resident("Eva", day(5, 5, 1990), noord)
    t5 = trajectory(eva, day(5, 1))
    record = instrument.record_not_filled_in(t5, alice, "start", NotFilledIn.Reason.DECLINED)
    NotFilledIn.objects.filter(pk=record.pk).update(recorded_on=day(5, 3))

    cees = resident("Cees", day(7, 7, 1970), zuid)
    t3 = trajectory(cees, day(3, 1))
    wrong = measure(t3, alice, day(3, 5), {"wonen": 10, "geld": 90}, 3, ("wonen",), goal="wonen")
    fields = {
        "measured_on": day(3, 5).isoformat(),
        "chosen": ["wonen", "geld"],
        "priority": ["wonen"],
        "quality_of_life": 3,
        "chip__resident__wonen": 15,
        "chip__resident__geld": 90,
        "goal__0__own_words": "Beter met wonen",
        "goal__0__domains": ["wonen"],
        "goal__0__id": Goal.objects.get(trajectory=t3).pk,
    }
    instrument.correct_measurement(
        wrong,
        alice,
        instrument.CorrectionInput(board_data(wrong, **fields), reason="chip verkeerd gelegd"),
    )
    later = instrument.start_measurement(t3, alice)
    instrument.save_draft(
        later, alice, board_data(later, chosen=["wonen"], chip__resident__wonen=99)
    )

    dirk = resident("Dirk", day(2, 2, 1960), zuid)
    t4 = trajectory(dirk, day(11, 1, 2023))
    measure(t4, alice, day(11, 5, 2023), {"wonen": 30}, 5, ("wonen",), goal="wonen")
    g4 = Goal.objects.get(trajectory=t4)
    measure(t4, alice, day(2, 10), {"wonen": 20}, 4, reviews={g4: "not_applicable"})

    assert Measurement.objects.filter(status="superseded").count() == 1
    assert Measurement.objects.filter(status="draft").count() == 1
    return DataSet(municipality, organisation, team, noord, zuid)


def no_reasons(**given: Figure) -> dict[str, Figure]:
    return {reason: given.get(reason, Figure()) for reason in NotFilledIn.Reason.values}


def test_trajectory_counts_by_hand(data):
    counts = trajectory_counts(H1)
    assert counts.trajectories == Figure(5, 4)  # T1 T2 T3 T5 T7; Anna twice
    assert counts.with_start == Figure(4, 3)  # T1 T2 T3 T7
    assert counts.start_within_30_days == Figure(3, 2)  # T1 T3 T7; T2 took 43 days
    assert counts.with_follow_up == Figure(2, 2)  # T1 T2
    assert counts.with_end == Figure(1, 1)  # T2
    assert counts.not_filled_in == no_reasons(declined=Figure(1, 1))
    assert counts.registration_rate == 3 / 5


def test_trajectory_counts_of_young_people_use_age_on_start_date(data):
    young = trajectory_counts(Selection(H1.start, H1.end, age_group="young"))
    assert (young.trajectories, young.start_within_30_days, young.with_end) == (
        Figure(1, 1),
        Figure(0, 0),
        Figure(1, 1),
    )
    assert young.not_filled_in == no_reasons()
    adult = trajectory_counts(Selection(H1.start, H1.end, age_group="adult"))
    assert (adult.trajectories, adult.with_start, adult.with_follow_up) == (
        Figure(4, 3),
        Figure(3, 2),
        Figure(1, 1),
    )
    assert adult.not_filled_in == no_reasons(declined=Figure(1, 1))


def test_trajectory_counts_filter_by_district_team_organisation_municipality(data, charlie):
    zuid = trajectory_counts(Selection(H1.start, H1.end, district_ids=(data.zuid.pk,)))
    assert zuid.trajectories == Figure(1, 1)  # T3; Dirk's started in 2023
    same = Selection(
        H1.start,
        H1.end,
        municipality_id=data.municipality.pk,
        organisation_id=data.organisation.pk,
        team_ids=(data.team.pk,),
    )
    assert trajectory_counts(same) == trajectory_counts(H1)
    other = Selection(H1.start, H1.end, organisation_id=charlie.organisation_id)
    assert trajectory_counts(other).trajectories == Figure(0, 0)
    elsewhere = Municipality.objects.create(name="Elders")
    assert trajectory_counts(Selection(H1.start, H1.end, municipality_id=elsewhere.pk)) == (
        trajectory_counts(Selection(dt.date(1990, 1, 1), dt.date(1990, 1, 2)))
    )


def test_domain_profile_by_hand(data):
    noord, zuid = domain_profile(H1)
    assert (noord.district, noord.measurements) == ("Noord", Figure(6, 2))
    assert [d.domain for d in noord.domains] == ["wonen", "geld", "school"]
    wonen, geld, school = noord.domains
    assert wonen.chosen == Figure(5, 2)
    assert wonen.prioritised == Figure(1, 1)
    assert wonen.bands == {"not_good": Figure(0, 0), "fair": Figure(3, 2), "good": Figure(2, 1)}
    assert (geld.chosen, geld.prioritised, geld.bands["not_good"]) == (
        Figure(2, 1),
        Figure(2, 1),
        Figure(2, 1),
    )
    assert school.bands == {"not_good": Figure(1, 1), "fair": Figure(2, 1), "good": Figure(0, 0)}
    # Only Cees's corrected version counts; his draft and Dirk's 2023 start do not.
    assert (zuid.district, zuid.measurements) == ("Zuid", Figure(2, 2))
    assert [(d.domain, d.chosen, d.prioritised) for d in zuid.domains] == [
        ("wonen", Figure(2, 2), Figure(1, 1)),
        ("geld", Figure(1, 1), Figure(0, 0)),
    ]
    assert zuid.domains[0].bands["not_good"] == Figure(2, 2)  # 15 and 20


def test_domain_profile_of_young_people(data):
    (noord,) = domain_profile(Selection(H1.start, H1.end, age_group="young"))
    assert noord.measurements == Figure(3, 1)
    assert [(d.domain, d.chosen) for d in noord.domains] == [
        ("wonen", Figure(2, 1)),
        ("school", Figure(3, 1)),
    ]


def test_paired_change_by_hand(data):
    change = paired_change(H1)
    assert list(change) == ["wonen", "geld", "school"]
    # Anna +15, Dirk -10; Bram did not choose wonen at his latest measurement.
    assert change["wonen"] == Change(
        pairs=Figure(2, 2),
        mean=2.5,
        improved=Figure(1, 1),
        same=Figure(0, 0),
        worse=Figure(1, 1),
    )
    assert change["geld"] == Change(Figure(1, 1), 5.0, Figure(0, 0), Figure(1, 1), Figure(0, 0))
    # Bram: first 40, latest (end measurement) 60; the follow-up in between does not matter.
    assert change["school"] == Change(Figure(1, 1), 20.0, Figure(1, 1), Figure(0, 0), Figure(0, 0))


def test_paired_change_counts_in_period_of_latest_measurement(data):
    may = paired_change(Selection(day(5, 1), day(5, 31)))
    assert may == {}  # Bram's latest measurement is in June
    first_quarter = paired_change(Selection(day(1, 1), day(3, 31)))
    assert list(first_quarter) == ["wonen"]  # Dirk only; Anna's latest is in April
    assert first_quarter["wonen"].worse == Figure(1, 1)
    young = paired_change(Selection(H1.start, H1.end, age_group="young"))
    assert list(young) == ["school"]


def test_quality_of_life_change_by_hand(data):
    # Anna 6 -> 8, Bram 5 -> 7, Dirk 5 -> 4; Cees has one measurement.
    assert quality_of_life_change(H1) == Change(
        pairs=Figure(3, 3),
        mean=1.0,
        improved=Figure(2, 2),
        same=Figure(0, 0),
        worse=Figure(1, 1),
    )
    assert quality_of_life_change(Selection(day(7, 1), day(12, 31))) == Change()


def test_goal_attainment_by_hand(data):
    attainment = goal_attainment(H1)
    # G2 was "not achieved" in May and "achieved" in June: it counts once, as achieved.
    assert attainment.by_status == {
        "achieved": Figure(1, 1),
        "partly": Figure(1, 1),
        "not_achieved": Figure(0, 0),
        "not_applicable": Figure(1, 1),
    }
    assert attainment.goals == 3
    may = goal_attainment(Selection(day(5, 1), day(5, 31)))
    assert may.by_status["not_achieved"] == Figure(1, 1)
    assert may.goals == 1


def test_a_goal_counts_once_in_its_residents_district_after_a_move(data):
    # Bram's G2 (May "not achieved", June "achieved") moves with him from Noord to
    # Zuid: every summary row of a trajectory carries the resident's district, which
    # is what lets the query look for a later review in the same district only.
    bram = Resident.objects.get(first_name="Bram")
    Resident.objects.filter(pk=bram.pk).update(district=data.zuid)
    summary.refresh_resident(bram.pk)
    assert set(
        GoalReviewFact.objects.filter(resident_id=bram.pk).values_list("district_id", flat=True)
    ) == {data.zuid.pk}
    q2 = (day(4, 1), day(6, 30))
    in_zuid = goal_attainment(Selection(*q2, district_ids=(data.zuid.pk,)))
    assert in_zuid.by_status["achieved"] == Figure(1, 1) and in_zuid.goals == 1
    assert goal_attainment(Selection(*q2, district_ids=(data.noord.pk,))).goals == 1  # Anna's


def test_quarterly_series_by_hand(data):
    year = Selection(day(1, 1), day(12, 31))
    counts = quarterly_series(year, "trajectory_counts")
    assert [q.label for q in counts] == ["2024 Q1", "2024 Q2", "2024 Q3", "2024 Q4"]
    assert [q.figures.trajectories.count for q in counts] == [3, 2, 0, 0]
    assert [q.figures.start_within_30_days.count for q in counts] == [2, 1, 0, 0]
    assert counts[1].figures.not_filled_in["declined"] == Figure(1, 1)
    change = quarterly_series(year, "paired_change")
    assert [sorted(q.figures) for q in change] == [["wonen"], ["geld", "school", "wonen"], [], []]
    grades = quarterly_series(year, "quality_of_life_change")
    assert [q.figures.pairs.count for q in grades] == [1, 2, 0, 0]
    goals = quarterly_series(year, "goal_attainment")
    assert [q.figures.goals for q in goals] == [1, 2, 0, 0]
    # Within Q2, G2's last status is "achieved".
    assert goals[1].figures.by_status["achieved"] == Figure(1, 1)
    profile = quarterly_series(year, "domain_profile")
    assert [[p.district for p in q.figures] for q in profile] == [
        ["Noord", "Zuid"],
        ["Noord"],
        [],
        [],
    ]
    assert (
        sum(q.figures.trajectories.count for q in counts)
        == trajectory_counts(year).trajectories.count
    )


def test_quarters_are_clipped_to_the_period(data):
    series = quarterly_series(Selection(day(2, 15), day(4, 10)), "goal_attainment")
    assert [(q.label, q.start, q.end) for q in series] == [
        ("2024 Q1", day(2, 15), day(3, 31)),
        ("2024 Q2", day(4, 1), day(4, 10)),
    ]


@pytest.mark.parametrize(
    ("indicator", "queries"),
    [
        (trajectory_counts, 2),
        (domain_profile, 3),  # measurements, chips, the district names
        (paired_change, 1),
        (quality_of_life_change, 1),
        (goal_attainment, 1),
    ],
)
def test_each_indicator_takes_a_fixed_number_of_queries(data, indicator, queries):
    with CaptureQueriesContext(connection) as captured:
        indicator(H1)
    assert len(captured) == queries
    with CaptureQueriesContext(connection) as captured:
        quarterly_series(Selection(day(1, 1), day(12, 31)), indicator.__name__)
    assert len(captured) == queries


def test_selection_rejects_a_period_that_ends_before_it_starts():
    with pytest.raises(ValueError):
        Selection(day(2, 1), day(1, 1))
    with pytest.raises(ValueError):
        Selection(day(1, 1), day(2, 1), age_group="elderly")  # type: ignore[arg-type]
