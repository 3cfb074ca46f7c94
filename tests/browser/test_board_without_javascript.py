"""Progressive enhancement: with JavaScript switched off the board is a plain form that
records a complete start measurement (checkboxes, range inputs moved by keyboard, radio
buttons, text)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in
from wattelt.instrument.models import Measurement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_measurement_without_javascript(contexts, base_url, trajectory, alice, shot):
    page = contexts.new_page(javascript=False)
    log_in(page, base_url, "alice", reverse("instrument:progress", args=[trajectory.pk]))
    page.click("button[value=start]")
    page.wait_for_url("**/metingen/**")
    assert page.locator("[data-track]").first.is_hidden(), "the JavaScript line stays hidden"
    page.check("input[name=chosen][value=wonen]")
    page.check("input[name=chosen][value=geld]")
    page.focus("input[name=chip-resident-wonen]")
    page.keyboard.press("End")  # gaat goed
    page.focus("input[name=chip-resident-geld]")
    page.keyboard.press("Home")  # gaat niet goed
    page.check("input[name=placed-professional-geld]")
    page.focus("input[name=chip-professional-geld]")
    page.keyboard.press("End")
    page.check("input[name=priority][value=geld]")
    page.check("input[name=quality_of_life][value='6']", force=True)
    page.fill("textarea[name=goal-0-own_words]", "Ik wil van mijn schulden af")
    page.check("input[name=goal-0-domains][value=geld]")
    shot(page, "filled-in")
    page.click("button[value=confirm]")
    page.wait_for_url("**/trajecten/**")
    measurement = Measurement.objects.get(trajectory=trajectory)
    assert measurement.status == Measurement.Status.CONFIRMED
    chips = {
        c.domain.key: (c.resident_chip, c.professional_chip, c.prioritised)
        for c in measurement.choices.select_related("domain")
    }
    assert chips == {"wonen": (100, None, False), "geld": (0, 100, True)}
    assert measurement.quality_of_life == 6
    assert measurement.goals.get().own_words == "Ik wil van mijn schulden af"
