"""The header offers each role its screens, and every link it offers opens for that user."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for, staff_with_role
from wattelt.organisations.models import Role

LINK = re.compile(r'<nav aria-label="[^"]*" class="site-nav">(.*?)</nav>', re.S)
HREF = re.compile(r'<a href="([^"]+)"')


def offered(client) -> list[str]:
    page = client.get(reverse("guide:index"))
    assert page.status_code == 200
    nav = LINK.search(page.content.decode())
    assert nav
    return HREF.findall(nav.group(1))


@pytest.mark.parametrize(
    ("who", "expected", "absent"),
    [
        ("alice", ["start", "residents:register", "screening:my_findings"], ["screening:rounds"]),
        ("bob", ["implementation:team_reminders", "monitoring:dashboard"], ["feedback:manage"]),
        ("quality_officer", ["screening:rounds", "implementation:adoption"], ["start"]),
        (
            "organisation_admin",
            ["implementation:organisation_settings", "feedback:manage", "api_clients:clients"],
            [],
        ),
        ("privacy_officer", ["audit:access_log", "privacy:start"], ["monitoring:dashboard"]),
        ("municipality_analyst", ["monitoring:dashboard"], ["implementation:adoption"]),
    ],
)
def test_each_role_is_offered_its_screens_and_each_opens(
    who, expected, absent, alice, bob, organisation
):
    user = {"alice": alice, "bob": bob}.get(who) or staff_with_role(
        f"user-{who}", organisation, Role.Name(who)
    )
    client = client_for(user, sudo=True)  # some screens ask for the password again
    links = offered(client)
    for name in expected:
        assert reverse(name) in links, name
    for name in absent:
        assert reverse(name) not in links, name
    assert reverse("guide:index") in links
    searches = 'id="site-search"' in client.get(reverse("guide:index")).content.decode()
    assert searches == (who in ("alice", "bob")), "only team members search for residents"
    for url in links:
        assert client.get(url).status_code == 200, url


def test_the_language_switch_names_each_language_in_its_own_words(alice):
    page = client_for(alice).get(reverse("guide:index")).content.decode()
    assert ">English</button>" in page
    assert "Engels" not in page
