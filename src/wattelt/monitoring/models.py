"""Summary tables for monitoring (see docs/adr/0005-monitoring-summary-tables.md).

They hold nothing new: every row is derived from the instrument's and the file's tables
by `wattelt.monitoring.summary` (per trajectory inside the transaction that changes its
data, or all at once by `manage.py rebuild_monitoring_summary`). Each row carries the
scope of its trajectory (resident, team, organisation, district, municipality) and
whether the resident was young on the row's date, so the indicators filter and group
one table without joins. The foreign keys to the trajectory have no database
constraint (cheap bulk loads) but cascade in Django, so deleting a trajectory deletes
its summary rows.
"""

from __future__ import annotations

from django.db import models

from wattelt.residents.models import Trajectory


class Scoped(models.Model):
    """Where a row belongs: copied from its trajectory and resident."""

    resident_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    organisation_id = models.BigIntegerField()
    district_id = models.BigIntegerField()
    municipality_id = models.BigIntegerField()

    class Meta:
        abstract = True


class TrajectorySummary(Scoped):
    """One row per trajectory: registration flags and the first and latest confirmed
    measurement (ordered by measured_on, id)."""

    trajectory = models.OneToOneField(
        Trajectory,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="monitoring_summary",
    )
    born = models.DateField()
    started_on = models.DateField()
    young_at_start = models.BooleanField()
    measurements = models.IntegerField(default=0)
    has_start = models.BooleanField()
    early_start = models.BooleanField()
    has_follow_up = models.BooleanField()
    has_end = models.BooleanField()
    first_measurement_id = models.BigIntegerField(null=True)
    latest_measurement_id = models.BigIntegerField(null=True)
    latest_on = models.DateField(null=True)
    latest_young = models.BooleanField(null=True)
    first_grade = models.SmallIntegerField(null=True)
    latest_grade = models.SmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["started_on"], name="monitoring_ts_started"),
            models.Index(fields=["latest_on"], name="monitoring_ts_latest"),
            models.Index(fields=["team_id", "started_on"], name="monitoring_ts_team"),
            # A republish asks for the districts that changed (published.py, parts).
            models.Index(fields=["district_id", "started_on"], name="monitoring_ts_district"),
            models.Index(fields=["district_id", "latest_on"], name="monitoring_ts_dlatest"),
        ]

    def __str__(self) -> str:
        return f"TrajectorySummary {self.pk}"


class MeasurementFact(Scoped):
    """One row per confirmed measurement."""

    measurement_id = models.BigIntegerField(primary_key=True)
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    measured_on = models.DateField()
    young = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["measured_on"], name="monitoring_mf_measured"),
            models.Index(fields=["team_id", "measured_on"], name="monitoring_mf_team"),
            models.Index(fields=["district_id", "measured_on"], name="monitoring_mf_district"),
        ]

    def __str__(self) -> str:
        return f"MeasurementFact {self.pk}"


class ChipFact(Scoped):
    """One row per chosen domain of a confirmed measurement (the resident's chip)."""

    choice_id = models.BigIntegerField(primary_key=True)
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    measured_on = models.DateField()
    young = models.BooleanField()
    domain_key = models.CharField(max_length=40)
    position = models.SmallIntegerField()
    chip = models.SmallIntegerField(null=True)
    prioritised = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["measured_on"], name="monitoring_cf_measured"),
            models.Index(fields=["team_id", "measured_on"], name="monitoring_cf_team"),
            models.Index(fields=["district_id", "measured_on"], name="monitoring_cf_district"),
        ]

    def __str__(self) -> str:
        return f"ChipFact {self.pk}"


class ChipPair(Scoped):
    """One row per trajectory and domain chosen (with a resident's chip) in both the
    first and the latest of two or more confirmed measurements: the paired change."""

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    latest_on = models.DateField()
    young = models.BooleanField()
    domain_key = models.CharField(max_length=40)
    position = models.SmallIntegerField()
    change = models.SmallIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["latest_on"], name="monitoring_cp_latest"),
            models.Index(fields=["team_id", "latest_on"], name="monitoring_cp_team"),
            models.Index(fields=["district_id", "latest_on"], name="monitoring_cp_district"),
        ]

    def __str__(self) -> str:
        return f"ChipPair {self.pk}"


class GoalReviewFact(Scoped):
    """One row per goal review with a status, at a confirmed measurement."""

    review_id = models.BigIntegerField(primary_key=True)
    goal_id = models.BigIntegerField()
    measurement_id = models.BigIntegerField()
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    measured_on = models.DateField()
    young = models.BooleanField()
    status = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(fields=["measured_on"], name="monitoring_gf_measured"),
            models.Index(fields=["goal_id", "measured_on"], name="monitoring_gf_goal"),
            models.Index(fields=["team_id", "measured_on"], name="monitoring_gf_team"),
            models.Index(fields=["district_id", "measured_on"], name="monitoring_gf_district"),
        ]

    def __str__(self) -> str:
        return f"GoalReviewFact {self.pk}"


class SummaryVersion(models.Model):
    """One row whose number goes up whenever the summary tables change (in the same
    transaction): a cheap cache key for anything computed from them."""

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"summary version {self.version}"


# --- published figures (written and read by published.py) ---------------------------------


