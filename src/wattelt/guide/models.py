"""The organisation's own frequently asked questions, and who changed them when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wattelt.organisations.models import Organisation, Role, Staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class FaqQuerySet(models.QuerySet["FaqEntry"]):
    """The access rules for the FAQ, in one place."""

    def visible_to(self, user: Staff | AnonymousUser) -> FaqQuerySet:
        """Every staff member reads their own organisation's questions, no other's."""
        if not isinstance(user, Staff) or user.organisation_id is None:
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def managed_by(self, user: Staff | AnonymousUser) -> FaqQuerySet:
        """Only the organisation admin edits them."""
        if not may_manage_faq(user):
            return self.none()
        return self.visible_to(user)


def may_manage_faq(user: Staff | AnonymousUser) -> bool:
    return (
        isinstance(user, Staff)
        and user.organisation_id is not None
        and user.has_role(Role.Name.ORGANISATION_ADMIN)
    )


class FaqEntry(models.Model):
    """A question and its answer, plain text (shown escaped; blank lines make
    paragraphs and web addresses become links)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="faq_entries"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), max_length=5000)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FaqQuerySet.as_manager()

    class Meta:
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["organisation", "position"])]

    def __str__(self) -> str:
        return self.question


class FaqChange(models.Model):
    """One change to the FAQ: who, when, what. Append-only; kept when the entry goes."""

    class Action(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        MOVED = "moved", _("moved")
        DELETED = "deleted", _("deleted")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="faq_changes"
    )
    entry = models.ForeignKey(
        FaqEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    question = models.CharField(_("question"), max_length=300)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("FAQ change")
        verbose_name_plural = _("FAQ changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.question} ({self.action})"
