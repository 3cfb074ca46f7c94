"""Invitations to Mijn Wat telt, handed over in person: a link (QR code) and a 6-digit
code the professional reads out. Single use, valid `PORTAL_INVITATION_DAYS` days, stored
hashed, and throttled: `MAX_WRONG_CODES` wrong codes void the invitation, and one address
may try at most `ADDRESS_ATTEMPTS` codes per `ADDRESS_WINDOW` seconds (Django's cache).
A new invitation voids the resident's earlier open ones; using it revokes the passkeys
registered before (a lost phone)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wattelt.organisations.models import Staff
from wattelt.organisations.policy import policy_for_id
from wattelt.residents.models import Resident

from .models import Invitation, LastSignIn, Passkey

MAX_WRONG_CODES = 5
ADDRESS_ATTEMPTS = 20
ADDRESS_WINDOW = 15 * 60
CODE_DIGITS = 6


class InvitationRefused(Exception):
    """Why an invitation cannot be made or used; the message is for the person."""


@dataclass(frozen=True)
class NewInvitation:
    """The invitation with its secrets, shown once and never stored."""

    invitation: Invitation
    token: str
    code: str


def token_hash(token: str) -> str:
    """What is stored of a link's token: its SHA-256 (the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def minimum_age(resident: Resident) -> int:
    return policy_for_id(resident.organisation_id).portal_minimum_age


def too_young(resident: Resident, today: dt.date | None = None) -> bool:
    return resident.age_on(today or timezone.localdate()) < minimum_age(resident)


def too_young_message(resident: Resident) -> str:
    return _(
        "Residents can be invited to Mijn Wat telt from the age of %(age)s (the "
        "organisation's setting); %(name)s is younger."
    ) % {"age": minimum_age(resident), "name": resident.first_name}


def invite(resident: Resident, by: Staff) -> NewInvitation:
    """A new invitation for the resident; any earlier open one stops working."""
    if too_young(resident):
        raise InvitationRefused(too_young_message(resident))
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.owned_by(resident).open().update(voided_at=now)
        invitation = Invitation.objects.create(
            resident=resident,
            token_hash=token_hash(token),
            code_hash=make_password(code),
            created_by=by,
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.PORTAL_INVITATION_DAYS),
        )
    return NewInvitation(invitation, token, code)


def _behind(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("resident", "resident__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )


def why_closed(invitation: Invitation) -> str | None:
    """Why the invitation can no longer be used ("used", "voided", "expired"), or None."""
    if invitation.used_at is not None:
        return "used"
    if invitation.voided_at is not None:
        return "voided"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return None


def invitation_for(token: str) -> Invitation:
    """The open invitation behind a link, or a refusal saying why it cannot be used."""
    invitation = _behind(token)
    if invitation is None:
        raise InvitationRefused(
            _("This invitation does not exist. Check the link, or ask your professional.")
        )
    closed = why_closed(invitation)
    if closed == "used":
        raise InvitationRefused(
            _("This invitation has already been used. Ask your professional for a new one.")
        )
    if closed == "voided":
        raise InvitationRefused(
            _("This invitation no longer works. Ask your professional for a new one.")
        )
    if closed == "expired":
        raise InvitationRefused(
            _("This invitation has expired. Ask your professional for a new one.")
        )
    return invitation


class NotTheirs(Exception):
    """The token belongs to another resident's invitation (shown as not found)."""

    def __init__(self, invitation: Invitation) -> None:
        super().__init__(invitation.pk)
        self.invitation = invitation


def open_invitation_of(resident: Resident, token: str) -> Invitation:
    """For the professional's print: the resident's open invitation behind the token.
    Refused (a message for the professional) when it does not exist or is used, voided
    or expired; `NotTheirs` when it is another resident's."""
    invitation = _behind(token) if token else None
    if invitation is None:
        raise InvitationRefused(
            _("This invitation does not exist. Make a new invitation for the resident.")
        )
    if invitation.resident_id != resident.pk:
        raise NotTheirs(invitation)
    closed = why_closed(invitation)
    if closed == "used":
        raise InvitationRefused(
            _("This invitation has already been used. Make a new one if the resident needs it.")
        )
    if closed == "voided":
        raise InvitationRefused(
            _("This invitation no longer works (a newer one replaced it). Make a new one.")
        )
    if closed == "expired":
        raise InvitationRefused(_("This invitation has expired. Make a new one."))
    return invitation


def open_invitation(pk: object) -> Invitation | None:
    """The invitation whose code was confirmed in this session, while it is still open."""
    if not isinstance(pk, int):
        return None
    return Invitation.objects.open().select_related("resident").filter(pk=pk).first()


def _address_key(address: str) -> str:
    return f"portal-invitation-codes:{address}"


def check_code(invitation: Invitation, code: str, address: str) -> None:
    """Accept the right code; count a wrong one (the fifth voids the invitation) and
    refuse an address that tried too many codes lately."""
    key = _address_key(address)
    cache.add(key, 0, ADDRESS_WINDOW)
    if cache.incr(key) > ADDRESS_ATTEMPTS:
        raise InvitationRefused(_("Too many attempts. Wait a quarter of an hour and try again."))
    if check_password(code.strip(), invitation.code_hash):
        return
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(wrong_codes=F("wrong_codes") + 1)
        invitation.refresh_from_db(fields=["wrong_codes"])
        if invitation.wrong_codes >= MAX_WRONG_CODES:
            Invitation.objects.filter(pk=invitation.pk).update(voided_at=timezone.now())
    if invitation.wrong_codes >= MAX_WRONG_CODES:
        raise InvitationRefused(
            _(
                "The code was wrong too often, so this invitation no longer works. "
                "Ask your professional for a new one."
            )
        )
    left = MAX_WRONG_CODES - invitation.wrong_codes
    raise InvitationRefused(
        _("That code is not right. Check the 6 digits and try again (%(left)s tries left).")
        % {"left": left}
    )


def use(invitation: Invitation) -> Invitation:
    """Mark the invitation used (once: a second use is refused) and revoke the passkeys
    registered before it. Call inside the transaction that stores the new passkey."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, used_at=None, voided_at=None, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        raise InvitationRefused(
            _("This invitation has already been used. Ask your professional for a new one.")
        )
    Passkey.objects.owned_by(invitation.resident).active().update(revoked_at=now)
    invitation.used_at = now
    return invitation


def revoke_access(resident: Resident) -> int:
    """The professional ends the resident's portal access: every passkey is revoked and
    open invitations stop working. Returns the number of passkeys revoked."""
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.owned_by(resident).open().update(voided_at=now)
        return Passkey.objects.owned_by(resident).active().update(revoked_at=now)


@dataclass(frozen=True)
class PortalAccess:
    """What the professional sees about the resident's access to Mijn Wat telt."""

    passkeys: int
    last_sign_in: dt.datetime | None
    open_invitation: Invitation | None


def note_sign_in(resident: Resident, method: str) -> None:
    LastSignIn.objects.update_or_create(
        resident=resident, defaults={"at": timezone.now(), "method": method}
    )


def portal_access(resident: Resident) -> PortalAccess:
    last = LastSignIn.objects.filter(resident=resident).first()
    return PortalAccess(
        passkeys=Passkey.objects.owned_by(resident).active().count(),
        last_sign_in=last.at if last else None,
        open_invitation=Invitation.objects.owned_by(resident)
        .open()
        .order_by("-created_at")
        .first(),
    )
