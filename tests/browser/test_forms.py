"""The forms on a tablet and a phone: NL Design System fields from the one form renderer,
targets of at least 44 px, a check box beside its label, and errors summarised at the top
with links to their fields. Screenshots go to docs/evidence/forms-<name>-<size>.png."""

from __future__ import annotations

from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, assert_accessible, log_in
from tests.conftest import PASSWORD, staff_with_role
from wattelt.organisations.models import Role

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
SIZES = {"1024x768": TABLET, "390x844": PHONE}
TARGET = 44


def evidence(page: Page, name: str) -> None:
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        page.screenshot(path=str(EVIDENCE / f"forms-{name}-{size_name}.png"), full_page=True)


def assert_targets_fit_a_finger(page: Page) -> int:
    """Every visible text field, select and check box (its label) is at least 44 px high."""
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
              'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
              + 'main select, main textarea, main .choice-target')]
            .filter(e => e.offsetParent !== null)
            .map(e => { const r = e.getBoundingClientRect();
                        return [e.id || e.className, r.width, r.height]; })"""
    )
    small = [s for s in sizes if s[1] < TARGET or s[2] < TARGET]
    assert not small, small
    return len(sizes)


def test_register_form_fits_a_tablet(contexts: Contexts, base_url, alice):
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "alice", "/inwoners/nieuw/")
    page.goto(f"{base_url}/inwoners/nieuw/")
    expect(page.locator("main input.utrecht-textbox").first).to_be_visible()
    expect(page.locator("main select.utrecht-select").first).to_be_visible()
    assert assert_targets_fit_a_finger(page) >= 4
    # A check box sits beside its label: same line, box first.
    for label in page.locator("main .utrecht-form-field--checkbox label").all():
        box = label.locator("input[type=checkbox]").bounding_box()
        text = label.locator("span").bounding_box()
        assert box and text and box["x"] < text["x"], "check box before its label"
        assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) < 12
    page.click("main button[type=submit]")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert target and target.startswith("#id_")
    expect(page.locator(target)).to_have_count(1)
    link.click()
    expect(page.locator(target)).to_be_focused()
    assert_targets_fit_a_finger(page)
    assert_accessible(page)
    evidence(page, "register")


def test_code_form_fits_a_tablet(contexts: Contexts, base_url, alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    page = contexts.new_page(viewport=TABLET, touch=True)
    page.goto(f"{base_url}/inloggen/")
    assert_targets_fit_a_finger(page)
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen/tweestaps/" in url)
    page.fill("#id_code", "000000")
    page.click("main button[type=submit]")
    expect(page.locator(".error-summary, .utrecht-alert--error").first).to_be_visible()
    assert_targets_fit_a_finger(page)
    evidence(page, "code")


def test_consent_form_fits_a_tablet(contexts: Contexts, base_url, alice, trajectory):
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "alice")
    page.goto(f"{base_url}/trajecten/{trajectory.pk}/delen/")
    assert_targets_fit_a_finger(page)
    page.click("main form button[type=submit]")
    assert_targets_fit_a_finger(page)
    evidence(page, "consent")


def test_organisation_settings_form_fits_a_tablet(contexts: Contexts, base_url, organisation):
    staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "olga")
    page.goto(f"{base_url}/organisatie/instellingen/")
    assert_targets_fit_a_finger(page)
    evidence(page, "settings")