class PublishedCube(models.Model):
    """The suppressed figures of one scope and year, as of `built_at` (one row per scope
    and year, replaced by each publish that finds changed data)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", "municipality"
        ORGANISATION = "organisation", "organisation"
        TEAMS = "teams", "teams"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    scope_key = models.CharField(max_length=400)
    """The municipality's or organisation's id, or the sorted team ids joined by commas."""
    year = models.IntegerField()
    built_at = models.DateTimeField()
    data_version = models.CharField(max_length=32)
    """Was the scope's data version; since the change log (`FigureChange`) the build."""
    all_data_version = models.CharField(max_length=40, default="")
    """Was all data's version; no longer written or read (the change log replaced it)."""
    build_seconds = models.FloatField(default=0)
    cell_count = models.IntegerField(default=0)
    build = models.CharField(max_length=32, default="")
    """Which publish wrote it: its slices carry the same value."""
    changes_seen = models.BigIntegerField(default=0)
    """The last `FigureChange` of everything it was built after: a newer one -> rebuilt.
    (Changes of this scope and year are deleted from the log when it is built, so any
    left over mean rebuild.)"""
    quarters = models.PositiveSmallIntegerField(default=0)
    """How many quarters of the year had begun when it was built (a new one -> rebuilt)."""
    payload = models.BinaryField()
    """The `Cube` without its cells as zlib-compressed JSON (see `dump_meta`); the cells
    are in its slices."""
    parted = models.BooleanField(default=False)
    """Its unsuppressed figures are stored per district (`PublishedPart`), so a change
    in a few districts is republished by asking for those districts only."""
    hidden = models.BinaryField(default=b"")
    """Per cell it did not show, a keyed digest of the count and what its label said
    (`previous.remember`): the next publish compares against it (ADR 0012)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope_key", "year"], name="monitoring_published_scope_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope_key} {self.year} ({self.built_at:%Y-%m-%d %H:%M})"


class PublishedSlice(models.Model):
    """The cells of one period, area and age group of a published cube: a page reads
    the few slices it shows, not the whole cube (which has ~10^5 cells)."""

    cube = models.ForeignKey(PublishedCube, on_delete=models.CASCADE, related_name="slices")
    build = models.CharField(max_length=32)
    period = models.IntegerField()
    area = models.CharField(max_length=40)
    """"all", "d:<district id>" or "t:<team id>" (see `area_code`)."""
    age = models.CharField(max_length=8)
    payload = models.BinaryField()
    """The cells as zlib-compressed JSON: [family, item, residents, values, suppressed]."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cube", "build", "age", "area", "period"],
                name="monitoring_published_slice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cube} {self.period} {self.area} {self.age}"


class FigureChange(models.Model):
    """The change log: a change that can alter the published figures of a scope and year,
    written in the transaction of the change (a confirmed or corrected measurement, a
    record of not filled in, a trajectory opened or closed, a goal status, a resident
    whose birth date or district changed, an erasure, an import). Insert-only, so
    concurrent writers never wait for each other on a hot row; the version of a scope and
    year is the set of its rows. The publisher compacts it: once it has published a scope
    and year it deletes the rows it read before building (a row committed meanwhile
    stays, whatever its id, so no change is lost). `kind` "*" marks a change of
    everything (a rebuilt summary): every scope and year is republished."""

    EVERYTHING = "*"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20)
    """A `PublishedCube.Kind`, or EVERYTHING."""
    scope_key = models.CharField(max_length=400)
    year = models.IntegerField()
    part = models.BigIntegerField(null=True)
    """The district of the residents whose figures changed (the part of the scope's
    figures to ask for again, `PublishedPart`); None: the whole scope and year."""

    class Meta:
        indexes = [
            models.Index(fields=["kind", "scope_key", "year", "id"], name="monitoring_change_scope")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope_key} {self.year} #{self.id}"


class PublishedPart(models.Model):
    """The unsuppressed figures of a published cube that count the residents of one
    district (every cell's count and distinct residents add up over the districts: a
    resident lives in one). Not shown to anyone: the publisher keeps them so that a
    change in a few districts is republished by asking for those districts only and
    adding the stored rest (published.py). Written with the cube, in its transaction."""

    cube = models.ForeignKey(PublishedCube, on_delete=models.CASCADE, related_name="parts")
    district_id = models.BigIntegerField()
    payload = models.BinaryField()
    """zlib-compressed JSON of the figures (see `parts.dump_part`)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cube", "district_id"], name="monitoring_published_part"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cube} district {self.district_id}"


class PublishedFigures(models.Model):
    """The dashboard's figures of one selection of a published cube (the whole scope, or
    a district's or team's year), rendered by the publish run that built it
    (`fragments.warm`), so the first view after a publish on any app server finds them
    rendered. Keyed like the per-process figures cache (`fragments.figures_key`); holds
    only what the dashboard shows everyone with that scope: published, suppressed
    figures and their labels. Replaced with the cube."""

    cube = models.ForeignKey(PublishedCube, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField(max_length=100, unique=True)
    html = models.TextField()
    """The figures, with `fragments.AS_OF_MARK` where `as_of` goes."""
    as_of = models.TextField(blank=True, default="")
    """When the figures were published, as the figures say it."""
    selection = models.CharField(max_length=64, blank=True, default="")
    """The selection, whatever the build (`fragments.selection_key`)."""
    digest = models.CharField(max_length=64, blank=True, default="")
    """What the figures show, but for when they were published (`fragments.report_digest`):
    the next publish keeps the HTML of a selection whose digest is the same."""

    def __str__(self) -> str:
        return f"{self.cube} figures {self.key}"
