"""Drawing a stratified random sample, screening a dossier, sharing and discussing the
findings, and the findings per team. See docs/adr/0007-dossier-screening-sample.md."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.instrument.models import Measurement, NotFilledIn
from wattelt.instrument.plan import ResidentPlan, resident_plan
from wattelt.instrument.progress import Progress, trajectory_progress
from wattelt.organisations.models import Organisation, Staff, Team
from wattelt.privacy.services import ANONYMISED_LAST_NAME
from wattelt.residents.access import reading_for_screening
from wattelt.residents.models import Trajectory
from wattelt.residents.services import add_months, due_state

from .models import Answer, ScreeningItem, ScreeningRound, question_label

SEED_MAX = 2**31 - 1
MAX_SAMPLE = 50
"""The most dossiers one round may draw: a sample, never the whole organisation."""
MAX_PERIOD_MONTHS = 12
"""The longest period a round may cover."""
# Which answers each question takes: registration of the start is there or not.
ALLOWED_ANSWERS: dict[str, tuple[str, ...]] = {
    "start_registered": (Answer.YES, Answer.NO),
    "follow_up_registered": tuple(Answer.values),
    "goals_own_words": tuple(Answer.values),
    "goals_match_priorities": tuple(Answer.values),
    "follow_up_on_time": tuple(Answer.values),
}


# --- the sample ----------------------------------------------------------------------


def allocate(population: Mapping[int, int], size: int) -> dict[int, int]:
    """How many to draw per team (team id -> count), proportional to the team's share of
    the population with largest-remainder rounding. When the sample is large enough,
    every team with trajectories gets at least one: one each first, the rest in
    proportion to what remains. Ties go to the larger team, then the lower team id, so
    the allocation is a pure function of the population."""
    teams = sorted(t for t, n in population.items() if n > 0)
    total = sum(population[t] for t in teams)
    if size >= total:
        return {t: population[t] for t in teams}
    allocation = dict.fromkeys(teams, 0)
    remaining = {t: population[t] for t in teams}
    if size >= len(teams):
        allocation = dict.fromkeys(teams, 1)
        remaining = {t: population[t] - 1 for t in teams}
    to_allocate = size - sum(allocation.values())
    pool = sum(remaining.values())
    if to_allocate and pool:
        quotas = {t: to_allocate * remaining[t] / pool for t in teams}
        floors = {t: int(quotas[t]) for t in teams}
        left = to_allocate - sum(floors.values())
        order = sorted(teams, key=lambda t: (-(quotas[t] - floors[t]), -population[t], t))
        for t in order[:left]:
            floors[t] += 1
        for t in teams:
            allocation[t] += floors[t]
    return allocation


def _simple_random_sample(rng: random.Random, ids: Sequence[int], k: int) -> list[int]:
    """k of the ids by a partial Fisher-Yates shuffle driven by `random()` only: Python
    guarantees that sequence for a given seed across versions, not that of `sample()`."""
    pool = list(ids)
    for i in range(k):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def draw(population: Mapping[int, Sequence[int]], size: int, seed: int) -> list[int]:
    """The drawn trajectory ids: per team (in id order) a simple random sample of its
    allocated size, from one generator seeded with `seed`. The same seed over the same
    population gives the same sample."""
    allocation = allocate({t: len(ids) for t, ids in population.items()}, size)
    rng = random.Random(seed)
    drawn: list[int] = []
    for team_id in sorted(allocation):
        ids = sorted(population[team_id])
        drawn.extend(sorted(_simple_random_sample(rng, ids, allocation[team_id])))
    return drawn


def active_trajectories(
    organisation: Organisation, start: dt.date, end: dt.date, teams: Iterable[Team] = ()
) -> dict[int, list[int]]:
    """Team id -> ids of the organisation's trajectories active at some day of the
    period: started on or before its end, not closed before its start."""
    team_ids = [t.pk for t in teams]
    trajectories = (
        Trajectory.objects.filter(team__organisation=organisation, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        # An erased (anonymised) dossier has nothing left to screen.
        .exclude(resident__last_name=ANONYMISED_LAST_NAME)
    )
    if team_ids:
        trajectories = trajectories.filter(team_id__in=team_ids)
    population: dict[int, list[int]] = {}
    for team_id, pk in trajectories.order_by("team_id", "pk").values_list("team_id", "pk"):
        population.setdefault(team_id, []).append(pk)
    return population


@dataclass
class SampleInput:
    start: dt.date | None
    end: dt.date | None
    size: int | None
    teams: list[Team] = field(default_factory=list)
    seed: int | None = None


def _check_sample_input(data: SampleInput) -> None:
    errors: dict[str, str] = {}
    if data.start is None:
        errors["start"] = _("Give the first day of the period.")
    if data.end is None:
        errors["end"] = _("Give the last day of the period.")
    if data.start and data.end and data.end < data.start:
        errors["end"] = _("The end of the period lies before its start.")
    elif data.start and data.end and data.end > add_months(data.start, MAX_PERIOD_MONTHS):
        errors["end"] = _("The period is longer than one year: choose at most one year.")
    elif data.end and data.end > timezone.localdate():
        errors["end"] = _("The period ends in the future: choose a period up to today.")
    if data.size is None or data.size < 1:
        errors["size"] = _("The sample size must be at least 1.")
    elif data.size > MAX_SAMPLE:
        errors["size"] = _("Draw at most %(max)s dossiers per round.") % {"max": MAX_SAMPLE}
    if data.seed is not None and not 0 <= data.seed <= SEED_MAX:
        errors["seed"] = _("The seed is a whole number from 0 to %(max)s.") % {"max": SEED_MAX}
    if errors:
        raise ValidationError(errors)


def _check_repeated_seed(organisation: Organisation, data: SampleInput) -> None:
    """A given seed only repeats an earlier round of the organisation (same seed, period
    and size): choosing a seed freely would let the screener steer the draw."""
    assert data.seed is not None and data.start and data.end and data.size
    earlier = ScreeningRound.objects.filter(
        organisation=organisation,
        seed=data.seed,
        period_start=data.start,
        period_end=data.end,
        requested_size=data.size,
    )
    if not earlier.exists():
        raise ValidationError(
            {
                "seed": _(
                    "A seed only repeats an earlier round of your organisation with the same "
                    "period and number of dossiers: leave it empty to draw a new sample."
                )
            }
        )


def draw_sample(organisation: Organisation, by: Staff, data: SampleInput) -> ScreeningRound:
    """Draw and record a sample round: the seed, the population per team and the drawn
    ids. A sample larger than the population takes the whole population (at most
    MAX_SAMPLE). The seed is chosen here; a given seed only repeats an earlier round."""
    _check_sample_input(data)
    assert data.start and data.end and data.size
    for team in data.teams:
        if team.organisation_id != organisation.pk:
            raise ValidationError({"teams": _("Unknown team: choose a team of your organisation.")})
    if data.seed is not None:
        _check_repeated_seed(organisation, data)
    seed = secrets.randbelow(SEED_MAX + 1) if data.seed is None else data.seed
    population = active_trajectories(organisation, data.start, data.end, data.teams)
    if not population:
        raise ValidationError(
            _("No trajectories of your organisation were active in this period: nothing drawn.")
        )
    drawn = draw(population, data.size, seed)
    teams = {t.pk: t.name for t in Team.objects.filter(pk__in=population)}
    team_of = {pk: team_id for team_id, ids in population.items() for pk in ids}
    with transaction.atomic():
        sample = ScreeningRound.objects.create(
            organisation=organisation,
            period_start=data.start,
            period_end=data.end,
            requested_size=data.size,
            seed=seed,
            population={str(t): len(ids) for t, ids in sorted(population.items())},
            team_names={str(t): name for t, name in teams.items()},
            drawn_by=by,
        )
        ScreeningItem.objects.bulk_create(
            ScreeningItem(round=sample, trajectory_id=pk, trajectory_number=pk, team_id=team_of[pk])
            for pk in drawn
        )
    return sample


def drawn_per_team(sample: ScreeningRound) -> list[tuple[str, int, int]]:
    """(team name, trajectories in the population, drawn) per team of the population."""
    drawn: dict[str, int] = {}
    for team_id in ScreeningItem.objects.filter(round=sample).values_list("team_id", flat=True):
        drawn[str(team_id)] = drawn.get(str(team_id), 0) + 1
    rows = [
        (sample.team_names.get(team_id, team_id), int(n), drawn.get(team_id, 0))
        for team_id, n in sample.population.items()
    ]
    return sorted(rows)


def redraw(sample: ScreeningRound) -> list[int]:
    """The ids the recorded seed draws today from the same period and teams; equal to
    the recorded sample as long as the population did not change."""
    teams = Team.objects.filter(pk__in=[int(t) for t in sample.population])
    population = active_trajectories(
        sample.organisation, sample.period_start, sample.period_end, teams
    )
    return draw(population, sample.requested_size, sample.seed)


# --- one dossier ---------------------------------------------------------------------


def is_erased(item: ScreeningItem) -> bool:
    """The trajectory is gone or its resident was anonymised after the draw."""
    trajectory = item.trajectory
    return trajectory is None or trajectory.resident.last_name == ANONYMISED_LAST_NAME


def pseudonym(item: ScreeningItem) -> str:
    """Initials and trajectory number: enough to talk about, not a name."""
    trajectory = item.trajectory
    if trajectory is None or is_erased(item):
        return _("trajectory %(number)s") % {"number": item.trajectory_number}
    resident = trajectory.resident
    words = [*resident.first_name.split()[:1], *resident.last_name.split()[-1:]]
    initials = "".join(f"{w[0].upper()}." for w in words if w)
    return _("%(initials)s trajectory %(number)s") % {
        "initials": initials,
        "number": item.trajectory_number,
    }


@dataclass
class DossierFacts:
    """What the screener checks the form against, counted from the dossier."""

    start: Measurement | None
    follow_ups: int
    end: Measurement | None
    goals: int
    prioritised: int
    not_filled_in: list[NotFilledIn]
    due: str  # "overdue", "due" or "" (as on the progress page)


@dataclass
class Dossier:
    trajectory: Trajectory
    progress: Progress
    plan: ResidentPlan
    facts: DossierFacts


def dossier(item: ScreeningItem) -> Dossier | None:
    """The read-only dossier, built by the same services as the progress page and the
    plan; None when it was erased after the draw."""
    if item.trajectory is None or is_erased(item):
        return None
    trajectory = item.trajectory
    progress = trajectory_progress(trajectory)
    plan = resident_plan(reading_for_screening(trajectory))
    measurements = progress.measurements
    kinds = [m.kind for m in measurements]
    facts = DossierFacts(
        start=measurements[0] if measurements else None,
        follow_ups=kinds.count(Measurement.Kind.FOLLOW_UP),
        end=next((m for m in measurements if m.kind == Measurement.Kind.END), None),
        goals=len(progress.goals),
        prioritised=sum(1 for c in plan.chosen if c.prioritised),
        not_filled_in=list(trajectory.not_filled_in.all()),
        due=due_state(trajectory) if trajectory.is_open else "",
    )
    return Dossier(trajectory, progress, plan, facts)


@dataclass
class ReviewInput:
    start_registered: str = ""
    follow_up_registered: str = ""
    goals_own_words: str = ""
    goals_match_priorities: str = ""
    follow_up_on_time: str = ""
    notes: str = ""


def screen(item: ScreeningItem, by: Staff, data: ReviewInput) -> ScreeningItem:
    """Record the findings. Every question needs an answer; shared findings are final,
    and an erased dossier cannot be screened any more."""
    errors: dict[str, str] = {}
    for name, allowed in ALLOWED_ANSWERS.items():
        value = getattr(data, name)
        if value not in allowed:
            label = question_label(name)
            errors[name] = _("Answer the question “%(question)s”.") % {"question": label}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ScreeningItem.objects.select_for_update().get(pk=item.pk)
        if locked.is_shared:
            raise ValidationError(
                _("These findings are shared with the professional and can no longer change.")
            )
        if is_erased(locked):
            raise ValidationError(
                _("This dossier was erased after the draw: it can no longer be screened.")
            )
        for name in ALLOWED_ANSWERS:
            setattr(locked, name, getattr(data, name))
        locked.notes = data.notes.strip()
        locked.screened_by = by
        locked.screened_at = timezone.now()
        locked.save()
        return locked


def share(item: ScreeningItem, by: Staff) -> ScreeningItem:
    """Share the findings with the responsible professional and the team coach."""
    with transaction.atomic():
        locked = ScreeningItem.objects.select_for_update().get(pk=item.pk)
        if not locked.is_screened:
            raise ValidationError(_("Screen the dossier before sharing the findings."))
        if not locked.is_shared:
            locked.shared_by = by
            locked.shared_at = timezone.now()
            locked.save(update_fields=["shared_by", "shared_at"])
        return locked


def share_round(sample: ScreeningRound, by: Staff) -> list[tuple[int, int | None]]:
    """Share every screened, not yet shared item of the round; returns (item id,
    resident id or None when the trajectory is gone) of each item shared, to log."""
    with transaction.atomic():
        to_share: list[tuple[int, int | None]] = list(
            ScreeningItem.objects.filter(
                round=sample, screened_at__isnull=False, shared_at__isnull=True
            )
            .select_for_update(of=("self",))
            .values_list("pk", "trajectory__resident_id")
        )
        ScreeningItem.objects.filter(pk__in=[pk for pk, _r in to_share]).update(
            shared_by=by, shared_at=timezone.now()
        )
        return to_share


def record_discussion(item: ScreeningItem, by: Staff, note: str) -> ScreeningItem:
    """The responsible professional records that the findings were discussed."""
    with transaction.atomic():
        locked = ScreeningItem.objects.select_for_update().get(pk=item.pk)
        if not locked.is_shared:
            raise ValidationError(_("These findings are not shared yet."))
        if locked.discussed_at is not None:
            raise ValidationError(
                _("The conversation about these findings is already recorded; it stays as it is.")
            )
        locked.discussed_by = by
        locked.discussed_at = timezone.now()
        locked.discussion_note = note.strip()
        locked.save(update_fields=["discussed_by", "discussed_at", "discussion_note"])
        return locked


def may_record_discussion(item: ScreeningItem, user: Staff) -> bool:
    return item.trajectory is not None and item.trajectory.responsible_id == user.pk


# --- findings per team ---------------------------------------------------------------


@dataclass
class QuestionCount:
    question: str
    label: str
    counts: dict[str, int]
    answered: int

    @property
    def yes_share(self) -> int | None:
        """Percentage of "yes" among the applicable answers."""
        applicable = self.answered - self.counts.get(Answer.NOT_APPLICABLE, 0)
        if applicable <= 0:
            return None
        return round(100 * self.counts.get(Answer.YES, 0) / applicable)

    def cells(self) -> list[int]:
        return [self.counts.get(value, 0) for value in Answer.values]


@dataclass
class TeamFindings:
    team: str
    population: int
    drawn: int
    screened: int
    erased: int
    shared: int
    discussed: int
    questions: list[QuestionCount]


def findings_per_team(sample: ScreeningRound) -> list[TeamFindings]:
    """Counts per question and team, and the whole round as the last row. Two queries."""
    items = list(ScreeningItem.objects.filter(round=sample).select_related("trajectory__resident"))
    groups: dict[str, list[ScreeningItem]] = {}
    for team_id in sample.population:
        groups[team_id] = []
    for item in items:
        groups.setdefault(str(item.team_id), []).append(item)
    rows = [
        _team_findings(sample.team_names.get(team_id, team_id), int(n), groups.get(team_id, []))
        for team_id, n in sorted(
            sample.population.items(), key=lambda kv: sample.team_names.get(kv[0], "")
        )
    ]
    rows.append(_team_findings(_("All teams"), sample.population_size, items))
    return rows


def _team_findings(name: str, population: int, items: list[ScreeningItem]) -> TeamFindings:
    screened = [i for i in items if i.is_screened]
    questions = []
    for question in ScreeningItem.QUESTIONS:
        counts: dict[str, int] = {}
        for item in screened:
            value = getattr(item, question)
            counts[value] = counts.get(value, 0) + 1
        label = question_label(question)
        questions.append(QuestionCount(question, label, counts, len(screened)))
    return TeamFindings(
        team=name,
        population=population,
        drawn=len(items),
        screened=len(screened),
        erased=sum(1 for i in items if not i.is_screened and is_erased(i)),
        shared=sum(1 for i in items if i.is_shared),
        discussed=sum(1 for i in items if i.discussed_at is not None),
        questions=questions,
    )
