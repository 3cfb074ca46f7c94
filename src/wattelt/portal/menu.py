"""The resident's menu in Mijn Wat telt: (section, URL name, label), in this order. Each
part of the portal adds its own line; templates/portal/base.html shows them."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MENU: list[tuple[str, str, str | Promise]] = [
    ("home", "portal:home", _("Home")),
    ("prepare", "portal:prepare", _("Prepare")),
    ("feedback", "portal:feedback", pgettext_lazy("Mijn Wat telt", "Your opinion")),
]
