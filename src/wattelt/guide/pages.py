"""The built-in guide: a few static pages, written from Movisie's implementation guide
(shared/seeds), in the templates guide/pages/<slug>.html."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Page:
    slug: str
    title: Promise
    summary: Promise

    @property
    def template(self) -> str:
        return f"guide/pages/{self.slug}.html"


PAGES = (
    Page(
        "introduceren",
        _("Introducing Wat telt to a resident"),
        _("Why you use it, how you start the conversation, and what to say."),
    ),
    Page(
        "het-bord",
        _("The board"),
        _("Domains, chips, priorities, the grade, and the views of professional and carer."),
    ),
    Page(
        "doelen",
        _("Goals in the resident's own words"),
        _("Write down the resident's words; make them concrete with questions."),
    ),
)
BY_SLUG = {page.slug: page for page in PAGES}
