"""The dashboard's figures are rendered once per published cube, filter and language
(monitoring/fragments.py); what a reader sees never goes stale or crosses over."""

from __future__ import annotations

import dataclasses
import io
import re

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.monitoring.test_dashboard import publish_all, started, trajectories
from wattelt.audit.models import AccessLog
from wattelt.monitoring.cube import Period, quarters_so_far
from wattelt.monitoring.fragments import AS_OF, report_digest
from wattelt.monitoring.models import PublishedFigures
from wattelt.monitoring.published import forget_loaded
from wattelt.monitoring.report import Report

URL = reverse("monitoring:dashboard")
TODAY = timezone.localdate()


def selection(html: str) -> str:
    """The line naming what the figures are of (scope, period, area, age group)."""
    start = html.index('class="dashboard-selection"')
    return html[start : html.index("</p>", start)]


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens (new on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


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
    assert started(client.get(URL)) == "11"


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


def test_the_publish_renders_the_first_view_of_each_whole_scope_selection(
    alice, bob, team, district, catalogue, warm_dashboard, django_assert_max_num_queries
):
    """The first view after a publish, in a process that never rendered it, shows the
    figures the publish run rendered: the same page as rendering them on the spot."""
    client = client_for(bob)
    trajectories(12, team, alice, district, measured=True)
    publish_all()
    stored = PublishedFigures.objects.count()
    # The municipality, the organisation and the coach's team; both languages; the year
    # and each quarter begun; all ages. And each scope's district and team in the year
    # (all ages, Dutch).
    assert stored == 3 * 2 * (1 + len(quarters_so_far(TODAY.year, TODAY))) + 3 * 2
    caches["figures"].clear()
    forget_loaded()
    with django_assert_max_num_queries(15):  # a second view's, and the rendered figures
        warmed = client.get(URL).content.decode()
    caches["figures"].clear()
    PublishedFigures.objects.all().delete()
    assert without_tokens(client.get(URL).content.decode()) == without_tokens(warmed)
    assert AccessLog.objects.filter(object_type="dashboard", username="bob").count() == 2
    # A new publish replaces them.
    trajectories(1, team, alice, district, measured=True)
    publish_all()
    assert PublishedFigures.objects.count() == stored
    caches["figures"].clear()
    assert selection(client.get(URL).content.decode()) == selection(warmed)


def test_the_publish_renders_the_first_view_of_each_district_and_team(
    alice, bob, team, district, catalogue, warm_dashboard, django_assert_max_num_queries
):
    """A team's and a district's year, viewed first after a publish, come as the
    publish run rendered them: the same page as rendering them on the spot."""
    client = client_for(bob)
    trajectories(12, team, alice, district, measured=True)
    publish_all()
    urls = [
        f"{URL}?period={TODAY.year}&age_group=all&team={team.pk}",
        f"{URL}?period={TODAY.year}&age_group=all&district={district.pk}",
    ]
    warmed = []
    for url in urls:
        caches["figures"].clear()
        forget_loaded()
        with django_assert_max_num_queries(15):
            warmed.append(client.get(url).content.decode())
    caches["figures"].clear()
    PublishedFigures.objects.all().delete()
    for url, page in zip(urls, warmed, strict=True):
        assert "dashboard-selection" in page
        assert without_tokens(client.get(url).content.decode()) == without_tokens(page)


def test_a_republish_keeps_the_figures_of_a_selection_that_did_not_change(
    alice, bob, team, district, catalogue, warm_dashboard
):
    """A republish whose figures are those of the earlier build keeps each selection's
    rendered HTML instead of rendering it again, with the new "figures as of" line: the
    page is exactly what rendering it on the spot gives. A selection that changed is
    rendered anew."""
    client = client_for(bob)
    trajectories(12, team, alice, district, measured=True)
    publish_all()
    urls = [URL, f"{URL}?period={TODAY.year}&age_group=all&district={district.pk}"]
    # Mark the stored figures' "as of" line: a kept selection must say the new one.
    assert PublishedFigures.objects.exclude(as_of__contains="dashboard-as-of").count() == 0
    PublishedFigures.objects.update(as_of='<p class="dashboard-as-of">EARLIER</p>')
    out = io.StringIO()
    call_command("publish_monitoring_figures", "--force", stdout=out)
    # Every scope's selections were kept (none rendered anew).
    assert out.getvalue().count("(0 new)") == 3, out.getvalue()
    for url in urls:
        caches["figures"].clear()
        forget_loaded()
        kept = client.get(url).content.decode()
        assert "EARLIER" not in kept and AS_OF.search(kept)
        caches["figures"].clear()
        saved = list(PublishedFigures.objects.all())
        PublishedFigures.objects.all().delete()
        assert without_tokens(client.get(url).content.decode()) == without_tokens(kept)
        PublishedFigures.objects.bulk_create(saved)
    # One more measured trajectory changes the figures: rendered anew, still the same
    # page as rendering it on the spot.
    trajectories(1, team, alice, district, measured=True)
    out = io.StringIO()
    call_command("publish_monitoring_figures", stdout=out)
    assert "(0 new)" not in out.getvalue()
    caches["figures"].clear()
    forget_loaded()
    changed = client.get(URL).content.decode()
    caches["figures"].clear()
    PublishedFigures.objects.all().delete()
    assert without_tokens(client.get(URL).content.decode()) == without_tokens(changed)


def filter_form(html: str) -> str:
    start = html.index('<form method="get"')
    return html[start : html.index("</form>", start)]


def test_the_filter_form_from_the_cache_is_the_rendered_one_and_follows_each_request(
    alice, bob, team, district, catalogue
):
    client = client_for(bob)
    trajectories(10, team, alice, district)
    publish_all()
    caches["figures"].clear()
    rendered = filter_form(client.get(URL, {"team": team.pk}).content.decode())
    kept = filter_form(client.get(URL, {"team": team.pk}).content.decode())
    assert kept == rendered
    caches["figures"].clear()
    assert filter_form(client.get(URL, {"team": team.pk}).content.decode()) == rendered
    assert f'<option value="{team.pk}" selected>{team.name}</option>' in kept
    whole = filter_form(client.get(URL).content.decode())
    assert f'<option value="{team.pk}">{team.name}</option>' in whole
    team.name = "Noordoost"
    team.save()
    assert ">Noordoost</option>" in filter_form(client.get(URL).content.decode())
    wrong = client.get(URL, {"team": team.pk, "district": district.pk}).content.decode()
    assert "error-summary" in filter_form(wrong)
    assert "error-summary" not in kept


def test_a_report_digest_ignores_the_publish_time_and_nothing_else():
    """What decides whether a republish keeps a selection's HTML."""
    report = Report("Utrecht", Period(2026), "Alle wijken", "Alle leeftijden", [], [], TODAY)
    published = dataclasses.replace(report, figures_at=timezone.now())
    assert report_digest(published) == report_digest(report) != ""
    assert report_digest(dataclasses.replace(report, area_name="Zuilen")) != report_digest(report)
    # Something json cannot write is never taken for the same figures.
    odd = dataclasses.replace(report, sections=[{("t", 1): "12"}])  # type: ignore[list-item]
    assert report_digest(odd) == ""
