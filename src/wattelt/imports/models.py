"""An import of historic measurements: the uploaded file, its state and progress, and
the problems found. Kept in the database, so the screen survives a reload and the work
survives a restart of the app server (the worker is `manage.py run_imports`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Organisation, Staff


class ImportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        # Imported and committed; the derived figures (monitoring summary, change log,
        # adoption summary) are being brought up to date (`derived.finish`).
        DERIVING = "deriving", _("updating the figures")
        CHECKED = "checked", _("checked, nothing saved")
        DONE = "done", _("imported")
        REFUSED = "refused", _("problems found, nothing saved")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    dry_run = models.BooleanField(_("check only"), default=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # [{"row": 3, "field": "wonen_inwoner", "message": "..."}], in Dutch.
    problems = models.JSONField(default=list)
    imported = models.PositiveIntegerField(default=0)
    # The pending marker of the derived phase: the measurement ids the bulk way wrote
    # (state DERIVING), set in the import's own transaction.
    derive_from = models.BigIntegerField(null=True, blank=True)
    derive_to = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def busy(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING, self.State.DERIVING)
