"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live
server. Playwright never downloads a browser of its own."""

from __future__ import annotations

import contextlib
import os
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.conftest import PASSWORD, resident_client
from wattelt.organisations.models import Staff
from wattelt.residents.models import Resident

# Playwright's sync API runs an asyncio loop in this thread; the test code and the
# fixtures still talk to the database synchronously, which Django then refuses.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TABLET: ViewportSize = {"width": 1024, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope: the loop ends with the browser tests, not with the whole session.
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Contexts:
    """Opens browser contexts (each a separate 'browser window' with its own cookies)
    and closes whatever is still open at the end of the test."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.opened: list[BrowserContext] = []

    def new_page(
        self, javascript: bool = True, viewport: ViewportSize = VIEWPORT, touch: bool = False
    ) -> Page:
        """A page in a new window; `touch`: a phone or tablet (touch events, mobile)."""
        context = self.browser.new_context(
            viewport=viewport,
            locale="nl-NL",
            java_script_enabled=javascript,
            has_touch=touch,
            is_mobile=touch,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.opened.append(context)
        return context.new_page()

    def close_all(self) -> None:
        for context in self.opened:
            # No last autosave or beacon may reach the server while the database is
            # emptied for the next test. (Error: the test closed this context already.)
            with contextlib.suppress(Error):
                context.route("**/*", lambda route: route.abort())
            context.close()  # closing twice is harmless


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Contexts]:
    opened = Contexts(browser)
    yield opened
    opened.close_all()


@pytest.fixture
def page(contexts: Contexts) -> Page:
    return contexts.new_page()


@pytest.fixture
def base_url(live_server) -> str:
    """The live server, warmed: its first request imports every app's views (over 10 s
    on a busy machine), made here once so no page load runs into Playwright's timeouts."""
    url = str(live_server.url)
    if url not in _WARM:
        with urllib.request.urlopen(f"{url}/inloggen/", timeout=120) as response:
            assert response.status == 200
        _WARM.add(url)
    return url


_WARM: set[str] = set()


def authenticator_code(user: Staff) -> str:
    """What the authenticator app shows: the code of this time step, or of the next one
    when this step's code was used already (a second login within 30 s); the server
    accepts one step ahead, and never the same step twice."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    for ahead in range(device.tolerance + 1):
        totp.time = time.time() + ahead * device.step
        if totp.t() > device.last_t:
            return f"{totp.token():0{device.digits}d}"
    raise AssertionError("no unused authenticator code within the tolerance")


def log_in(page: Page, base_url: str, username: str, next_path: str = "") -> None:
    """Through the real login page, as a person would: password, then the code from the
    authenticator app (a confirmed TOTP device is made for the user if needed)."""
    user = Staff.objects.get(username=username)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    page.goto(f"{base_url}/inloggen/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen/tweestaps/" in url)
    page.fill("#id_code", authenticator_code(user))
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen/" not in url)


def sign_in_resident(page: Page, base_url: str, resident: Resident) -> None:
    """Put a Mijn Wat telt session for `resident` in the page's browser context, as after
    a passkey sign-in (the sign-in itself has its own browser tests)."""
    session_id = resident_client(resident).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": base_url}]
    )


class Shots:
    """Full-page screenshots named after the test, in test-artifacts/."""

    def __init__(self, test_name: str) -> None:
        self.prefix = re.sub(r"[^\w.-]+", "_", test_name)
        ARTIFACTS.mkdir(exist_ok=True)

    def __call__(self, page: Page, moment: str) -> Path:
        path = ARTIFACTS / f"{self.prefix}--{moment}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


def accessibility_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's violations on the current page (WCAG 2.1 A and AA rules), each with
    its rule id and the first elements it concerns. Evaluated through the DevTools
    protocol, so the page's Content-Security-Policy stays as it is."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, object]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return found


def assert_accessible(page: Page) -> None:
    violations = accessibility_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"
