"""A preparation counts nowhere until it is confirmed in the conversation: not in the
monitoring summary (which the dashboards, the cube and the published figures read), not in
adoption or its registration rate, not in the API's metingen, not in the research export.
The measurement confirmed from it counts like any other."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import Caller, own  # noqa: F401 (the API client fixture)
from tests.conftest import board_data, staff_with_role
from tests.monitoring.test_summary import summary_rows
from wattelt.implementation import adoption
from wattelt.instrument import services
from wattelt.instrument.forms import ChoiceInput
from wattelt.instrument.preparation import PreparationInput, open_together, save_preparation
from wattelt.monitoring.research import research_measurements
from wattelt.organisations.models import Role

pytestmark = pytest.mark.django_db


def figures(organisation, api: Caller, quinn) -> dict[str, Any]:
    today = timezone.localdate()
    counts = adoption.adoption_counts(organisation, today - dt.timedelta(days=400), today)
    return {
        "summary": summary_rows(),
        "adoption": sorted((key, repr(c)) for key, c in counts.items()),
        "api": api.get("/api/v1/metingen").json(),
        "research": list(research_measurements(quinn, None).values_list("pk", flat=True)),
    }


def test_a_preparation_counts_nowhere_until_confirmed(
    trajectory,
    alice,
    organisation,
    own: Caller,  # noqa: F811
):
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    before = figures(organisation, own, quinn)
    choices = {"wonen": ChoiceInput(resident=30), "geld": ChoiceInput(resident=70)}
    preparation = save_preparation(trajectory, PreparationInput(choices, "Huur"), send=True)
    assert figures(organisation, own, quinn) == before
    draft = open_together(preparation, alice)
    assert figures(organisation, own, quinn) == before  # a draft does not count either
    data = board_data(
        draft,
        chosen=["wonen", "geld"],
        chip__resident__wonen=30,
        chip__resident__geld=70,
        quality_of_life=6,
        goal__0__own_words="Rust over geld",
        goal__0__domains=["geld"],
    )
    confirmed = services.confirm_measurement(draft, alice, data)
    after = figures(organisation, own, quinn)
    assert after["research"] == [confirmed.pk]
    assert after["summary"] != before["summary"] and after["adoption"] != before["adoption"]
    assert before["api"]["count"] == 0 and after["api"]["count"] == 1
