"""The board offers only the views the organisation uses (here: no carer's view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in
from wattelt.instrument.models import Measurement
from wattelt.organisations.models import OrganisationPolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_without_the_carers_view(page, base_url, trajectory, alice, organisation):
    OrganisationPolicy.objects.create(organisation=organisation, carer_view=False)
    log_in(page, base_url, "alice", reverse("instrument:progress", args=[trajectory.pk]))
    page.click("button[value=start]")
    page.wait_for_url("**/metingen/**")
    assert page.locator("label.perspective--carer").count() == 0
    page.click("label[data-card=wonen]")
    page.click("[data-row=wonen] [data-track]", position={"x": 20, "y": 20})
    page.click("label.perspective--professional")
    page.click("[data-row=wonen] [data-track]", position={"x": 300, "y": 20})
    page.click("label.grade:has-text('7')")
    page.click("button[data-confirm]")
    page.wait_for_url("**/trajecten/**")
    choice = Measurement.objects.get(trajectory=trajectory).choices.get()
    assert choice.resident_chip is not None and choice.resident_chip < 33
    assert choice.professional_chip is not None and choice.carer_chip is None
