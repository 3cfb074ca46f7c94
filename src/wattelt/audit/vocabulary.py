"""The words the access log viewer shows for the codes in the log.

The log stores short codes (they outlive renamed screens and are what an export
carries); people read words. Unknown codes are shown as they are."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OBJECT_TYPES: dict[str, str | Promise] = {
    "resident": _("resident"),
    "trajectory": _("trajectory"),
    "trajectories": _("trajectories"),
    "measurement": _("measurement"),
    "preparation": _("preparation of the next conversation"),
    "goal": _("goal"),
    "plan": _("plan"),
    "not_filled_in": _("not filled in"),
    "consent": _("consent"),
    "consents": _("consents of a trajectory"),
    "screening_item": _("screened dossier"),
    "screening_round": _("screening round"),
    "erasure_request": _("erasure request"),
    "erasure_requests": _("erasure requests"),
    "inzage": _("access request (inzage)"),
    "access_log": _("access log"),
    "dashboard": _("monitoring figures"),
    "research_export": _("research export"),
    "portal_invitation": _("invitation to Mijn Wat telt"),
    "portal_access": _("access to Mijn Wat telt"),
    "passkey": _("passkey for Mijn Wat telt"),
}

ROLES: dict[str, str | Promise] = {
    "professional": _("professional"),
    "teamcoach": _("team coach"),
    "quality_officer": _("quality officer"),
    "organisation_admin": _("organisation administrator"),
    "privacy_officer": _("privacy officer"),
    "municipality_analyst": _("municipality analyst"),
    "admin": _("technical administrator"),
    "staff": _("staff member"),
    "resident": _("the resident themself"),
}

PURPOSES: dict[str, str | Promise] = {
    "own view": _("the resident's own view (Mijn Wat telt)"),
    "care": _("care"),
    "monitoring": _("monitoring"),
    "privacy": _("privacy"),
    "dossier screening": _("dossier screening"),
    "avg-inzage": _("access request (AVG)"),
    "avg-erasure": _("erasure request (AVG)"),
}


def object_words(code: str) -> str:
    return str(OBJECT_TYPES.get(code, code))


def role_words(codes: str) -> str:
    """ "professional,teamcoach" → "professional, team coach" in the current language."""
    return ", ".join(str(ROLES.get(code, code)) for code in codes.split(",") if code)


def purpose_words(code: str) -> str:
    return str(PURPOSES.get(code, code))
