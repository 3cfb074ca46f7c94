"""Working on the implementation plan: start a draft from the latest published version,
save one section of it at a time (optimistic locking per section), publish it as the
next version with what changed, and read what there is.

Every write is one transaction and checks its input here, whoever calls it (the
screens, the demo data): bad input raises ValidationError with a Dutch message and
nothing of that action is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wattelt.organisations.models import Organisation, Staff

from . import progress
from .models import (
    ImplementationPlan,
    MatrixActivity,
    Phase,
    PlanGoal,
    PlanningRow,
    PlanVersion,
    ProjectMember,
    TargetGroup,
)

MAX_TARGET_NUMBER = Decimal("9999999")
YEARS = (2000, 2100)
MAX_COST = Decimal("99999999.99")

# The sections of the plan in the guide's order: slug in the URL -> what it holds.
SECTIONS = {
    "projectgroep": gettext_lazy("Project group"),
    "analyse": gettext_lazy("Analysis of current practice"),
    "doelen": gettext_lazy("Implementation goals"),
    "doelgroepen": gettext_lazy("Target groups"),
    "kansen": gettext_lazy("Opportunities and threats"),
    "activiteiten": gettext_lazy("Activities per target group and phase"),
    "evaluatie": gettext_lazy("Evaluation"),
    "planning": gettext_lazy("Planning and costs"),
}
TEXT_FIELDS = {
    "analyse": ("current_practice",),
    "kansen": ("opportunities", "threats"),
    "evaluatie": ("evaluation",),
}
TEXT_LABELS = {
    "current_practice": gettext_lazy("Analysis of current practice"),
    "opportunities": gettext_lazy("Opportunities"),
    "threats": gettext_lazy("Threats"),
    "evaluation": gettext_lazy("Evaluation"),
}
DEFAULT_TARGET_GROUPS = (
    gettext_lazy("Professionals"),
    gettext_lazy("Residents"),
    gettext_lazy("Board and management"),
    gettext_lazy("Funder (municipality)"),
)


class PlanConflict(Exception):
    """Someone else changed (or published) the draft since this form was loaded."""

    def __init__(self, version: PlanVersion, message: str) -> None:
        super().__init__(message)
        self.version = version


# --- Reading -------------------------------------------------------------------------


def plan_for(organisation: Organisation) -> ImplementationPlan:
    plan, _created = ImplementationPlan.objects.get_or_create(organisation=organisation)
    return plan


def current_draft(organisation_id: int) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(plan__organisation_id=organisation_id, status="draft")
        .select_related("updated_by", "created_by", "plan__organisation")
        .first()
    )


def latest_published(organisation_id: int) -> PlanVersion | None:
    return (
        PlanVersion.objects.published()
        .filter(plan__organisation_id=organisation_id)
        .select_related("published_by", "plan__organisation")
        .order_by("-number")
        .first()
    )


def published_versions(user: Staff, organisation_id: int) -> list[PlanVersion]:
    """The organisation's published versions this user may read, the latest first."""
    return list(
        PlanVersion.objects.visible_to(user)
        .published()
        .filter(plan__organisation_id=organisation_id)
        .select_related("published_by")
        .order_by("-number")
    )


def published_version(user: Staff, number: int) -> PlanVersion | None:
    """Published version `number` of the plan this user may read; None when there is none."""
    return (
        PlanVersion.objects.visible_to(user)
        .published()
        .select_related("published_by", "plan__organisation")
        .filter(number=number)
        .first()
    )


@dataclass
class QuarterTotal:
    year: int
    quarter: int
    total: Decimal


@dataclass
class PlanContents:
    """A version with everything in it, read in a fixed number of queries."""

    version: PlanVersion
    members: list[ProjectMember]
    goals: list[PlanGoal]
    target_groups: list[TargetGroup]
    # One row per phase: (phase, [activities per target group, in target-group order])
    matrix: list[tuple[Phase, list[list[MatrixActivity]]]]
    planning: list[PlanningRow]
    quarter_totals: list[QuarterTotal]
    total_cost: Decimal
    goal_progress: list[progress.GoalProgress] = field(default_factory=list)

    @property
    def opportunities(self) -> list[str]:
        return _lines(self.version.opportunities)

    @property
    def threats(self) -> list[str]:
        return _lines(self.version.threats)


