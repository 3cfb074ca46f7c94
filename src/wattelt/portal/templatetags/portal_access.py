"""The resident page's panel about Mijn Wat telt: `{% portal_access_panel resident %}`.
A template tag, so the residents app needs no import of the portal."""

from __future__ import annotations

from typing import Any

from django import template

from wattelt.portal import invitations
from wattelt.portal.staff import may_manage_access

register = template.Library()


@register.inclusion_tag("portal/_portal_access.html", takes_context=True)
def portal_access_panel(context: dict[str, Any], resident: Any) -> dict[str, Any]:
    user = context["request"].user
    manages = may_manage_access(user, resident)
    return {
        "resident": resident,
        "manages": manages,
        "access": invitations.portal_access(resident) if manages else None,
        "too_young": invitations.too_young_message(resident)
        if manages and invitations.too_young(resident)
        else "",
        "csrf_token": context.get("csrf_token"),
    }
