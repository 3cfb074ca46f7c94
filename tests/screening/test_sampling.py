"""The sample: proportional per team with largest remainder, at least one per team when
the size allows, reproducible from the recorded seed, the whole population at most."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import staff_with_role
from tests.screening.conftest import TODAY, make_trajectories, period, sample_of
from wattelt.organisations.models import Role, Team
from wattelt.screening import services
from wattelt.screening.models import ScreeningItem, ScreeningRound


def test_allocation_is_proportional_with_largest_remainder():
    # One each first, then 7 over 49/29/19: quotas 3.54, 2.09, 1.37 → 3+1, 2, 1.
    assert services.allocate({1: 50, 2: 30, 3: 20}, 10) == {1: 5, 2: 3, 3: 2}
    # 7 over 3 teams of 10/10/10 after one each: 4 left, quotas 4/3 each → remainders.
    assert services.allocate({1: 10, 2: 10, 3: 10}, 7) == {1: 3, 2: 2, 3: 2}


def test_every_team_with_trajectories_gets_at_least_one_when_the_size_allows():
    assert services.allocate({1: 97, 2: 2, 3: 1}, 5) == {1: 3, 2: 1, 3: 1}


def test_a_sample_smaller_than_the_number_of_teams_goes_to_the_largest_teams():
    assert services.allocate({1: 5, 2: 20, 3: 10}, 2) == {1: 0, 2: 1, 3: 1}


def test_teams_without_trajectories_get_nothing():
    assert services.allocate({1: 0, 2: 4}, 3) == {2: 3}


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.dictionaries(st.integers(1, 20), st.integers(0, 60), min_size=1, max_size=8),
    n=st.integers(1, 200),
)
def test_allocation_never_exceeds_a_team_and_sums_to_the_sample(sizes, n):
    allocation = services.allocate(sizes, n)
    total = sum(sizes.values())
    assert sum(allocation.values()) == min(n, total)
    assert all(0 <= allocation[t] <= sizes[t] for t in allocation)
    non_empty = [t for t, size in sizes.items() if size > 0]
    if n >= len(non_empty):
        assert all(allocation[t] >= 1 for t in non_empty)


def test_the_same_seed_over_the_same_population_draws_the_same_sample():
    population = {1: list(range(100, 160)), 2: list(range(200, 230))}
    first = services.draw(population, 12, seed=2026)
    assert services.draw(population, 12, seed=2026) == first
    # The order in which the population is listed does not matter.
    shuffled = {2: list(reversed(population[2])), 1: list(reversed(population[1]))}
    assert services.draw(shuffled, 12, seed=2026) == first
    assert services.draw(population, 12, seed=2027) != first
    assert len(set(first)) == 12


def test_the_draw_for_a_recorded_seed_never_changes():
    """Pinned: a Python upgrade or a refactoring must not change an earlier draw."""
    population = {1: list(range(100, 160)), 2: list(range(200, 230))}
    assert services.draw(population, 12, seed=2026) == [
        *[107, 109, 117, 130, 131, 136, 138, 152],
        *[200, 216, 222, 223],
    ]
    assert services.draw({1: list(range(1, 11))}, 3, seed=0) == [6, 8, 9]


def test_a_drawn_round_records_seed_population_and_ids_and_redraws_the_same(
    organisation, quinn, team, zuid, alice, dave, district
):
    make_trajectories(12, team, alice, district)
    make_trajectories(4, zuid, dave, district)
    sample = sample_of(organisation, quinn, 5)
    assert 0 <= sample.seed <= services.SEED_MAX
    assert sample.population == {str(team.pk): 12, str(zuid.pk): 4}
    drawn = sorted(sample.items.values_list("trajectory_number", flat=True))
    assert len(drawn) == 5
    per_team = {t: sample.items.filter(team=t).count() for t in (team, zuid)}
    # One each, then 3 more over the remaining 11:3 → quotas 2.36 and 0.64 → 2 and 1.
    assert per_team == {team: 3, zuid: 2}
    assert sorted(services.redraw(sample)) == drawn
    again = sample_of(organisation, quinn, 5, seed=sample.seed)
    assert again.seed == sample.seed
    assert sorted(again.items.values_list("trajectory_number", flat=True)) == drawn


def test_a_sample_larger_than_the_population_takes_the_whole_population(
    organisation, quinn, team, alice, district
):
    made = make_trajectories(3, team, alice, district)
    sample = sample_of(organisation, quinn, 50)
    assert sorted(sample.items.values_list("trajectory_number", flat=True)) == sorted(
        t.pk for t in made
    )
    assert sample.requested_size == 50 and sample.population_size == 3


def test_only_trajectories_of_the_organisation_active_in_the_period_are_drawn(
    organisation, quinn, team, alice, charlie, district
):
    active = make_trajectories(2, team, alice, district, started_days_ago=400)
    make_trajectories(1, team, alice, district, started_days_ago=900, ended_days_ago=500)
    closed_in_period = make_trajectories(1, team, alice, district, 400, ended_days_ago=30)
    other_team = charlie.teams.get()
    make_trajectories(2, other_team, charlie, district)
    sample = sample_of(organisation, quinn, services.MAX_SAMPLE)
    expected = sorted(t.pk for t in [*active, *closed_in_period])
    assert sorted(sample.items.values_list("trajectory_number", flat=True)) == expected


def test_a_sample_can_be_limited_to_chosen_teams(
    organisation, quinn, team, zuid, alice, dave, district
):
    make_trajectories(3, team, alice, district)
    south = make_trajectories(3, zuid, dave, district)
    start, end = period()
    sample = services.draw_sample(
        organisation, quinn, services.SampleInput(start, end, 10, teams=[zuid])
    )
    assert sorted(sample.items.values_list("trajectory_number", flat=True)) == [t.pk for t in south]


@pytest.mark.parametrize(
    ("start_days", "end_days", "size", "field", "message"),
    [
        (30, 0, 0, "size", "minstens 1"),
        (30, 0, -3, "size", "minstens 1"),
        (0, 30, 5, "end", "voor het begin"),
        (30, 0, services.MAX_SAMPLE + 1, "size", "hoogstens 50"),
        (30, 0, 10**30, "size", "hoogstens 50"),
        (400, 0, 5, "end", "langer dan een jaar"),
        (30, -1, 5, "end", "in de toekomst"),
    ],
)
def test_bad_input_is_refused_in_dutch_and_nothing_is_drawn(
    organisation, quinn, trajectory, start_days, end_days, size, field, message
):
    data = services.SampleInput(
        TODAY() - dt.timedelta(days=start_days), TODAY() - dt.timedelta(days=end_days), size
    )
    with pytest.raises(ValidationError) as raised:
        services.draw_sample(organisation, quinn, data)
    assert message in " ".join(raised.value.message_dict[field])
    assert not ScreeningRound.objects.exists() and not ScreeningItem.objects.exists()


def test_an_empty_period_draws_nothing(organisation, quinn, trajectory):
    far = TODAY() - dt.timedelta(days=3000)
    data = services.SampleInput(far, far + dt.timedelta(days=30), 5)
    with pytest.raises(ValidationError, match="geen trajecten"):
        services.draw_sample(organisation, quinn, data)
    assert not ScreeningRound.objects.exists()


def test_a_team_of_another_organisation_is_unknown(organisation, quinn, trajectory, charlie):
    start, end = period()
    data = services.SampleInput(start, end, 5, teams=[Team.objects.get(members=charlie)])
    with pytest.raises(ValidationError) as raised:
        services.draw_sample(organisation, quinn, data)
    assert "Onbekend team" in " ".join(raised.value.message_dict["teams"])
    assert not ScreeningRound.objects.exists()


def test_a_period_of_exactly_one_year_up_to_today_is_allowed(organisation, quinn, trajectory):
    start = TODAY().replace(year=TODAY().year - 1)
    sample = services.draw_sample(organisation, quinn, services.SampleInput(start, TODAY(), 5))
    assert sample.items.count() == 1


def test_the_seed_is_generated_and_recorded(organisation, quinn, team, alice, district):
    make_trajectories(10, team, alice, district)
    seeds = {sample_of(organisation, quinn, 3).seed for _ in range(4)}
    assert len(seeds) > 1  # not a fixed seed: 4 equal draws of 2**31 would be a miracle
    assert set(ScreeningRound.objects.values_list("seed", flat=True)) == seeds


def test_a_chosen_seed_that_repeats_no_earlier_round_is_refused(
    organisation, quinn, team, alice, district
):
    """A free seed would let the screener search for the seed that draws one resident."""
    make_trajectories(10, team, alice, district)
    with pytest.raises(ValidationError) as raised:
        sample_of(organisation, quinn, 3, seed=12345)
    assert "eerdere ronde" in " ".join(raised.value.message_dict["seed"])
    assert not ScreeningRound.objects.exists()


def test_a_seed_repeats_only_the_same_period_and_size_of_the_same_organisation(
    organisation, quinn, team, alice, charlie, district
):
    make_trajectories(10, team, alice, district)
    first = sample_of(organisation, quinn, 3)
    start, end = period()
    for data in (
        services.SampleInput(start, end, 4, seed=first.seed),
        services.SampleInput(start + dt.timedelta(days=1), end, 3, seed=first.seed),
    ):
        with pytest.raises(ValidationError):
            services.draw_sample(organisation, quinn, data)
    # The same seed in another organisation is not a repeat either.
    other_officer = staff_with_role("quentin", charlie.organisation, Role.Name.QUALITY_OFFICER)
    with pytest.raises(ValidationError):
        services.draw_sample(
            charlie.organisation,
            other_officer,
            services.SampleInput(start, end, 3, seed=first.seed),
        )
    assert ScreeningRound.objects.count() == 1


def test_the_whole_population_is_taken_only_within_the_cap(
    organisation, quinn, team, alice, district
):
    make_trajectories(services.MAX_SAMPLE + 5, team, alice, district)
    sample = sample_of(organisation, quinn, services.MAX_SAMPLE)
    assert sample.items.count() == services.MAX_SAMPLE
    assert sample.population_size == services.MAX_SAMPLE + 5


def test_an_anonymised_trajectory_is_never_drawn(organisation, quinn, team, alice, district):
    from wattelt.privacy.services import anonymise_resident

    erased, kept = make_trajectories(2, team, alice, district)
    anonymise_resident(erased.resident)
    sample = sample_of(organisation, quinn, 5)
    assert list(sample.items.values_list("trajectory_number", flat=True)) == [kept.pk]
    assert sample.population == {str(team.pk): 1}
