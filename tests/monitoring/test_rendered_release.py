"""A deploy never serves the figures the previous release rendered and stored."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.cache import caches
from django.urls import reverse

from tests.conftest import client_for
from tests.monitoring.test_dashboard import publish_all, trajectories
from wattelt.monitoring import fragments
from wattelt.monitoring.models import PublishedFigures
from wattelt.monitoring.published import forget_loaded
from wattelt.release import code_version, digest_of

URL = reverse("monitoring:dashboard")
OLD = "<p>rendered by the previous release</p>"


def test_a_new_release_renders_the_stored_figures_afresh(
    alice, bob, team, district, catalogue, warm_dashboard, monkeypatch
):
    trajectories(10, team, alice, district)
    publish_all()
    # Stand-in for what an older template rendered: the stored first views say so.
    assert PublishedFigures.objects.update(html=OLD)
    caches["figures"].clear()
    forget_loaded()
    client = client_for(bob)
    assert OLD in client.get(URL).content.decode()  # same release: the stored rendering
    caches["figures"].clear()
    monkeypatch.setattr(fragments, "code_version", lambda: "another-one")
    page = client.get(URL).content.decode()
    assert OLD not in page and "Gestarte trajecten" in page


def test_the_release_changes_with_a_template_and_not_with_file_times(tmp_path):
    template = tmp_path / "templates" / "figures.html"
    template.parent.mkdir()
    template.write_text("<p>{{ count }}</p>")
    (tmp_path / "notes.txt").write_text("not code")
    first = digest_of(tmp_path)
    os.utime(template, (0, 0))  # another server's checkout: other times, same content
    (tmp_path / "notes.txt").write_text("changed, but renders nothing")
    assert digest_of(tmp_path) == first
    template.write_text("<p>{{ count }} trajecten</p>")
    assert digest_of(tmp_path) != first
    assert code_version() == digest_of(Path(fragments.__file__).parent.parent)
