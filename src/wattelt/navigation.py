"""The main navigation: which screens each role finds in the header, in one place.

A link only helps when its page opens for the user; the pages check access themselves
(the permission matrix tests that), this list only decides what the header offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wattelt.organisations import roles as team_roles

PROFESSIONAL = "professional"
COACH = "teamcoach"
QUALITY = "quality_officer"
ADMIN = "organisation_admin"
PRIVACY = "privacy_officer"
ANALYST = "municipality_analyst"
EVERYONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str | Promise
    roles: frozenset[str] = EVERYONE  # empty: every logged-in staff member

    def offered_to(self, roles: set[str]) -> bool:
        return not self.roles or bool(self.roles & roles)


def _for(*roles: str) -> frozenset[str]:
    return frozenset(roles)


LINKS = [
    Link("start", _("Today"), _for(PROFESSIONAL, COACH)),
    Link("residents:register", _("New resident"), _for(PROFESSIONAL)),
    Link("implementation:team_reminders", _("Team reminders"), _for(COACH)),
    Link("monitoring:dashboard", _("Monitoring"), _for(COACH, QUALITY, ADMIN, ANALYST)),
    Link(
        "implementation:adoption", _("Use of Wat telt"), _for(PROFESSIONAL, COACH, QUALITY, ADMIN)
    ),
    Link("screening:rounds", _("Dossier screening"), _for(QUALITY)),
    Link("screening:my_findings", _("My screening findings"), _for(PROFESSIONAL, COACH)),
    Link(
        "implementation_plan:plan",
        _("Implementation plan"),
        _for(PROFESSIONAL, COACH, QUALITY, ADMIN),
    ),
    Link("feedback:start", _("Feedback"), _for(PROFESSIONAL, COACH)),
    Link("feedback:results", _("Feedback results"), _for(COACH, QUALITY, ADMIN)),
    Link("feedback:manage", _("Questionnaires"), _for(ADMIN)),
    Link("implementation:organisation_settings", _("Organisation settings"), _for(ADMIN)),
    Link("notifications:overview", _("Notifications"), _for(ADMIN)),
    Link("imports:list", _("Imports"), _for(ADMIN, QUALITY)),
    Link("api_clients:clients", _("API clients"), _for(ADMIN)),
    Link("audit:access_log", _("Access log"), _for(PRIVACY)),
    Link("privacy:start", _("Privacy requests"), _for(PRIVACY)),
    Link("guide:index", _("Help")),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: `nav_links` as (url, label, current) for the logged-in user,
    and `nav_search`: whether the header offers the resident search."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": [], "nav_search": False}
    roles = set(str(user.role_names).split(","))
    links = []
    for link in LINKS:
        if link.offered_to(roles):
            url = reverse(link.url_name)
            current = request.path == url or (url != "/" and request.path.startswith(url))
            links.append((url, link.label, current))
    # Only team members find residents; for the other roles a search is refused.
    return {"nav_links": links, "nav_search": team_roles.is_team_member(user)}
