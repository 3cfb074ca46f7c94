"""The dashboard's figures are rendered once per published cube, filter and language
(monitoring/fragments.py); what a reader sees never goes stale or crosses over."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from tests.conftest import client_for
from tests.monitoring.test_dashboard import publish_all, trajectories
from wattelt.audit.models import AccessLog

URL = reverse("monitoring:dashboard")


def selection(html: str) -> str:
    """The line naming what the figures are of (scope, period, area, age group)."""
    start = html.index('class="dashboard-selection"')
    return html[start : html.index("</p>", start)]


def test_a_second_view_serves_the_rendered_figures_in_few_queries(
    alice, bob, team, district, catalogue, django_assert_max_num_queries
):
    client = client_for(bob)
    trajectories(12, team, alice, district, measured=True)
    publish_all()
    first = client.get(URL).content.decode()
    with django_assert_max_num_queries(14):
        again = client.get(URL).content.decode()
    assert selection(again) == selection(first)
    assert again.count("<table") == first.count("<table") > 5
    assert AccessLog.objects.filter(object_type="dashboard", username="bob").count() == 2


def test_a_new_publish_or_a_renamed_team_shows_at_once(alice, bob, team, district, catalogue):
    client = client_for(bob)
    trajectories(10, team, alice, district)
    publish_all()
    client.get(URL)
    before = client.get(URL, {"team": team.pk}).content.decode()
    assert f"Team {team.name}" in selection(before)
    team.name = "Noordoost"
    team.save()
    renamed = client.get(URL, {"team": team.pk}).content.decode()
    assert "Team Noordoost" in selection(renamed)
    trajectories(1, team, alice, district)
    publish_all()
    assert client.get(URL).context["sections"][0].rows[0][1][0] == "11"


def test_each_language_gets_its_own_figures(alice, bob, team, district, catalogue):
    trajectories(10, team, alice, district)
    publish_all()
    dutch = client_for(bob)
    english = client_for(bob)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Alle wijken en teams" in selection(dutch.get(URL).content.decode())
    assert "All districts and teams" in selection(english.get(URL).content.decode())
    assert "Alle wijken en teams" in selection(dutch.get(URL).content.decode())


def test_the_csv_export_follows_each_publish_and_every_download_is_logged(
    alice, bob, team, district, catalogue
):
    client = client_for(bob)
    csv_url = reverse("monitoring:export_csv")
    trajectories(10, team, alice, district)
    publish_all()
    first = client.get(csv_url).content.decode()
    assert client.get(csv_url).content.decode() == first
    trajectories(1, team, alice, district)
    publish_all()
    after = client.get(csv_url).content.decode()
    assert after != first
    exports = AccessLog.objects.filter(object_type="dashboard", action="export", username="bob")
    assert exports.count() == 3
