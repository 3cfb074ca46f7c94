"""The access log (NEN 7513): append-only, one record per look at resident data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import vocabulary

# The ids of an organisation's residents, as a subquery. The log names residents by id only
# and knows no domain: the residents app fills this in its AppConfig.ready().
_residents_of_organisation: list[Callable[[int], models.QuerySet[Any]]] = []


def register_residents_of_organisation(residents_of: Callable[[int], models.QuerySet[Any]]) -> None:
    _residents_of_organisation[:] = [residents_of]


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def visible_to(self, user: Any) -> AccessLogQuerySet:
        """The privacy officer sees what their organisation's staff did and every look at
        their organisation's residents, also by specialists of other organisations."""
        from wattelt.organisations.models import Role

        if not user.is_authenticated or not user.has_role(Role.Name.PRIVACY_OFFICER):
            return self.none()
        if not _residents_of_organisation:
            raise ImproperlyConfigured("No app registered the residents of an organisation.")
        residents = _residents_of_organisation[0](user.organisation_id)
        return self.filter(
            models.Q(organisation_id=user.organisation_id) | models.Q(resident_id__in=residents)
        )

    def owned_by(self, resident: Any) -> AccessLogQuerySet:
        """Every look at this resident's data, for their own "who looked at my file"."""
        return self.filter(resident_id=resident.pk)


def refusals_per_user(records: AccessLogQuerySet, limit: int = 20) -> list[dict[str, object]]:
    """Who was refused how often within these records, most first: snooping shows up
    as many refused looks by one user."""
    refused = records.filter(outcome=AccessLog.Outcome.REFUSED)
    counts = refused.values("username").annotate(refused=models.Count("id"))
    return list(counts.order_by("-refused", "username")[:limit])


class AccessLog(models.Model):
    class Action(models.TextChoices):
        READ = "read", _("read")
        SEARCH = "search", _("search")
        CREATE = "create", _("create")
        CHANGE = "change", _("change")
        DELETE = "delete", _("delete")
        PRINT = "print", _("print")
        EXPORT = "export", _("export")

    class Outcome(models.TextChoices):
        SUCCESS = "success", pgettext_lazy("access log outcome", "allowed")
        REFUSED = "refused", pgettext_lazy("access log outcome", "refused")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Plain ids and names, not foreign keys: the log must outlive erasure of what it names.
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=40, blank=True)
    on_behalf_of = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    resident_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    purpose = models.CharField(max_length=80, default="care")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SUCCESS)
    client_address = models.GenericIPAddressField(null=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log record")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("The access log is append-only.")

    @property
    def role_words(self) -> str:
        return vocabulary.role_words(self.role)

    @property
    def object_words(self) -> str:
        return vocabulary.object_words(self.object_type)

    @property
    def purpose_words(self) -> str:
        return vocabulary.purpose_words(self.purpose)

    @property
    def is_refused(self) -> bool:
        return self.outcome == self.Outcome.REFUSED
