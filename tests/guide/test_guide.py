"""The built-in guide and the organisation's FAQ."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for, staff_with_role
from wattelt.guide import services
from wattelt.guide.models import FaqChange, FaqEntry
from wattelt.guide.pages import PAGES
from wattelt.organisations.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(organisation):
    return staff_with_role("olga", organisation, Role.Name.ORGANISATION_ADMIN)


def test_guide_pages_are_for_every_staff_member_in_dutch(alice, organisation):
    priya = staff_with_role("priya", organisation, Role.Name.PRIVACY_OFFICER)
    for user in (alice, priya):
        client = client_for(user)
        index = client.get(reverse("guide:index")).content.decode()
        assert "Wat telt introduceren bij een inwoner" in index
        for page in PAGES:
            response = client.get(reverse("guide:page", args=[page.slug]))
            assert response.status_code == 200
    goals = client_for(alice).get(reverse("guide:page", args=["doelen"])).content.decode()
    assert "SMART zit in jouw vragen" in goals
    assert "Ik wil rust in mijn hoofd" in goals
    board = client_for(alice).get(reverse("guide:page", args=["het-bord"])).content.decode()
    assert "Eén cijfer voor het leven als geheel" in board


def test_guide_is_available_in_english(alice):
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("guide:page", args=["doelen"])).content.decode()
    assert "SMART is in your questions" in page


def test_unknown_guide_page_is_404(alice):
    assert client_for(alice).get(reverse("guide:page", args=["bestaat-niet"])).status_code == 404


def test_faq_shows_only_the_own_organisation(olga, alice, charlie):
    services.add_entry(olga.organisation, olga, "Moet ik altijd een doel maken?", "Nee.")
    other_admin = staff_with_role("otto", charlie.organisation, Role.Name.ORGANISATION_ADMIN)
    services.add_entry(charlie.organisation, other_admin, "Geheime vraag elders?", "Ja.")
    ours = client_for(alice).get(reverse("guide:faq")).content.decode()
    assert "Moet ik altijd een doel maken?" in ours and "Geheime vraag elders?" not in ours
    assert "Het bord" in ours  # the guide's contents are beside the questions
    theirs = client_for(charlie).get(reverse("guide:faq")).content.decode()
    assert "Geheime vraag elders?" in theirs and "Moet ik altijd" not in theirs
    entry = FaqEntry.objects.get(question__startswith="Moet")
    assert (
        client_for(other_admin).get(reverse("guide:faq_edit", args=[entry.pk])).status_code == 404
    )
    response = client_for(other_admin).post(reverse("guide:faq_delete", args=[entry.pk]))
    assert response.status_code == 404 and FaqEntry.objects.filter(pk=entry.pk).exists()


def test_faq_answer_is_plain_text_not_html(olga, alice):
    services.add_entry(
        olga.organisation,
        olga,
        "Waar vind ik de kaarten?",
        "<script>alert(1)</script>\n\nZie https://www.movisie.nl/wattelt <b>vet</b>",
    )
    page = client_for(alice).get(reverse("guide:faq")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>vet</b>" not in page
    assert 'href="https://www.movisie.nl/wattelt"' in page


def test_admin_adds_edits_moves_and_deletes_with_history(olga):
    client = client_for(olga)
    for question in ("Eerste?", "Tweede?"):
        response = client.post(
            reverse("guide:faq_manage"), {"question": question, "answer": "Antwoord."}
        )
        assert response.status_code == 302
    first, second = FaqEntry.objects.all()
    client.post(
        reverse("guide:faq_edit", args=[first.pk]),
        {"question": "Eerste vraag?", "answer": "Nieuw."},
    )
    client.post(reverse("guide:faq_move", args=[second.pk]), {"direction": "up"})
    assert [e.question for e in FaqEntry.objects.all()] == ["Tweede?", "Eerste vraag?"]
    client.post(reverse("guide:faq_delete", args=[first.pk]))
    assert [e.question for e in FaqEntry.objects.all()] == ["Tweede?"]
    history = list(FaqChange.objects.order_by("pk").values_list("action", "question", "changed_by"))
    assert history == [
        ("added", "Eerste?", olga.pk),
        ("added", "Tweede?", olga.pk),
        ("changed", "Eerste vraag?", olga.pk),
        ("moved", "Tweede?", olga.pk),
        ("deleted", "Eerste vraag?", olga.pk),
    ]
    page = client.get(reverse("guide:faq_manage")).content.decode()
    assert "Geschiedenis van wijzigingen" in page and "verwijderd" in page


def test_empty_question_is_refused_and_nothing_saved(olga):
    response = client_for(olga).post(
        reverse("guide:faq_manage"), {"question": "   ", "answer": "Iets"}
    )
    assert response.status_code == 200
    assert not FaqEntry.objects.exists() and not FaqChange.objects.exists()


def test_professional_cannot_edit_the_faq(olga, alice):
    entry = services.add_entry(olga.organisation, olga, "Vraag?", "Antwoord.")
    client = client_for(alice)
    assert client.get(reverse("guide:faq_manage")).status_code == 404
    response = client.post(
        reverse("guide:faq_edit", args=[entry.pk]), {"question": "Gehackt", "answer": "x"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.question == "Vraag?"


def test_moving_the_top_entry_up_changes_nothing(olga):
    entry = services.add_entry(olga.organisation, olga, "Enige?", "Ja.")
    assert services.move_entry(entry, olga, up=True) is False
    assert FaqChange.objects.filter(action="moved").count() == 0
