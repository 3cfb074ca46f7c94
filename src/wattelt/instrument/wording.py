"""The catalogue in the resident's language and wording: the one way every screen gets a
domain's label and explanation (`domain_text`, and the template tags in
templatetags/catalogue.py).

Two wordings map to the same domains, so monitoring stays comparable: the adult one and
one for young people of 12-17 (school first, "Opvoeding" as home and parents). A
measurement uses the wording of the resident's age on its date unless the professional
chose the other (`Measurement.wording`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wattelt.residents.language import DEFAULT
from wattelt.residents.models import Resident

from .models import Domain, Measurement

ADULT, YOUTH = "adult", "youth"
WORDINGS = (ADULT, YOUTH)
YOUTH_FROM, YOUTH_UNTIL = 12, 18
"""Young people's wording from the 12th birthday until the 18th."""


@dataclass(frozen=True)
class DomainText:
    label: str
    explanation: str
    language: str
    checked: bool
    """False when a native speaker should still check this language's text."""


def wording_for(measurement: Measurement) -> str:
    """The professional's choice, else by the resident's age on the measurement's date."""
    if measurement.wording in WORDINGS:
        return measurement.wording
    return wording_by_age(measurement.trajectory.resident, measurement.measured_on)


def wording_by_age(resident: Resident, day: dt.date) -> str:
    """The wording of the resident's age on that day."""
    age = resident.age_on(day)
    return YOUTH if YOUTH_FROM <= age < YOUTH_UNTIL else ADULT


def current_language() -> str:
    return (get_language() or DEFAULT).split("-")[0]


def _pick(texts: dict[str, str], youth_texts: dict[str, str], language: str, youth: bool) -> str:
    """In the language first (the youth wording, else the adult one), then in Dutch."""
    for code in (language, DEFAULT):
        if youth and youth_texts.get(code):
            return youth_texts[code]
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), "")


def domain_text(domain: Domain, language: str | None = None, wording: str = ADULT) -> DomainText:
    """A domain's label and explanation for (language, wording); the current language
    when none is given."""
    code = language or current_language()
    youth = wording == YOUTH
    return DomainText(
        label=_pick(domain.labels, domain.youth_labels or {}, code, youth),
        explanation=_pick(domain.explanations, domain.youth_explanations or {}, code, youth),
        language=code,
        checked=code not in (domain.unchecked_languages or []),
    )


def in_wording_order(domains: Iterable[Domain], wording: str) -> list[Domain]:
    """The cards in the order of the wording (young people: school first)."""
    if wording != YOUTH:
        return sorted(domains, key=lambda d: d.position)
    return sorted(domains, key=lambda d: (d.youth_position or d.position, d.position))


def choose_wording(measurement: Measurement, wording: str) -> Measurement:
    """The professional switches the wording of a draft ("" goes back to the age rule).
    A confirmed measurement keeps the words it was made in."""
    if wording not in ("", *WORDINGS):
        raise ValidationError({"wording": _("This wording does not exist.")})
    if not measurement.is_draft:
        raise ValidationError(_("A confirmed measurement keeps its wording."))
    if measurement.wording != wording:
        measurement.wording = wording
        measurement.save(update_fields=["wording"])
    return measurement
