"""The catalogue's words in templates, in the language being rendered:

    {% load catalogue %}
    {% domain_label domain wording %}        {% domain_explanation domain wording %}
    {% domain_text domain wording as text %}{{ text.label }} {{ text.explanation }}

`wording` is "adult" or "youth" (instrument.wording.wording_for(measurement)); omitted,
the adult wording.
"""

from __future__ import annotations

from django import template

from ..models import Domain
from ..wording import ADULT, DomainText
from ..wording import domain_text as text_of

register = template.Library()


@register.simple_tag
def domain_text(domain: Domain, wording: str = ADULT) -> DomainText:
    return text_of(domain, None, wording)


@register.simple_tag
def domain_label(domain: Domain, wording: str = ADULT) -> str:
    return text_of(domain, None, wording).label


@register.simple_tag
def domain_explanation(domain: Domain, wording: str = ADULT) -> str:
    return text_of(domain, None, wording).explanation
