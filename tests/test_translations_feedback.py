# ruff: noqa: RUF001  (Turkish and Arabic texts)
"""Feedback on the handed-over tablet speaks the resident's language; the resident may
switch it while the tablet is locked, and the next hand-over starts afresh."""

from __future__ import annotations

from django.urls import reverse

from tests.feedback.conftest import hand_back, make_questionnaire
from tests.feedback.test_tablet import handed_over
from wattelt.residents import services as residents
from wattelt.residents.language import SESSION_KEY


def test_the_tablet_speaks_the_residents_language_and_switches(organisation, alice, trajectory):
    questionnaire = make_questionnaire(organisation, alice)
    residents.set_language(trajectory.resident, "tr")
    client = handed_over(questionnaire, alice, trajectory)
    page = client.get(reverse("feedback:tablet"))
    assert page["Content-Language"] == "tr"
    assert "Cevaplarımı gönder" in page.content.decode()
    assert '<html lang="tr" dir="ltr"' in page.content.decode()

    # The resident picks Arabic on the locked tablet: allowed, for this session only.
    switched = client.post(
        reverse("residents:choose_language"),
        {"language": "ar", "next": reverse("feedback:tablet")},
    )
    assert switched["Location"] == reverse("feedback:tablet")
    page = client.get(reverse("feedback:tablet")).content.decode()
    assert '<html lang="ar" dir="rtl"' in page and "أرسل إجاباتي" in page
    trajectory.resident.refresh_from_db()
    assert trajectory.resident.language == "tr"  # the stored language is the professional's

    # Handing back ends the resident's choice; the next hand-over starts from the stored one.
    assert hand_back(client, alice).status_code == 302
    assert SESSION_KEY not in client.session
    client.post(
        reverse("feedback:hand_over", args=[questionnaire.pk]), {"trajectory": trajectory.pk}
    )
    assert "Cevaplarımı gönder" in client.get(reverse("feedback:tablet")).content.decode()
