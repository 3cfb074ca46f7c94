"""Mijn Wat telt's frame in a real browser: the resident's home in Dutch and Arabic."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, TABLET, assert_accessible, sign_in_resident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_the_residents_home(contexts, base_url, resident, shot, language):
    resident.language = language
    resident.save()
    for name, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = contexts.new_page(viewport=viewport, touch=True)
        sign_in_resident(page, base_url, resident)
        page.goto(f"{base_url}/mijn/")
        assert page.locator("h1").inner_text().endswith(resident.first_name)
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        assert_accessible(page)
        shot(page, f"{language}-{name}")