def _lines(text: str) -> list[str]:
    lines = (line.strip().lstrip("-•*").strip() for line in text.splitlines())
    return [line for line in lines if line]


def plan_contents(version: PlanVersion, with_progress: bool = True) -> PlanContents:
    groups = list(version.target_groups.all())
    cells: dict[tuple[int, str], list[MatrixActivity]] = defaultdict(list)
    for activity in version.activities.all():
        cells[(activity.target_group_id, activity.phase)].append(activity)
    matrix = [(phase, [cells[(g.pk, phase.value)] for g in groups]) for phase in Phase]
    planning = list(version.planning.all())
    goals = list(version.goals.all())
    totals = quarter_totals(planning)
    return PlanContents(
        version=version,
        members=list(version.members.all()),
        goals=goals,
        target_groups=groups,
        matrix=matrix,
        planning=planning,
        quarter_totals=totals,
        total_cost=sum((t.total for t in totals), Decimal(0)),
        goal_progress=(
            progress.plan_progress(version.plan.organisation, goals) if with_progress else []
        ),
    )


def quarter_totals(rows: Iterable[PlanningRow]) -> list[QuarterTotal]:
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[(row.year, row.quarter)] += row.cost
    return [QuarterTotal(y, q, t) for (y, q), t in sorted(totals.items())]


# --- Checking input (the forms show the same messages per field) ---------------------


@dataclass
class MemberInput:
    name: str
    role: str = ""
    key: uuid.UUID | None = None


@dataclass
class GoalInput:
    description: str
    indicator_key: str = ""
    target: Decimal | None = None
    target_date: dt.date | None = None
    key: uuid.UUID | None = None


@dataclass
class TargetGroupInput:
    name: str
    key: uuid.UUID | None = None


@dataclass
class PlanningInput:
    year: int
    quarter: int
    activity: str
    owner: str = ""
    cost: Decimal = Decimal(0)
    key: uuid.UUID | None = None


def member_errors(row: MemberInput) -> dict[str, str]:
    return {} if row.name.strip() else {"name": _("Fill in the name of the member.")}


def goal_errors(row: GoalInput, unit: str | None, allowed_keys: Iterable[str]) -> dict[str, str]:
    """What is wrong with one goal. `unit` is the indicator's ("percent", "number"), None
    when unknown; `allowed_keys` the indicators it may be linked to."""
    errors: dict[str, str] = {}
    if not row.description.strip():
        errors["description"] = _("Describe the goal: what do you want to reach, and when?")
    if row.indicator_key:
        if row.indicator_key not in set(allowed_keys):
            errors["indicator_key"] = _("Choose an indicator from the list.")
        if row.target is None:
            errors["target"] = _("Give the target value the indicator has to reach.")
        if row.target_date is None:
            errors["target_date"] = _("Give the date by which the target has to be reached.")
    elif row.target is not None:
        errors["indicator_key"] = _("Choose the indicator the target value is about.")
    if row.target is not None and "target" not in errors:
        if row.target < 0:
            errors["target"] = _("The target value cannot be negative.")
        elif unit == "percent" and row.target > 100:
            errors["target"] = _("A target in percent lies between 0 and 100.")
        elif row.target > MAX_TARGET_NUMBER:
            errors["target"] = _("The target value is too large.")
    if row.target_date is not None and not (YEARS[0] <= row.target_date.year <= YEARS[1]):
        errors["target_date"] = _("Give a date between the years 2000 and 2100.")
    return errors


def target_group_errors(row: TargetGroupInput) -> dict[str, str]:
    return {} if row.name.strip() else {"name": _("Fill in the name of the target group.")}


