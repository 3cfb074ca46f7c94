"""The resident's menu in Mijn Wat telt: (section, URL name, label), in this order. Each
part of the portal adds its own line; templates/portal/base.html shows them."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MENU: list[tuple[str, str, str | Promise]] = [
    ("home", "portal:home", _("Home")),
    # The resident's own pages (helper "pages")
    ("plan", "portal:plan", _("My plan")),
    ("progress", "portal:progress", _("How it is going")),
    ("prepare", "portal:prepare", _("Prepare")),
    ("looked", "portal:looked", _("Who looked")),
    ("consents", "portal:consents", _("Sharing")),
    ("feedback", "portal:feedback", pgettext_lazy("Mijn Wat telt", "Your opinion")),
    ("privacy", "portal:privacy", _("Privacy")),
]
