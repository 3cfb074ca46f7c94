"""The login in a real browser: nothing about the account in the header until the code is
in, at desk and phone sizes; then name, menu and search; and the lockout page of sudo
mode, which ends the session."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, authenticator_code
from tests.conftest import PASSWORD
from wattelt.organisations.models import Staff

SIZES = {"desk": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}


def password_step(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen/tweestaps/" in url)


def test_header_shows_nothing_personal_until_the_code(contexts: Contexts, base_url, alice, shot):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    page = contexts.new_page()
    password_step(page, base_url, "alice")
    header = page.locator("header.site-header")
    for name, size in SIZES.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        expect(header.locator(".site-nav")).to_have_count(0)
        expect(header.locator("[role=search]")).to_have_count(0)
        expect(header).not_to_contain_text("Alice")
        expect(header.get_by_role("button", name="Uitloggen")).to_be_visible()
        shot(page, f"code-step-{name}")
    page.goto(f"{base_url}/")  # anything else leads back to the code
    expect(page).to_have_url(f"{base_url}/inloggen/tweestaps/?next=%2F")
    expect(header.locator(".site-nav")).to_have_count(0)

    page.fill("#id_code", authenticator_code(Staff.objects.get(username="alice")))
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen/" not in url)
    expect(header).to_contain_text("Alice Test")
    expect(header.locator(".site-nav")).to_have_count(1)
    expect(header.locator("[role=search]")).to_have_count(1)


def test_sudo_mode_lockout_page(contexts: Contexts, base_url, alice, shot):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    page = contexts.new_page()
    password_step(page, base_url, "alice")
    page.fill("#id_code", authenticator_code(alice))
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen/" not in url)
    page.goto(f"{base_url}/inloggen/bevestigen/")
    for _ in range(5):
        page.fill("#id_password", "wrong-password-here")
        page.fill("#id_code", "000000")
        page.click("main button[type=submit]")
    expect(page.locator("main [role=alert]")).to_contain_text("15 minuten geblokkeerd")
    expect(page.locator("main [role=alert]")).to_contain_text("uitgelogd")
    expect(page.locator("header.site-header")).not_to_contain_text("Alice")
    for name, size in SIZES.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        shot(page, f"locked-out-{name}")
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/inloggen/?next=/")