def planning_errors(row: PlanningInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (YEARS[0] <= row.year <= YEARS[1]):
        errors["year"] = _("Give a year between 2000 and 2100.")
    if row.quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("Choose quarter 1, 2, 3 or 4.")
    if not row.activity.strip():
        errors["activity"] = _("Describe the activity.")
    if row.cost < 0:
        errors["cost"] = _("The cost cannot be negative.")
    elif row.cost > MAX_COST:
        errors["cost"] = _("The cost is too large.")
    return errors


def _raise_row_errors(
    rows: list, check: Callable[..., dict[str, str]], label: str, *args: object
) -> None:
    messages = []
    for n, row in enumerate(rows, start=1):
        for message in check(row, *args).values():
            messages.append(
                _("%(what)s %(n)s: %(message)s") % {"what": label, "n": n, "message": message}
            )
    if messages:
        raise ValidationError(messages)


def allowed_indicator_keys(draft: PlanVersion) -> set[str]:
    """What a goal may be linked to: any available indicator, and the one a goal of this
    draft is linked to already (so a plan with a withdrawn indicator can still be saved)."""
    existing = set(draft.goals.exclude(indicator_key="").values_list("indicator_key", flat=True))
    return set(progress.available_indicators()) | existing


# --- Drafts --------------------------------------------------------------------------


def start_draft(organisation: Organisation, by: Staff) -> PlanVersion:
    """The draft to edit: the existing one, or a new one copied from the latest
    published version (or from the guide's four target groups for a first plan)."""
    plan = plan_for(organisation)
    with transaction.atomic():
        ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
        existing = current_draft(organisation.pk)
        if existing is not None:
            return existing
        base = latest_published(organisation.pk)
        draft = PlanVersion.objects.create(
            plan=plan,
            based_on=base,
            created_by=by,
            updated_by=by,
            **{f: getattr(base, f) if base else "" for f in TEXT_LABELS},
        )
        if base is None:
            TargetGroup.objects.bulk_create(
                TargetGroup(version=draft, name=str(name), position=n)
                for n, name in enumerate(DEFAULT_TARGET_GROUPS)
            )
        else:
            _copy_rows(base, draft)
        return draft


def _copy_rows(base: PlanVersion, draft: PlanVersion) -> None:
    def copies(rows: Iterable[Model]) -> list:
        out = []
        for row in rows:
            row.pk = None
            row.id = None  # type: ignore[attr-defined]
            row.version = draft  # type: ignore[attr-defined]
            out.append(row)
        return out

    ProjectMember.objects.bulk_create(copies(base.members.all()))
    PlanGoal.objects.bulk_create(copies(base.goals.all()))
    PlanningRow.objects.bulk_create(copies(base.planning.all()))
    old_groups = list(base.target_groups.all())
    old_ids = [g.pk for g in old_groups]
    new_groups = TargetGroup.objects.bulk_create(copies(old_groups))
    if not new_groups or new_groups[0].pk is None:  # backends without RETURNING ids
        new_groups = list(draft.target_groups.all())
    group_for = dict(zip(old_ids, new_groups, strict=True))
    activities = list(base.activities.all())
    for activity in activities:
        activity.target_group = group_for[activity.target_group_id]
    MatrixActivity.objects.bulk_create(copies(activities))


def _conflict_message(locked: PlanVersion, action: str) -> str:
    who = {
        "name": locked.updated_by,
        "time": formats.date_format(timezone.localtime(locked.updated_at), "j F H:i"),
    }
    if action == "publish":
        return (
            _(
                "%(name)s changed the draft at %(time)s, after you opened this page. Nothing "
                "was published: look at the changes below and publish again."
            )
            % who
        )
    if action == "discard":
        return (
            _(
                "%(name)s changed the draft at %(time)s, after you opened the page. Nothing "
                "was discarded."
            )
            % who
        )
    return (
        _(
            "%(name)s changed this part of the draft at %(time)s, after you opened it. Your "
            "input is still below and was not saved. Compare it with the current text, then "
            "save again to keep your version."
        )
        % who
    )


def _locked_draft(
    draft: PlanVersion, section: str | None, revision: int | None, action: str = "save"
) -> PlanVersion:
    """The draft locked for writing; PlanConflict when it was published or discarded, or
    when `section` (None: the whole draft) changed since `revision`."""
    locked = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("updated_by", "published_by", "plan")
        .filter(pk=draft.pk)
        .first()
    )
    if locked is None:
        raise PlanConflict(
            draft, _("The draft was discarded meanwhile. Nothing of your input was saved.")
        )
    if not locked.is_draft:
        raise PlanConflict(
            locked,
            _(
                "%(name)s published this draft as version %(number)s meanwhile. Your input "
                "was not saved; it is still below: save again to put it in a new draft."
            )
            % {"name": locked.published_by, "number": locked.number},
        )
    current = locked.revision if section is None else locked.section_revision(section)
    if revision is not None and revision != current:
        raise PlanConflict(locked, _conflict_message(locked, action))
    return locked


