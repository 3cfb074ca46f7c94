"""A demo invitation to Mijn Wat telt with a fixed link and code, so a person trying
`make run` can sign in as a resident (seed_demo prints it). Development only."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from wattelt.residents.models import Resident, Trajectory

from .invitations import token_hash, too_young
from .models import Invitation

DEMO_TOKEN = "demo-inwoner"
DEMO_CODE = "246810"


def demo_invitation() -> Resident | None:
    """A fresh open invitation (DEMO_TOKEN, DEMO_CODE) for the first adult demo resident
    with an open trajectory; None without demo data."""
    trajectories = Trajectory.objects.filter(ended_on=None).select_related(
        "resident__organisation", "responsible"
    )
    for trajectory in trajectories.order_by("pk")[:50]:
        resident = trajectory.resident
        if not too_young(resident):
            break
    else:
        return None
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(token_hash=token_hash(DEMO_TOKEN)).delete()
        Invitation.objects.owned_by(resident).open().update(voided_at=now)
        Invitation.objects.create(
            resident=resident,
            token_hash=token_hash(DEMO_TOKEN),
            code_hash=make_password(DEMO_CODE),
            created_by=trajectory.responsible,
            expires_at=now + dt.timedelta(days=settings.PORTAL_INVITATION_DAYS),
        )
    return resident
