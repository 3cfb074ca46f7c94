"""Who may handle data-subject requests: the one access rule of this app.

Only a privacy officer, and only for residents of their own organisation. Every view
reaches residents through `residents_handled_by` and erasure requests through
`ErasureRequest.objects.handled_by`, which both rest on `privacy_organisation_id`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wattelt.organisations import roles
from wattelt.organisations.models import Staff
from wattelt.residents.models import Resident, ResidentQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def privacy_organisation_id(user: Staff | AnonymousUser) -> int | None:
    """The organisation whose residents this user handles requests for, or None."""
    if not isinstance(user, Staff) or not roles.is_privacy_officer(user):
        return None
    return user.organisation_id


def residents_handled_by(user: Staff | AnonymousUser) -> ResidentQuerySet:
    organisation_id = privacy_organisation_id(user)
    if organisation_id is None:
        return Resident.objects.none()
    return Resident.objects.filter(organisation_id=organisation_id)
