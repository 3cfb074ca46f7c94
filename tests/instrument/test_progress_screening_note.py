"""The progress page tells the responsible professional (and the team coach) that the
quality officer shared screening findings about this trajectory; nobody else sees it,
and nothing shows before sharing."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import client_for, make_staff, staff_with_role
from wattelt.organisations.models import Membership, Role
from wattelt.screening import services as screening
from wattelt.screening.models import ScreeningItem

NOTE = "screening-note"  # the class of the note on the page


def _screened(trajectory) -> tuple[ScreeningItem, object]:
    officer = staff_with_role("quinn", trajectory.team.organisation, Role.Name.QUALITY_OFFICER)
    sample = screening.draw_sample(
        trajectory.team.organisation,
        officer,
        screening.SampleInput(trajectory.started_on, trajectory.started_on, 5),
    )
    item = sample.items.get(trajectory=trajectory)
    answers = dict.fromkeys(ScreeningItem.QUESTIONS, "yes")
    return screening.screen(item, officer, screening.ReviewInput(**answers)), officer


def _progress(user, trajectory) -> str:
    response = client_for(user).get(reverse("instrument:progress", args=[trajectory.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_shared_findings_are_noted_on_the_progress_page(trajectory, alice, bob, team):
    item, officer = _screened(trajectory)
    colleague = make_staff("carol", team.organisation, team, Membership.Role.PROFESSIONAL)
    assert NOTE not in _progress(alice, trajectory)  # screened, not shared yet
    screening.share(item, officer)
    page = _progress(alice, trajectory)
    assert "1 screeningsbevinding" in page
    assert reverse("screening:my_findings") in page
    assert "1 screeningsbevinding" in _progress(bob, trajectory)  # the team coach
    # A colleague in the same team who may see the trajectory but is not responsible.
    assert NOTE not in _progress(colleague, trajectory)
    screening.record_discussion(item, alice, "")
    assert "besproken" in _progress(alice, trajectory)