def _save_section(
    draft: PlanVersion,
    by: Staff,
    section: str,
    revision: int | None,
    apply: Callable[[PlanVersion], None],
) -> PlanVersion:
    with transaction.atomic():
        locked = _locked_draft(draft, section, revision)
        apply(locked)
        locked.revision += 1
        locked.section_revisions = {
            **locked.section_revisions,
            section: locked.section_revision(section) + 1,
        }
        locked.updated_by = by
        locked.updated_at = timezone.now()
        locked.save()
        return locked


def _sync_rows(
    draft: PlanVersion,
    model: type[Model],
    related: str,
    rows: list,
    values: Callable[[object], dict[str, object]],
    on_change: Callable[[Model, dict[str, object]], None] | None = None,
) -> None:
    """Make the draft's rows of one kind what the form says, matching by key; rows not
    in the form are removed."""
    existing: dict[uuid.UUID, Any] = {row.key: row for row in getattr(draft, related).all()}
    kept = []
    for position, row in enumerate(rows):
        obj: Any = existing.get(row.key) if row.key else None
        new_values = values(row)
        if obj is None:
            obj = model(version=draft, key=uuid.uuid4())
        elif on_change is not None:
            on_change(obj, new_values)
        for name, value in new_values.items():
            setattr(obj, name, value)
        obj.position = position
        obj.save()
        kept.append(obj.key)
    getattr(draft, related).exclude(key__in=kept).delete()


def save_members(
    draft: PlanVersion, by: Staff, rows: list[MemberInput], revision: int | None = None
) -> PlanVersion:
    _raise_row_errors(rows, member_errors, _("Member"))
    return _save_section(
        draft,
        by,
        "projectgroep",
        revision,
        lambda d: _sync_rows(
            d,
            ProjectMember,
            "members",
            rows,
            lambda r: {"name": r.name.strip(), "role": r.role.strip()},  # type: ignore[attr-defined]
        ),
    )


def save_texts(
    draft: PlanVersion,
    by: Staff,
    section: str,
    values: dict[str, str],
    revision: int | None = None,
) -> PlanVersion:
    fields = TEXT_FIELDS.get(section)
    if fields is None or set(values) - set(fields):
        raise ValidationError(_("This part of the plan does not exist."))

    def apply(locked: PlanVersion) -> None:
        for name in fields:
            setattr(locked, name, values.get(name, "").strip())

    return _save_section(draft, by, section, revision, apply)


def save_goals(
    draft: PlanVersion, by: Staff, rows: list[GoalInput], revision: int | None = None
) -> PlanVersion:
    allowed = allowed_indicator_keys(draft)
    figures = progress.Figures(draft.plan.organisation)  # each indicator's unit asked once
    messages = []
    for n, row in enumerate(rows, start=1):
        unit = figures.unit(row.indicator_key) if row.indicator_key else None
        for message in goal_errors(row, unit, allowed).values():
            messages.append(_("Goal %(n)s: %(message)s") % {"n": n, "message": message})
    if messages:
        raise ValidationError(messages)
    today = timezone.localdate()

    def values(row: object) -> dict[str, object]:
        assert isinstance(row, GoalInput)
        return {
            "description": row.description.strip(),
            "indicator_key": row.indicator_key,
            "target": row.target,
            "target_date": row.target_date,
        }

    def restart_when_measure_changes(goal: Model, new: dict[str, object]) -> None:
        # Progress is measured from when the goal got its current indicator and target.
        assert isinstance(goal, PlanGoal)
        if (goal.indicator_key, goal.target, goal.target_date) != (
            new["indicator_key"],
            new["target"],
            new["target_date"],
        ):
            goal.set_on = today

    return _save_section(
        draft,
        by,
        "doelen",
        revision,
        lambda d: _sync_rows(d, PlanGoal, "goals", rows, values, restart_when_measure_changes),
    )


