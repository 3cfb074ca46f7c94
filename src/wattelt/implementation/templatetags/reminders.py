"""`{% start_missing_badge trajectory %}`: the "start measurement missing" signal for any
list of trajectories (the professional's start page), from the trajectory's own fields."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wattelt.organisations.models import Organisation, Team
from wattelt.residents.models import Trajectory

from .. import services

register = template.Library()
GRACE_CACHE = "implementation_grace_days"


def _grace_days(context: template.Context, team: Team) -> int:
    """The organisation's grace period: from the loaded organisation if the list
    selected it, else looked up once per organisation per rendering."""
    if Team._meta.get_field("organisation").is_cached(team):
        return team.organisation.start_measurement_grace_days
    cache: dict[int, int] | None = context.render_context.get(GRACE_CACHE)
    if cache is None:
        cache = context.render_context[GRACE_CACHE] = {}
    if team.organisation_id not in cache:
        cache[team.organisation_id] = (
            Organisation.objects.filter(pk=team.organisation_id)
            .values_list("start_measurement_grace_days", flat=True)
            .get()
        )
    return cache[team.organisation_id]


@register.simple_tag
def start_missing_mark() -> str:
    """The "start measurement missing" badge itself (the team's list knows the state)."""
    return format_html(
        '<span class="badge badge--overdue">{}</span>', _("start measurement missing")
    )


@register.simple_tag(takes_context=True)
def start_missing_badge(context: template.Context, trajectory: Trajectory) -> str:
    """The badge, or nothing. Built here, not from a template of its own: it is asked
    once per row of the start page's list."""
    if not services.start_missing(trajectory, _grace_days(context, trajectory.team)):
        return ""
    return start_missing_mark()
