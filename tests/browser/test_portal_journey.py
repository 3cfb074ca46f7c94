"""The resident's whole way through Mijn Wat telt, in Arabic, as issue 12 describes it:
the professional hands over an invitation → first sign-in with the code → a passkey on
the resident's phone → their plan in Arabic → a preparation at home → the professional
opens it together with the resident and confirms. Real sign-in (Playwright's virtual
authenticator), no planted session."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import TABLET, assert_accessible, log_in
from tests.browser.test_portal_prepare import open_together_and_confirm, place_chip
from tests.browser.test_portal_signin import invite, phone_with_passkeys, use_invitation
from tests.conftest import confirmed_measurement
from wattelt.instrument.models import Measurement, Preparation

pytestmark = pytest.mark.django_db(transaction=True)

TOPICS = "ارتفع إيجاري ولا أنام جيدًا."


def test_invitation_to_a_confirmed_board_in_arabic(contexts, base_url, trajectory, alice, shot):
    start = confirmed_measurement(trajectory, alice)  # wonen and geld, a goal on geld
    resident = trajectory.resident
    resident.language = "ar"
    resident.save(update_fields=["language"])

    professional = contexts.new_page(viewport=TABLET)
    log_in(professional, base_url, "alice")
    link, code = invite(professional, base_url, resident)

    phone = phone_with_passkeys(contexts)
    use_invitation(phone, link, code)  # the code, then a passkey: signed in
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")

    phone.goto(f"{base_url}{reverse('portal:plan')}")
    expect(phone.locator("html")).to_have_attribute("lang", "ar")
    expect(phone.locator("main")).to_contain_text(start.goals.get().own_words)
    assert_accessible(phone)
    shot(phone, "plan-ar-phone")

    phone.goto(f"{base_url}{reverse('portal:prepare')}")
    phone.locator("label[data-card=geld]").tap()  # not what matters this time
    chips = {"wonen": place_chip(phone, "wonen", 0.7)}
    phone.locator("#topics").fill(TOPICS)
    phone.locator("button[name=action][value=send]").tap()
    phone.wait_for_url("**?done=sent")
    shot(phone, "prepared-ar-phone")

    tablet = contexts.new_page(viewport=TABLET, touch=True)
    open_together_and_confirm(tablet, base_url, start, (chips, TOPICS, "geld"))
    confirmed = Measurement.objects.get(status="confirmed", kind="follow_up")
    assert {c.domain.key: c.resident_chip for c in confirmed.choices.all()} == chips
    assert Preparation.objects.get().measurement == confirmed