def save_target_groups(
    draft: PlanVersion, by: Staff, rows: list[TargetGroupInput], revision: int | None = None
) -> PlanVersion:
    """Removing a target group removes its activities in the matrix too."""
    _raise_row_errors(rows, target_group_errors, _("Target group"))
    return _save_section(
        draft,
        by,
        "doelgroepen",
        revision,
        lambda d: _sync_rows(
            d,
            TargetGroup,
            "target_groups",
            rows,
            lambda r: {"name": r.name.strip()},  # type: ignore[attr-defined]
        ),
    )


def save_matrix(
    draft: PlanVersion,
    by: Staff,
    cells: dict[tuple[str, str], list[str]],
    revision: int | None = None,
) -> PlanVersion:
    """Set every cell of the matrix: (target group key, phase) -> its activities. Cells
    not given become empty."""

    def apply(locked: PlanVersion) -> None:
        groups = {str(g.key): g for g in locked.target_groups.all()}
        phases = {p.value for p in Phase}
        for group_key, phase in cells:
            if group_key not in groups:
                raise ValidationError(
                    _("The matrix names a target group that is not in the plan (any more).")
                )
            if phase not in phases:
                raise ValidationError(
                    _(
                        "The matrix names an unknown phase; the phases are: weten, begrijpen, "
                        "willen, kunnen gebruiken, blijven gebruiken."
                    )
                )
        too_long = [t for texts in cells.values() for t in texts if len(t.strip()) > 500]
        if too_long:
            raise ValidationError(_("An activity is longer than 500 characters; shorten it."))
        locked.activities.all().delete()
        MatrixActivity.objects.bulk_create(
            MatrixActivity(
                version=locked,
                target_group=groups[group_key],
                phase=phase,
                text=text.strip(),
                position=n,
            )
            for (group_key, phase), texts in cells.items()
            for n, text in enumerate(t for t in texts if t.strip())
        )

    return _save_section(draft, by, "activiteiten", revision, apply)


def save_planning(
    draft: PlanVersion, by: Staff, rows: list[PlanningInput], revision: int | None = None
) -> PlanVersion:
    _raise_row_errors(rows, planning_errors, _("Planning row"))
    return _save_section(
        draft,
        by,
        "planning",
        revision,
        lambda d: _sync_rows(
            d,
            PlanningRow,
            "planning",
            rows,
            lambda r: {
                "year": r.year,  # type: ignore[attr-defined]
                "quarter": r.quarter,  # type: ignore[attr-defined]
                "activity": r.activity.strip(),  # type: ignore[attr-defined]
                "owner": r.owner.strip(),  # type: ignore[attr-defined]
                "cost": r.cost,  # type: ignore[attr-defined]
            },
        ),
    )


def discard_draft(draft: PlanVersion, by: Staff, revision: int | None) -> None:
    with transaction.atomic():
        locked = _locked_draft(draft, None, revision, "discard")
        locked.delete()


# --- Publishing ----------------------------------------------------------------------


def _row_changes(old: Iterable[Model], new: Iterable[Model], fields: tuple[str, ...]) -> dict:
    def content(row: Model) -> tuple:
        return tuple(getattr(row, f) for f in fields)

    before = {row.key: content(row) for row in old}  # type: ignore[attr-defined]
    after = {row.key: content(row) for row in new}  # type: ignore[attr-defined]
    return {
        "added": len(after.keys() - before.keys()),
        "removed": len(before.keys() - after.keys()),
        "changed": sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
    }


