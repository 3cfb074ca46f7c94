"""A note on another app's page (e.g. the progress page) that shared screening findings
about this trajectory are waiting: `{% load screening %}{% screening_findings trajectory %}`."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import ScreeningItem

register = template.Library()


@register.inclusion_tag("screening/_trajectory_findings.html", takes_context=True)
def screening_findings(context: dict[str, Any], trajectory: Any) -> dict[str, object]:
    """Shared findings about the trajectory that the user may read (responsible
    professional, team coach); nothing for anyone else and nothing before sharing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or trajectory is None:
        return {"shared": 0, "open": 0}
    items = ScreeningItem.objects.shared_with(user).filter(trajectory=trajectory)
    counts = list(items.values_list("discussed_at", flat=True))
    return {"shared": len(counts), "open": sum(1 for at in counts if at is None)}
