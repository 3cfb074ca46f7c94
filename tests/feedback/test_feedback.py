"""Feedback questionnaires: managing, answering (logged in, tablet, one-time link) and
suppressed results."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.conftest import client_for, staff_with_role
from tests.feedback.conftest import answers, hand_back, make_questionnaire
from wattelt.feedback import services
from wattelt.feedback.models import (
    Answer,
    FeedbackLink,
    Participation,
    Question,
    Questionnaire,
    Response,
)
from wattelt.feedback.tablet import TABLET_SESSION_KEY
from wattelt.feedback.views import FAILED_LOOKUPS_LIMIT
from wattelt.organisations.models import Role

pytestmark = pytest.mark.django_db


# --- Managing -------------------------------------------------------------------------


def questionnaire_post(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Jouw mening",
        "introduction": "",
        "audience": "resident",
        "anonymous": "on",
        "repeat": "quarter",
        "opens_on": timezone.localdate().isoformat(),
        "closes_on": "",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
        "questions-0-text": "Wat kan beter?",
        "questions-0-kind": "open",
        "questions-0-ORDER": "2",
        "questions-1-text": "Ik voelde me gehoord.",
        "questions-1-kind": "scale",
        "questions-1-required": "on",
        "questions-1-ORDER": "1",
        "questions-2-text": "",
        "questions-2-kind": "scale",
        "questions-2-required": "on",
        "questions-2-ORDER": "",
    }
    data.update(extra)
    return data


def test_admin_creates_a_questionnaire_with_ordered_questions(olga):
    response = client_for(olga).post(reverse("feedback:create"), questionnaire_post())
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.anonymous and questionnaire.organisation == olga.organisation
    assert [(q.text, q.kind, q.required) for q in questionnaire.questions.all()] == [
        ("Ik voelde me gehoord.", "scale", True),
        ("Wat kan beter?", "open", False),
    ]


def test_a_questionnaire_without_questions_is_refused_and_nothing_saved(olga):
    data = questionnaire_post(**{"questions-0-text": "", "questions-1-text": ""})
    response = client_for(olga).post(reverse("feedback:create"), data)
    assert response.status_code == 200
    assert "minstens één vraag" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_end_before_start_is_refused(olga):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client_for(olga).post(
        reverse("feedback:create"), questionnaire_post(closes_on=yesterday)
    )
    assert "De einddatum ligt vóór de" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_answered_questionnaire_locks_its_questions(resident_questionnaire, alice, olga):
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    services.answer_with_link(token, answers(resident_questionnaire))
    data = services.QuestionnaireInput(
        "Nieuwe titel", "resident", True, resident_questionnaire.opens_on
    )
    with pytest.raises(ValidationError):
        services.change_questionnaire(
            resident_questionnaire, data, [services.QuestionInput("Andere vraag")]
        )
    with pytest.raises(ValidationError):
        services.change_questionnaire(
            resident_questionnaire,
            services.QuestionnaireInput("x", "resident", False, resident_questionnaire.opens_on),
        )
    # The title may still change; the questions stay as they were answered.
    services.change_questionnaire(resident_questionnaire, data)
    resident_questionnaire.refresh_from_db()
    assert resident_questionnaire.title == "Nieuwe titel"
    assert resident_questionnaire.questions.count() == 2
    page = client_for(olga).get(reverse("feedback:edit", args=[resident_questionnaire.pk]))
    assert "nieuwe versie" in page.content.decode()
    assert "questions-TOTAL_FORMS" not in page.content.decode()


def test_new_version_copies_the_questions_and_closes_the_old_one(resident_questionnaire, olga):
    response = client_for(olga).post(
        reverse("feedback:new_version", args=[resident_questionnaire.pk])
    )
    copy = Questionnaire.objects.get(previous_version=resident_questionnaire)
    assert response["Location"] == reverse("feedback:edit", args=[copy.pk])
    assert copy.version == 2
    assert [q.text for q in copy.questions.all()] == [
        q.text for q in resident_questionnaire.questions.all()
    ]
    resident_questionnaire.refresh_from_db()
    assert not resident_questionnaire.is_open_on(timezone.localdate())
    assert copy.is_open_on(timezone.localdate())


def test_admin_of_another_organisation_gets_404(resident_questionnaire, charlie):
    other_admin = staff_with_role("otto", charlie.organisation, Role.Name.ORGANISATION_ADMIN)
    client = client_for(other_admin)
    assert client.get(reverse("feedback:edit", args=[resident_questionnaire.pk])).status_code == 404
    url = reverse("feedback:questionnaire_results", args=[resident_questionnaire.pk])
    assert client.get(url).status_code == 404


# --- Professionals --------------------------------------------------------------------


def test_professional_answers_once_per_period(professional_questionnaire, alice):
    client = client_for(alice)
    url = reverse("feedback:answer", args=[professional_questionnaire.pk])
    assert client.post(url, answers(professional_questionnaire, 5, "Fijn")).status_code == 302
    second = client.post(url, answers(professional_questionnaire, 1))
    assert "voor deze periode beantwoord" in second.content.decode()
    assert Response.objects.count() == 1
    response = Response.objects.get()
    # Anonymous: that Alice answered is known (once per period), not which is hers.
    assert response.respondent is None
    assert Participation.objects.filter(staff=alice).count() == 1
    with freeze_time(timezone.now() + dt.timedelta(days=100)):
        services.answer_as_professional(
            professional_questionnaire, alice, answers(professional_questionnaire)
        )
    assert Response.objects.count() == 2


def test_named_professional_questionnaire_keeps_who_answered(organisation, olga, alice):
    questionnaire = make_questionnaire(
        organisation, olga, Questionnaire.Audience.PROFESSIONAL, anonymous=False
    )
    response = services.answer_as_professional(questionnaire, alice, answers(questionnaire))
    assert response.respondent == alice


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ("7", "Vraag 1: kies een antwoord van 1 tot en met 5."),
        ("0", "Vraag 1: kies een antwoord van 1 tot en met 5."),
        ("drie", "Vraag 1: kies een antwoord van 1 tot en met 5."),
        ("²", "Vraag 1: kies een antwoord van 1 tot en met 5."),
        ("", "Vraag 1 heeft een antwoord nodig."),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(
    professional_questionnaire, alice, scale, message
):
    url = reverse("feedback:answer", args=[professional_questionnaire.pk])
    page = client_for(alice).post(url, answers(professional_questionnaire, scale, "tekst"))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not Participation.objects.exists()


def test_closed_questionnaire_cannot_be_answered(professional_questionnaire, alice):
    professional_questionnaire.closes_on = timezone.localdate() - dt.timedelta(days=1)
    professional_questionnaire.save()
    url = reverse("feedback:answer", args=[professional_questionnaire.pk])
    assert client_for(alice).get(url).status_code == 404


def test_a_resident_questionnaire_cannot_be_answered_as_professional(resident_questionnaire, alice):
    url = reverse("feedback:answer", args=[resident_questionnaire.pk])
    assert client_for(alice).get(url).status_code == 404


# --- One-time links -------------------------------------------------------------------


def test_link_stores_only_the_hash_of_its_token(resident_questionnaire, alice):
    response = client_for(alice).post(
        reverse("feedback:make_link", args=[resident_questionnaire.pk])
    )
    page = response.content.decode()
    link = FeedbackLink.objects.get()
    token = page.split("/feedback/v/")[1].split("/")[0]
    assert len(token) >= 40
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not FeedbackLink.objects.filter(token_hash=token).exists()
    assert link.expires_at > timezone.now() + dt.timedelta(days=13)


def test_resident_answers_through_the_link_without_an_account(resident_questionnaire, alice):
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    url = reverse("feedback:respond", args=[token])
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert "Ik voelde me gehoord." in page.content.decode()
    assert "site-nav" not in page.content.decode()
    csrf = client.cookies["csrftoken"].value
    done = client.post(
        url, {**answers(resident_questionnaire, 3, "Meer tijd"), "csrfmiddlewaretoken": csrf}
    )
    assert done.status_code == 200
    assert "Dank je wel!" in done.content.decode()
    response = Response.objects.get()
    assert response.channel == Response.Channel.LINK
    assert response.trajectory is None and response.handed_out_by is None
    assert response.respondent is None
    # Used once: a second submission is refused and changes nothing.
    again = client.post(url, {**answers(resident_questionnaire, 1), "csrfmiddlewaretoken": csrf})
    assert again.status_code == 410
    assert "Deze link is al gebruikt." in again.content.decode()
    assert Response.objects.count() == 1


def test_link_post_without_csrf_token_is_refused(resident_questionnaire, alice):
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    client = Client(enforce_csrf_checks=True)
    url = reverse("feedback:respond", args=[token])
    assert client.post(url, answers(resident_questionnaire)).status_code == 403
    assert not Response.objects.exists()


def test_bad_answers_through_a_link_keep_the_link_usable(resident_questionnaire, alice):
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    url = reverse("feedback:respond", args=[token])
    page = Client().post(url, answers(resident_questionnaire, "9"))
    assert "kies een antwoord van 1 tot en met 5" in page.content.decode()
    assert not Response.objects.exists()
    assert not FeedbackLink.objects.get().used
    assert Client().post(url, answers(resident_questionnaire, "2")).status_code == 200
    assert Response.objects.count() == 1


def test_expired_and_unknown_links_say_so(resident_questionnaire, alice):
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    with freeze_time(timezone.now() + dt.timedelta(days=services.LINK_DAYS + 1)):
        page = Client().get(reverse("feedback:respond", args=[token]))
        assert page.status_code == 410
        assert "Deze link is verlopen." in page.content.decode()
        posted = Client().post(
            reverse("feedback:respond", args=[token]), answers(resident_questionnaire)
        )
        assert posted.status_code == 410
    unknown = Client().get(reverse("feedback:respond", args=["niet-bestaand"]))
    assert unknown.status_code == 404
    assert "Deze link bestaat niet." in unknown.content.decode()
    assert not Response.objects.exists()


def test_many_unknown_links_from_one_address_are_throttled(resident_questionnaire, alice):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    for n in range(FAILED_LOOKUPS_LIMIT):
        assert client.get(reverse("feedback:respond", args=[f"fout{n}"])).status_code == 404
    token = services.hand_out(resident_questionnaire, alice, FeedbackLink.Channel.LINK)
    page = client.get(reverse("feedback:respond", args=[token]))
    assert page.status_code == 429
    assert "Te veel pogingen" in page.content.decode()
    cache.clear()


def test_named_resident_questionnaire_needs_the_trajectory(organisation, olga, alice, trajectory):
    questionnaire = make_questionnaire(organisation, olga, anonymous=False)
    with pytest.raises(ValidationError):
        services.hand_out(questionnaire, alice, FeedbackLink.Channel.LINK)
    client = client_for(alice)
    response = client.post(
        reverse("feedback:hand_over", args=[questionnaire.pk]), {"trajectory": trajectory.pk}
    )
    assert response["Location"] == reverse("feedback:tablet")
    client.post(reverse("feedback:tablet"), answers(questionnaire, 4))
    saved = Response.objects.get()
    assert saved.trajectory == trajectory and saved.handed_out_by == alice
    assert saved.channel == Response.Channel.TABLET


def test_anonymous_questionnaire_never_stores_the_trajectory(
    resident_questionnaire, alice, trajectory
):
    client = client_for(alice)
    client.post(
        reverse("feedback:hand_over", args=[resident_questionnaire.pk]),
        {"trajectory": trajectory.pk},
    )
    assert FeedbackLink.objects.get().trajectory is None
    client.post(reverse("feedback:tablet"), answers(resident_questionnaire, 4))
    saved = Response.objects.get()
    assert saved.trajectory is None and saved.handed_out_by is None


def test_coach_cannot_hand_out_for_a_trajectory_and_outsider_gets_404(
    organisation, olga, bob, charlie, trajectory
):
    questionnaire = make_questionnaire(organisation, olga, anonymous=False)
    url = reverse("feedback:make_link", args=[questionnaire.pk])
    assert client_for(bob).post(url, {"trajectory": trajectory.pk}).status_code == 403
    assert client_for(charlie).post(url, {"trajectory": trajectory.pk}).status_code == 404
    assert not FeedbackLink.objects.exists()


# --- The tablet -----------------------------------------------------------------------


def test_tablet_hand_over_shows_no_navigation_and_returns_to_the_professional(
    resident_questionnaire, alice, trajectory
):
    client = client_for(alice)
    client.post(reverse("feedback:hand_over", args=[resident_questionnaire.pk]))
    screen = client.get(reverse("feedback:tablet")).content.decode()
    assert "Ik voelde me gehoord." in screen
    assert "site-nav" not in screen and "Alice" not in screen
    assert trajectory.resident.last_name not in screen
    thanks = client.post(reverse("feedback:tablet"), answers(resident_questionnaire, 5))
    assert "Geef terug aan de professional" in thanks.content.decode()
    assert TABLET_SESSION_KEY not in client.session
    back = hand_back(client, alice)
    assert back["Location"] == reverse("feedback:start")
    # The answering has ended: the tablet screen no longer shows the questions.
    assert client.get(reverse("feedback:tablet"))["Location"] == reverse("feedback:start")
    assert Response.objects.get().channel == Response.Channel.TABLET


def test_handing_back_unanswered_ends_the_hand_over(resident_questionnaire, alice):
    client = client_for(alice)
    client.post(reverse("feedback:hand_over", args=[resident_questionnaire.pk]))
    hand_back(client, alice)
    assert client.get(reverse("feedback:tablet")).status_code == 302
    assert not Response.objects.exists()


def test_trajectory_page_is_logged(resident_questionnaire, alice, trajectory):
    from wattelt.audit.models import AccessLog

    page = client_for(alice).get(reverse("feedback:trajectory", args=[trajectory.pk]))
    assert page.status_code == 200
    assert AccessLog.objects.filter(
        resident_id=trajectory.resident_id, object_type="trajectory", username="alice"
    ).exists()


# --- Results --------------------------------------------------------------------------


def answer_n(questionnaire: Questionnaire, by, n: int, scale: int = 4, text: str = "") -> None:
    for i in range(n):
        token = services.hand_out(questionnaire, by, FeedbackLink.Channel.LINK)
        services.answer_with_link(
            token, answers(questionnaire, scale, f"{text}{i}" if text else "")
        )


def summary_of(questionnaire: Questionnaire, per: str = services.QUARTER):
    (period,) = services.results(questionnaire, per)
    return period.summaries


def test_fewer_than_ten_answers_show_as_suppressed(resident_questionnaire, alice, bob):
    answer_n(resident_questionnaire, alice, 9, text="tip ")
    scale, open_ = summary_of(resident_questionnaire)
    assert scale.suppressed and scale.count == "<10" and scale.mean is None
    assert open_.suppressed and open_.texts == []
    page = client_for(bob).get(
        reverse("feedback:questionnaire_results", args=[resident_questionnaire.pk])
    )
    assert "&lt;10" in page.content.decode() and "tip 1" not in page.content.decode()
    answer_n(resident_questionnaire, alice, 1, scale=2, text="laatste ")
    scale, open_ = summary_of(resident_questionnaire)
    assert not scale.suppressed and scale.count == 10
    assert scale.mean == pytest.approx((9 * 4 + 2) / 10)
    assert dict(scale.distribution) == {1: 0, 2: 1, 3: 0, 4: 9, 5: 0}
    assert open_.texts == sorted(open_.texts, key=str.casefold) and len(open_.texts) == 10


def test_a_small_month_cannot_be_worked_out_from_its_quarter(resident_questionnaire, alice):
    with freeze_time("2026-10-15"):
        resident_questionnaire.opens_on = dt.date(2026, 1, 1)
        resident_questionnaire.save()
        answer_n(resident_questionnaire, alice, 3)
    with freeze_time("2026-11-15"):
        answer_n(resident_questionnaire, alice, 12)
        months = services.results(resident_questionnaire, services.MONTH)
        (quarter,) = services.results(resident_questionnaire, services.QUARTER)
    assert quarter.summaries[0].count == 15
    by_month = {p.period: p.summaries[0] for p in months}
    # October is below 10; November is hidden too, or October = quarter - November.
    assert by_month["2026-10"].suppressed and by_month["2026-11"].suppressed


def test_open_answers_are_listed_per_quarter_only(resident_questionnaire, alice):
    answer_n(resident_questionnaire, alice, 12, text="idee ")
    (month,) = services.results(resident_questionnaire, services.MONTH)
    assert month.summaries[1].texts == []
    assert len(summary_of(resident_questionnaire)[1].texts) == 12


def test_results_are_for_admin_quality_officer_and_coaches_only(
    resident_questionnaire, alice, bob, organisation
):
    url = reverse("feedback:questionnaire_results", args=[resident_questionnaire.pk])
    assert client_for(alice).get(url).status_code == 404
    assert client_for(bob).get(url).status_code == 200
    quinn = staff_with_role("quinn", organisation, Role.Name.QUALITY_OFFICER)
    assert client_for(quinn).get(url).status_code == 200


def test_admin_list_of_questionnaires_makes_a_fixed_number_of_queries(
    organisation, olga, alice, django_assert_max_num_queries
):
    for _ in range(5):
        questionnaire = make_questionnaire(organisation, olga)
        answer_n(questionnaire, alice, 1)
    client = client_for(olga)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("feedback:manage"))
    assert page.content.decode().count("ingevuld, vastgezet") == 5


def test_results_per_month_page_renders(resident_questionnaire, alice, olga):
    answer_n(resident_questionnaire, alice, 10, text="idee ")
    url = reverse("feedback:questionnaire_results", args=[resident_questionnaire.pk])
    page = client_for(olga).get(url + "?per=maand").content.decode()
    assert "Open antwoorden: zie per kwartaal." in page
    assert Question.objects.filter(questionnaire=resident_questionnaire).count() == 2


def test_admin_reorders_and_deletes_questions_before_anyone_answered(resident_questionnaire, olga):
    first, second = resident_questionnaire.questions.all()
    data = questionnaire_post(
        title="Hoe was het gesprek?",
        **{
            "questions-TOTAL_FORMS": "4",
            "questions-INITIAL_FORMS": "2",
            "questions-0-text": first.text,
            "questions-0-kind": "scale",
            "questions-0-required": "on",
            "questions-0-ORDER": "3",
            "questions-1-text": second.text,
            "questions-1-kind": "open",
            "questions-1-ORDER": "1",
            "questions-1-DELETE": "on",
            "questions-2-text": "Nieuwe vraag",
            "questions-2-kind": "scale",
            "questions-2-required": "on",
            "questions-2-ORDER": "2",
            "questions-3-text": "",
            "questions-3-kind": "scale",
            "questions-3-ORDER": "",
        },
    )
    url = reverse("feedback:edit", args=[resident_questionnaire.pk])
    assert client_for(olga).post(url, data).status_code == 302
    assert [q.text for q in resident_questionnaire.questions.all()] == [
        "Nieuwe vraag",
        first.text,
    ]
