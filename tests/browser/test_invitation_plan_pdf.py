"""The invitation screen's "Plan met uitnodiging (PDF)" button in Chromium: it posts the
token and the plan PDF comes back; the screen on a tablet and a phone (touch), axe clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import PHONE, TABLET, assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_invitation_screen_prints_the_plan_with_the_invitation(
    contexts, base_url, alice, resident, trajectory, shot
):
    for name, viewport, touch in (("tablet", TABLET, False), ("phone", PHONE, True)):
        page: Page = contexts.new_page(viewport=viewport, touch=touch)
        log_in(page, base_url, "alice")
        page.goto(f"{base_url}/inwoners/{resident.pk}/")
        page.locator(".portal-access form[action$='/uitnodigen/'] button").click()
        button = page.get_by_role("button", name="Plan met uitnodiging (PDF)")
        assert button.bounding_box()["height"] >= 44  # type: ignore[index]
        assert_accessible(page)
        shot(page, f"invitation-screen-{name}")
        with page.context.expect_event(
            "response", lambda r: "plan-met-uitnodiging" in r.url
        ) as printed:
            button.click()
        response = printed.value
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