def plan_changes(draft: PlanVersion, previous: PlanVersion | None) -> list[dict[str, object]]:
    """What the draft changes compared with the previous published version, per part."""
    changes: list[dict[str, object]] = []

    def add(section: str, counts: dict) -> None:
        if any(counts.values()):
            changes.append({"section": section, **counts})

    none: list[Model] = []
    for name in TEXT_LABELS:
        old = getattr(previous, name) if previous else ""
        if old != getattr(draft, name):
            changes.append({"section": name, "changed": 1, "added": 0, "removed": 0})
    add(
        "members",
        _row_changes(
            previous.members.all() if previous else none, draft.members.all(), ("name", "role")
        ),
    )
    add(
        "goals",
        _row_changes(
            previous.goals.all() if previous else none,
            draft.goals.all(),
            ("description", "indicator_key", "target", "target_date"),
        ),
    )
    add(
        "target_groups",
        _row_changes(
            previous.target_groups.all() if previous else none, draft.target_groups.all(), ("name",)
        ),
    )

    def cells(version: PlanVersion | None) -> set[tuple[object, str, str]]:
        if version is None:
            return set()
        return set(version.activities.values_list("target_group__key", "phase", "text").distinct())

    old_cells, new_cells = cells(previous), cells(draft)
    add(
        "activities",
        {"added": len(new_cells - old_cells), "removed": len(old_cells - new_cells), "changed": 0},
    )
    add(
        "planning",
        _row_changes(
            previous.planning.all() if previous else none,
            draft.planning.all(),
            ("year", "quarter", "activity", "owner", "cost"),
        ),
    )
    return changes


CHANGE_LABELS = {
    **TEXT_LABELS,
    "members": gettext_lazy("Project group"),
    "goals": gettext_lazy("Implementation goals"),
    "target_groups": gettext_lazy("Target groups"),
    "activities": gettext_lazy("Activities"),
    "planning": gettext_lazy("Planning"),
}


def describe_changes(changes: list[dict[str, object]]) -> list[str]:
    """The changes as sentences for the screen ("Planning: 2 added, 1 changed")."""
    lines = []
    for change in changes:
        parts = []
        if change.get("added"):
            parts.append(_("%(n)s added") % {"n": change["added"]})
        if change.get("changed"):
            parts.append(_("%(n)s changed") % {"n": change["changed"]})
        if change.get("removed"):
            parts.append(_("%(n)s removed") % {"n": change["removed"]})
        if str(change["section"]) in TEXT_LABELS:
            parts = [_("changed")]
        label = CHANGE_LABELS.get(str(change["section"]), str(change["section"]))
        lines.append(f"{label}: {', '.join(parts)}")
    return lines


def publish(draft: PlanVersion, by: Staff, revision: int | None, note: str = "") -> PlanVersion:
    """Freeze the draft as the next version, with who, when and what changed."""
    with transaction.atomic():
        locked = _locked_draft(draft, None, revision, "publish")
        previous = latest_published(locked.plan.organisation_id)
        changes = plan_changes(locked, previous)
        if not changes:
            if previous is None:
                raise ValidationError(_("The plan is still empty: fill in at least one part."))
            raise ValidationError(
                _("Nothing changed since version %(n)s: there is nothing to publish.")
                % {"n": previous.number}
            )
        if previous is None and not (
            locked.goals.exists() or locked.members.exists() or locked.current_practice
        ):
            raise ValidationError(
                _(
                    "Fill in at least the project group, the analysis or one goal before "
                    "publishing the first version."
                )
            )
        numbers = PlanVersion.objects.filter(plan=locked.plan).aggregate(n=Max("number"))
        locked.number = (numbers["n"] or 0) + 1
        locked.status = PlanVersion.Status.PUBLISHED
        locked.published_by = by
        locked.published_at = timezone.now()
        locked.change_note = note.strip()
        locked.changes = changes
        locked.save()
        return locked
