"""A small hand-made data set for the adoption figures: rows made directly, with the
dates each test needs (the services would date everything today). After every row the
adoption summary of its trajectory is derived again, as the services' signals do; inside
`build.refreshing_once()` (the seeded year of use) once at the end, set-based."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from wattelt.implementation.adoption import summary
from wattelt.instrument.models import Catalogue, ChosenDomain, Goal, Measurement, NotFilledIn
from wattelt.organisations.models import District, Staff, Team
from wattelt.residents.models import Resident, Trajectory


class Builder:
    def __init__(self, catalogue: Catalogue, district: District) -> None:
        self.catalogue = catalogue
        self.district = district
        domain = catalogue.domains.order_by("position").first()
        assert domain is not None
        self.domain = domain
        self.count = 0
        self.pending: set[int] | None = None  # inside refreshing_once(): still to derive

    def refresh(self, trajectory: Trajectory) -> None:
        if self.pending is None:
            summary.refresh([trajectory.pk])
        else:
            self.pending.add(trajectory.pk)

    @contextmanager
    def refreshing_once(self) -> Iterator[None]:
        """Rows made inside are derived into the summary once, at the end, in one
        set-based refresh of every trajectory touched (as after a bulk import), not after
        each row: the ~240 refreshes of a seeded year took ~95% of its setup. The
        row-by-row path (a trajectory's facts taken off the sums, the new ones added) is
        checked change by change against the oracle in test_adoption_summary.py."""
        self.pending = set()
        try:
            yield
            summary.refresh(self.pending)
        finally:
            self.pending = None

    def trajectory(
        self, team: Team, responsible: Staff, started_on: dt.date, ended_on: dt.date | None = None
    ) -> Trajectory:
        self.count += 1
        resident = Resident.objects.create(
            organisation=team.organisation,
            first_name="Zwaantje",
            last_name=f"Bewonersnaam{self.count}",
            date_of_birth=dt.date(1980, 1, 1),
            district=self.district,
        )
        trajectory = Trajectory.objects.create(
            resident=resident,
            team=team,
            responsible=responsible,
            started_on=started_on,
            ended_on=ended_on,
        )
        self.refresh(trajectory)
        return trajectory

    def measurement(
        self,
        trajectory: Trajectory,
        measured_on: dt.date,
        kind: str = "start",
        professional: bool = False,
        carer: bool = False,
        goals: int = 0,
        status: str = "confirmed",
    ) -> Measurement:
        by = trajectory.responsible
        measurement = Measurement.objects.create(
            trajectory=trajectory,
            kind=kind,
            status=status,
            catalogue=self.catalogue,
            measured_on=measured_on,
            created_by=by,
            updated_by=by,
        )
        ChosenDomain.objects.create(
            measurement=measurement,
            domain=self.domain,
            resident_chip=50,
            professional_chip=40 if professional else None,
            carer_chip=60 if carer else None,
        )
        for position in range(goals):
            Goal.objects.create(
                trajectory=trajectory,
                stated_in=measurement,
                position=position,
                own_words="Mijn doel",
            )
        self.refresh(trajectory)
        return measurement

    def not_filled_in(
        self,
        trajectory: Trajectory,
        recorded_on: dt.date,
        kind: str = "start",
        reason: str = "crisis",
    ) -> NotFilledIn:
        record = NotFilledIn.objects.create(
            trajectory=trajectory,
            kind=kind,
            reason=reason,
            recorded_on=recorded_on,
            recorded_by=trajectory.responsible,
        )
        self.refresh(trajectory)
        return record


def a_year_of_use(
    build: Builder, team: Team, people: list[tuple[Staff, float]], today: dt.date, seed: int = 7
) -> None:
    """Fourteen months of plausible use: per professional (with how diligent they are,
    0..1) two or three new trajectories a month, start measurements mostly in time,
    follow-ups about every three months, some closed with an end measurement or a
    reason, the professional's and carer's chips now and then."""
    import random

    rnd = random.Random(seed)
    reasons = ["declined", "not_appropriate", "crisis", "ended_early", "other"]
    with build.refreshing_once():
        for person, diligence in people:
            for months_back in range(14, -1, -1):
                for _n in range(rnd.choice((2, 3))):
                    started = today - dt.timedelta(days=30 * months_back + rnd.randrange(30))
                    if started > today:
                        continue
                    # The habit grows: more diligent in recent months.
                    care = min(1.0, diligence + 0.03 * (14 - months_back))
                    closes = rnd.random() < 0.4
                    ended = started + dt.timedelta(days=rnd.randrange(60, 300)) if closes else None
                    if ended is not None and ended >= today:
                        ended = None
                    trajectory = build.trajectory(team, person, started, ended)
                    last_day = ended or today
                    if rnd.random() < care:
                        day = started + dt.timedelta(days=rnd.randrange(0, 12))
                    elif rnd.random() < 0.5:
                        day = started + dt.timedelta(days=rnd.randrange(16, 40))
                    else:
                        build.not_filled_in(
                            trajectory, started + dt.timedelta(days=3), "start", rnd.choice(reasons)
                        )
                        continue
                    kind = "start"
                    while day <= last_day and day < today:
                        build.measurement(
                            trajectory,
                            day,
                            kind,
                            professional=rnd.random() < 0.3 + 0.5 * care,
                            carer=rnd.random() < 0.2,
                            goals=rnd.choice((0, 1, 1, 2, 2, 3)),
                        )
                        kind = "follow_up"
                        late = 0 if rnd.random() < care else rnd.randrange(15, 60)
                        day = day + dt.timedelta(days=88 + rnd.randrange(0, 8) + late)
                    if ended is not None:
                        if rnd.random() < care:
                            build.measurement(trajectory, ended, "end", goals=0)
                        elif rnd.random() < 0.5:
                            build.not_filled_in(trajectory, ended, "end", rnd.choice(reasons))
