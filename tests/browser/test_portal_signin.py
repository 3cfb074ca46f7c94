"""Signing in to Mijn Wat telt in Chromium, with Playwright's virtual authenticator as the
resident's phone: invitation → code → passkey → home; sign out and in again with the
passkey; a wrong code; a used and an expired invitation; a new invitation revokes the old
passkey. The screens in Dutch and Arabic on a tablet and a phone, axe in every language;
the DigiD button against the fake broker."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, assert_accessible, log_in
from tests.portal.fake_digid import FakeDigiD, running
from wattelt.portal.models import Invitation
from wattelt.residents.language import RESIDENT_LANGUAGES

pytestmark = pytest.mark.django_db(transaction=True)


def phone_with_passkeys(contexts, viewport=PHONE) -> Page:
    """A phone whose platform authenticator (fingerprint) always says yes."""
    page = contexts.new_page(viewport=viewport, touch=True)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


def invite(professional: Page, base_url: str, resident) -> tuple[str, str]:
    """The professional presses the button on the resident page; (link, code)."""
    professional.goto(f"{base_url}/inwoners/{resident.pk}/")
    professional.locator(".portal-access form[action$='/uitnodigen/'] button").click()
    code = professional.locator(".invitation-code__digits").inner_text().replace(" ", "")
    link = professional.locator(".invitation-handout__link").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    return link, code


def use_invitation(phone: Page, link: str, code: str) -> None:
    phone.goto(link)
    phone.fill("#code", code)
    phone.locator("main button[type=submit]").click()
    phone.locator("[data-passkey=register]").click()
    phone.wait_for_url(lambda url: url.endswith("/mijn/"))


@pytest.fixture
def professional(contexts, base_url, alice, trajectory) -> Page:
    page = contexts.new_page(viewport=TABLET)
    log_in(page, base_url, "alice")
    return page


def test_invitation_code_passkey_and_signing_in_again(
    contexts, base_url, resident, professional, shot
):
    link, code = invite(professional, base_url, resident)
    assert_accessible(professional)
    shot(professional, "professional-invitation-tablet")
    professional.set_viewport_size(PHONE)
    shot(professional, "professional-invitation-phone")
    professional.set_viewport_size(TABLET)
    # Printed, only the handout shows: QR code, link and steps, never the code.
    professional.emulate_media(media="print")
    assert (
        professional.locator(".invitation-code").evaluate("e => getComputedStyle(e).visibility")
        == "hidden"
    )
    assert code not in professional.locator(".invitation-handout").inner_text()
    shot(professional, "professional-invitation-printed")
    professional.emulate_media(media="screen")

    phone = phone_with_passkeys(contexts)
    phone.goto(link)
    wrong = "000000" if code != "000000" else "111111"
    phone.fill("#code", wrong)
    phone.locator("main button[type=submit]").click()
    expect(phone.locator("#code-problem")).to_contain_text("4")
    phone.fill("#code", code)
    phone.locator("main button[type=submit]").click()
    phone.locator("[data-passkey=register]").click()
    phone.wait_for_url(lambda url: url.endswith("/mijn/"))
    expect(phone.locator("h1")).to_contain_text(resident.first_name)

    phone.locator(".portal-sign-out button").click()
    phone.wait_for_url(lambda url: "/mijn/inloggen/" in url)
    phone.locator("[data-passkey=sign-in]").click()
    phone.wait_for_url(lambda url: url.endswith("/mijn/"))
    expect(phone.locator("h1")).to_contain_text(resident.first_name)

    # The link works once.
    other = phone_with_passkeys(contexts)
    other.goto(link)
    expect(other.locator("main [role=alert]")).to_be_visible()

    # The professional sees the access on the resident page.
    professional.goto(f"{base_url}/inwoners/{resident.pk}/")
    expect(professional.locator(".portal-access")).to_contain_text("1")
    assert_accessible(professional)
    shot(professional, "professional-resident-page-tablet")
    professional.set_viewport_size(PHONE)
    shot(professional, "professional-resident-page-phone")


def test_an_expired_invitation(contexts, base_url, resident, professional):
    link, _code = invite(professional, base_url, resident)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    phone = phone_with_passkeys(contexts)
    phone.goto(link)
    expect(phone.locator("main [role=alert]")).to_be_visible()
    assert phone.locator("#code").count() == 0


def test_the_passkey_button_waits_for_its_script(contexts, base_url):
    """A tap before the script has bound the button would do nothing: until then (or when
    the script never arrives) the button is disabled, not dead."""
    page = phone_with_passkeys(contexts)
    page.route("**/passkeys*.js", lambda route: route.abort())
    page.goto(f"{base_url}/mijn/inloggen/")
    expect(page.locator("[data-passkey=sign-in]")).to_be_disabled()
    page.unroute("**/passkeys*.js")
    page.reload()
    expect(page.locator("[data-passkey=sign-in]")).to_be_enabled()


def test_a_new_invitation_revokes_the_lost_phones_passkey(
    contexts, base_url, resident, professional
):
    lost = phone_with_passkeys(contexts)
    use_invitation(lost, *invite(professional, base_url, resident))
    lost.locator(".portal-sign-out button").click()

    new_phone = phone_with_passkeys(contexts)
    use_invitation(new_phone, *invite(professional, base_url, resident))

    lost.goto(f"{base_url}/mijn/inloggen/")
    lost.locator("[data-passkey=sign-in]").click()
    expect(lost.locator("#passkey-status")).to_be_visible()
    assert "/mijn/inloggen/" in lost.url


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_the_sign_in_screens_in_dutch_and_arabic(
    contexts, base_url, resident, professional, shot, language
):
    resident.language = language
    resident.save()
    link, _code = invite(professional, base_url, resident)
    for name, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = phone_with_passkeys(contexts, viewport)
        page.goto(f"{base_url}/mijn/inloggen/")
        page.locator(f".resident-language__option[value={language}]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        assert_accessible(page)
        shot(page, f"sign-in-{language}-{name}")
        page.goto(link)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
        shot(page, f"invitation-code-{language}-{name}")
    # The professional's screen shows the printed handout in the resident's language.
    assert professional.locator(".invitation-handout").get_attribute("lang") == language


def test_every_language_passes_axe_on_the_sign_in_and_code_screens(
    contexts, base_url, resident, professional
):
    link, code = invite(professional, base_url, resident)
    page = phone_with_passkeys(contexts)
    for language, _name in RESIDENT_LANGUAGES:
        page.goto(f"{base_url}/mijn/inloggen/")
        page.locator(f".resident-language__option[value={language}]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
        page.goto(link)
        if language in ("nl", "ar", "ti"):  # a wrong code: the problem message too
            page.fill("#code", "12")
            page.locator("main button[type=submit]").click()
        assert_accessible(page)
    page.fill("#code", code)
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-passkey=register]")).to_be_visible()
    assert_accessible(page)


@pytest.fixture
def broker(settings, monkeypatch) -> Iterator[FakeDigiD]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with running() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def test_the_digid_button(contexts, base_url, resident, broker, shot):
    broker.sign_in_as(resident.bsn)
    page = contexts.new_page(viewport=PHONE, touch=True)
    page.goto(f"{base_url}/mijn/inloggen/")
    assert_accessible(page)
    shot(page, "with-digid")
    page.get_by_role("link", name="Inloggen met DigiD").click()
    page.wait_for_url(lambda url: url.endswith("/mijn/"))
    expect(page.locator("h1")).to_contain_text(resident.first_name)
