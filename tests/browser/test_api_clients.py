"""The organisation admin registers an API client on a tablet and a phone: the form, the
list, and the secret shown once; axe-core finds nothing. Screenshots to
docs/evidence/api-clients-<moment>-<size>.png."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, assert_accessible, log_in
from tests.conftest import staff_with_role
from wattelt.organisations.models import Role

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
SIZES = {"1024x768": TABLET, "390x844": PHONE}


def evidence(page: Page, moment: str) -> None:
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        assert_accessible(page)
        page.screenshot(
            path=str(EVIDENCE / f"api-clients-{moment}-{size_name}.png"), full_page=True
        )


def test_registering_a_client_shows_the_secret_once(
    contexts: Contexts, base_url: str, organisation, team
) -> None:  # type: ignore[no-untyped-def]
    staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)
    # The server's first answer loads every URL module; on a busy machine that alone can
    # take longer than the browser waits for a page.
    with urllib.request.urlopen(f"{base_url}/inloggen/", timeout=120):
        pass
    page = contexts.new_page(viewport=TABLET, touch=True)
    log_in(page, base_url, "olga")
    page.goto(f"{base_url}/koppelingen/")
    expect(page.locator("h1")).to_have_text("API-koppelingen")
    page.fill("#id_name", "Dossiersysteem Noord")
    page.select_option("#id_team", str(team.pk))
    page.check("input[value='measurements:read']")
    page.check("input[value='measurements:write']")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("is geregistreerd")
    secret = page.locator("dd code").nth(1).inner_text()
    assert len(secret) > 40
    evidence(page, "secret")
    page.click("text=Terug naar de API-koppelingen")
    expect(page.locator("main table")).to_contain_text("Dossiersysteem Noord")
    assert secret not in page.content()
    evidence(page, "list")
