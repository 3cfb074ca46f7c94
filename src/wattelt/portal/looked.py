"""Who looked at my file: the access log's records about the resident, in words the
resident reads (not the privacy officer's vocabulary).

Decisions (docs/portal.md):
- Staff are named (first and last name, as the issue allows), with their role and
  organisation: the resident knows their professional by name, and a name is what makes
  the log something they can question. A staff member whose account is gone shows by role.
- Refused attempts are shown, calmly worded ("tried to open ... and was stopped"): the
  resident learns that the door held, which is the point of the list.
- The resident's own looks are not listed one by one; the page says how many there were.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Organisation, Staff
from wattelt.residents.models import Resident

RESIDENT_ROLE = "resident"

WHAT: dict[str, str | Promise] = {
    "resident": _("your details"),
    "trajectory": _("your support"),
    "trajectories": _("your support"),
    "measurement": _("your board"),
    "goal": _("your goals"),
    "plan": _("your plan"),
    "not_filled_in": _("your board"),
    "consent": _("your permission to share"),
    "consents": _("your permissions to share"),
    "screening_item": _("your file"),
    "inzage": _("your request to see your data"),
    "erasure_request": _("your request to erase your data"),
}

DID: dict[str, str | Promise] = {
    "read": _("looked"),
    "search": _("searched"),
    "create": _("added something"),
    "change": _("changed something"),
    "delete": _("removed something"),
    "print": _("printed"),
    "export": _("exported"),
}

WHY: dict[str, str | Promise] = {
    "care": _("for your support"),
    "dossier screening": _("to check the quality of the work"),
    "avg-inzage": _("for your request to see your data"),
    "avg-erasure": _("for your request to erase your data"),
    "privacy": _("to protect your privacy"),
    "monitoring": _("for anonymous figures"),
}

ROLE: dict[str, str | Promise] = {
    "professional": _("professional"),
    "teamcoach": _("team coach"),
    "quality_officer": _("quality officer"),
    "organisation_admin": _("administrator"),
    "privacy_officer": _("privacy officer"),
    "municipality_analyst": _("analyst"),
    "admin": _("administrator"),
    "staff": _("staff member"),
    "api": _("a connected system"),
}


@dataclass(frozen=True)
class Look:
    record: AccessLog
    who: str
    role: str
    organisation: str
    did: str
    what: str
    why: str

    @property
    def refused(self) -> bool:
        return self.record.outcome == AccessLog.Outcome.REFUSED


def others_looks(resident: Resident) -> QuerySet[AccessLog]:
    """Everyone's looks at the resident's data but the resident's own, newest first."""
    return AccessLog.objects.owned_by(resident).exclude(role=RESIDENT_ROLE).order_by("-at", "-id")


def own_look_count(resident: Resident) -> int:
    return AccessLog.objects.owned_by(resident).filter(role=RESIDENT_ROLE).count()


def _words(table: dict[str, str | Promise], code: str, default: str | Promise) -> str:
    return str(table.get(code, default))


def in_words(records: list[AccessLog]) -> list[Look]:
    """Each record with who, what and why in words, in two queries for names."""
    staff = {
        s.pk: s for s in Staff.objects.filter(pk__in={r.user_id for r in records if r.user_id})
    }
    organisations = {
        o.pk: o.name
        for o in Organisation.objects.filter(
            pk__in={r.organisation_id for r in records if r.organisation_id}
        )
    }
    looks = []
    for record in records:
        roles = [code for code in record.role.split(",") if code]
        role = ", ".join(_words(ROLE, code, _("staff member")) for code in roles)
        person = staff.get(record.user_id) if record.user_id else None
        name = (person.get_full_name() or person.username) if person else ""
        looks.append(
            Look(
                record=record,
                who=name or role or str(_("a staff member")),
                role=role,
                organisation=organisations.get(record.organisation_id or 0, ""),
                did=_words(DID, record.action, _("looked")),
                what=_words(WHAT, record.object_type, _("your file")),
                why=_words(WHY, record.purpose, _("for your support")),
            )
        )
    return looks
