"""Screening through the screens: only the quality officer of the organisation, only
through a sample item, every look logged; findings reach the professional when shared."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, confirmed_measurement, staff_with_role
from tests.screening.conftest import FULL_REVIEW, make_trajectories, period, sample_of
from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Role
from wattelt.privacy.services import anonymise_resident
from wattelt.residents.models import Trajectory
from wattelt.screening import services
from wattelt.screening.models import PURPOSE, ScreeningItem, ScreeningRound


@pytest.fixture
def item(organisation, quinn, trajectory, alice):
    confirmed_measurement(trajectory, alice)
    sample = sample_of(organisation, quinn, 5)
    return ScreeningItem.objects.get(round=sample, trajectory=trajectory)


def screened_and_shared(item, quinn):
    screened = services.screen(item, quinn, services.ReviewInput(**FULL_REVIEW))
    return services.share(screened, quinn)


# --- drawing through the screen ------------------------------------------------------


def draw_post(**extra):
    start, end = period()
    return {"start": start.isoformat(), "end": end.isoformat(), "size": "5", **extra}


def test_quality_officer_draws_a_sample_and_lands_on_it(quinn, trajectory):
    response = client_for(quinn).post(reverse("screening:rounds"), draw_post(), follow=True)
    assert response.status_code == 200
    sample = ScreeningRound.objects.get()
    assert response.redirect_chain[-1][0] == reverse("screening:round", args=[sample.pk])
    assert "1 dossiers zijn getrokken" in response.content.decode()


def test_a_sample_larger_than_the_population_says_the_whole_population_is_taken(quinn, trajectory):
    response = client_for(quinn).post(reverse("screening:rounds"), draw_post(), follow=True)
    assert "de hele populatie" in response.content.decode()
    assert ScreeningItem.objects.get().trajectory == trajectory


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"size": "0"}, "minstens 1"),
        ({"size": "-4"}, "minstens 1"),
        ({"size": "veel"}, "geheel getal"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "voor het begin"),
        ({"start": "2001-01-01", "end": "2001-02-01"}, "geen trajecten"),
        ({"teams": "999999"}, "Onbekend team"),
        ({"start": ""}, "eerste dag"),
        ({"size": "51"}, "hoogstens 50"),
        ({"size": "1" + "0" * 30}, "hoogstens 50"),
        ({"seed": "12345"}, "eerdere ronde"),
    ],
)
def test_bad_draw_input_gets_a_dutch_message_and_draws_nothing(quinn, trajectory, fields, message):
    response = client_for(quinn).post(reverse("screening:rounds"), draw_post(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScreeningRound.objects.exists()


def test_a_period_ending_in_the_future_is_refused(quinn, trajectory):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = tomorrow - dt.timedelta(days=30)
    post = draw_post(start=start.isoformat(), end=tomorrow.isoformat())
    response = client_for(quinn).post(reverse("screening:rounds"), post)
    assert response.status_code == 400 and "in de toekomst" in response.content.decode()
    assert not ScreeningRound.objects.exists()


def test_a_team_of_another_organisation_cannot_be_chosen(quinn, trajectory, charlie):
    other_team = charlie.teams.get()
    response = client_for(quinn).post(
        reverse("screening:rounds"), draw_post(teams=str(other_team.pk))
    )
    assert response.status_code == 400 and "Onbekend team" in response.content.decode()
    assert not ScreeningRound.objects.exists()


# --- access: only through a sample item of one's own organisation --------------------


def test_quality_officer_has_no_access_to_residents_by_role(quinn, trajectory):
    client = client_for(quinn)
    for url in (
        reverse("residents:detail", args=[trajectory.resident_id]),
        reverse("instrument:progress", args=[trajectory.pk]),
        reverse("instrument:plan", args=[trajectory.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_quality_officer_sees_the_dossier_of_a_sampled_trajectory_logged(item, quinn, trajectory):
    before = AccessLog.objects.count()
    response = client_for(quinn).get(reverse("screening:item", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ik wil rust over mijn geld" in page  # the goal in the resident's own words
    assert "Startmeting" in page and "F.Y. traject" in page
    assert "Yilmaz" not in page and "111222333" not in page and "Fatima" not in page
    record = AccessLog.objects.order_by("-id").first()
    assert AccessLog.objects.count() == before + 1
    assert record.purpose == PURPOSE and record.resident_id == trajectory.resident_id
    assert record.username == "quinn" and record.action == "read"
    assert "quality_officer" in record.role


def test_the_round_page_shows_pseudonyms_and_is_logged(item, quinn, trajectory):
    response = client_for(quinn).get(reverse("screening:round", args=[item.round_id]))
    page = response.content.decode()
    assert f"F.Y. traject {trajectory.pk}" in page and "Yilmaz" not in page
    assert AccessLog.objects.filter(
        username="quinn", purpose=PURPOSE, resident_id=trajectory.resident_id
    ).exists()


def test_quality_officer_of_another_organisation_gets_404_and_saves_nothing(
    item, charlie, trajectory
):
    other = staff_with_role("quentin", charlie.organisation, Role.Name.QUALITY_OFFICER)
    client = client_for(other)
    assert client.get(reverse("screening:item", args=[item.pk])).status_code == 404
    assert client.post(reverse("screening:item", args=[item.pk]), FULL_REVIEW).status_code == 404
    assert client.post(reverse("screening:share", args=[item.pk])).status_code == 404
    assert client.get(reverse("screening:round", args=[item.round_id])).status_code == 404
    item.refresh_from_db()
    assert not item.is_screened and not item.is_shared
    looks = AccessLog.objects.filter(username="quentin", resident_id=trajectory.resident_id)
    # Each attempt at the drawn item is on the record as refused; nothing was shown.
    assert looks.count() == 3
    assert set(looks.values_list("outcome", flat=True)) == {AccessLog.Outcome.REFUSED}


def test_professional_and_coach_cannot_screen(item, alice, bob):
    for user in (alice, bob):
        response = client_for(user).post(reverse("screening:item", args=[item.pk]), FULL_REVIEW)
        assert response.status_code == 404
    item.refresh_from_db()
    assert not item.is_screened


def test_a_trajectory_not_in_any_sample_is_out_of_reach(item, quinn, alice, district, team):
    (outside,) = make_trajectories(
        1, team, alice, district, started_days_ago=5000, ended_days_ago=4000
    )
    assert not ScreeningItem.objects.filter(trajectory=outside).exists()
    assert not ScreeningItem.objects.visible_to(quinn).filter(trajectory=outside).exists()
    client = client_for(quinn)
    assert client.get(reverse("instrument:progress", args=[outside.pk])).status_code == 404


# --- the form ------------------------------------------------------------------------


def test_screening_saves_the_findings(item, quinn):
    response = client_for(quinn).post(reverse("screening:item", args=[item.pk]), FULL_REVIEW)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.goals_match_priorities == "no" and item.screened_by == quinn
    assert item.notes == FULL_REVIEW["notes"]
    assert AccessLog.objects.filter(
        object_type="screening_item", action="change", purpose=PURPOSE
    ).exists()


def test_an_unanswered_question_is_named_in_dutch_and_nothing_is_saved(item, quinn):
    post = {**FULL_REVIEW, "goals_own_words": ""}
    response = client_for(quinn).post(reverse("screening:item", args=[item.pk]), post)
    assert response.status_code == 400
    assert "Beantwoord deze vraag" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_screened and item.notes == ""


def test_start_registration_is_yes_or_no(item, quinn):
    post = {**FULL_REVIEW, "start_registered": "partly"}
    response = client_for(quinn).post(reverse("screening:item", args=[item.pk]), post)
    assert response.status_code == 400
    item.refresh_from_db()
    assert not item.is_screened


def test_a_trajectory_closed_after_the_draw_can_still_be_screened(item, quinn, trajectory):
    Trajectory.objects.filter(pk=trajectory.pk).update(
        ended_on=trajectory.started_on.replace(year=trajectory.started_on.year + 1),
        closing_reason="goals_reached",
    )
    client = client_for(quinn)
    page = client.get(reverse("screening:item", args=[item.pk])).content.decode()
    assert "gesloten" in page
    assert client.post(reverse("screening:item", args=[item.pk]), FULL_REVIEW).status_code == 302


def test_a_dossier_erased_after_the_draw_is_shown_as_such_and_not_screened(item, quinn, trajectory):
    anonymise_resident(trajectory.resident)
    client = client_for(quinn)
    response = client.get(reverse("screening:item", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "gewist" in page and "Ik wil rust" not in page
    response = client.post(reverse("screening:item", args=[item.pk]), FULL_REVIEW)
    assert response.status_code == 400 and "gewist" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_screened
    findings = client.get(reverse("screening:findings", args=[item.round_id])).content.decode()
    assert "1 gewist na de trekking" in findings


def test_a_deleted_trajectory_leaves_the_drawn_number(item, quinn, trajectory):
    number = trajectory.pk
    trajectory.resident.delete()
    item.refresh_from_db()
    assert item.trajectory is None and item.trajectory_number == number
    client = client_for(quinn)
    assert client.get(reverse("screening:item", args=[item.pk])).status_code == 200
    assert client.get(reverse("screening:round", args=[item.round_id])).status_code == 200


# --- findings per team ---------------------------------------------------------------


def test_findings_are_counted_per_team_and_for_the_round(
    organisation, quinn, team, zuid, alice, dave, district
):
    make_trajectories(3, team, alice, district)
    make_trajectories(2, zuid, dave, district)
    sample = sample_of(organisation, quinn, 10)
    north = list(sample.items.filter(team=team))
    for i, screening_item in enumerate(north):
        answers = {**FULL_REVIEW, "goals_own_words": "yes" if i else "no"}
        services.screen(screening_item, quinn, services.ReviewInput(**answers))
    rows = {row.team: row for row in services.findings_per_team(sample)}
    noord, all_teams = rows["Team Noord"], rows["Alle teams"]
    own_words = next(q for q in noord.questions if q.question == "goals_own_words")
    assert own_words.counts == {"yes": 2, "no": 1} and own_words.yes_share == 67
    on_time = next(q for q in noord.questions if q.question == "follow_up_on_time")
    assert on_time.yes_share is None  # all "not applicable"
    assert (noord.drawn, noord.screened, noord.population) == (3, 3, 3)
    assert (rows["Team Zuid"].drawn, rows["Team Zuid"].screened) == (2, 0)
    assert (all_teams.drawn, all_teams.screened, all_teams.population) == (5, 3, 5)
    page = client_for(quinn).get(reverse("screening:findings", args=[sample.pk])).content.decode()
    assert "67%" in page and "Achternaam" not in page


# --- sharing and discussing ----------------------------------------------------------


def test_findings_cannot_be_shared_before_screening(item, quinn):
    response = client_for(quinn).post(reverse("screening:share", args=[item.pk]), follow=True)
    assert "Screen eerst het dossier" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_shared


def test_the_professional_sees_findings_only_after_sharing(item, quinn, alice, bob, dave):
    services.screen(item, quinn, services.ReviewInput(**FULL_REVIEW))
    url = reverse("screening:my_findings")
    assert "Doel is door de professional" not in client_for(alice).get(url).content.decode()
    client_for(quinn).post(reverse("screening:share", args=[item.pk]))
    for user in (alice, bob):
        page = client_for(user).get(url).content.decode()
        assert "Doel is door de professional" in page, user
    assert "Doel is door de professional" not in client_for(dave).get(url).content.decode()


def test_shared_findings_can_no_longer_change(item, quinn):
    screened_and_shared(item, quinn)
    post = {**FULL_REVIEW, "notes": "Anders"}
    response = client_for(quinn).post(reverse("screening:item", args=[item.pk]), post)
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.notes == FULL_REVIEW["notes"]


def test_share_round_shares_only_screened_items(organisation, quinn, team, alice, district):
    make_trajectories(3, team, alice, district)
    sample = sample_of(organisation, quinn, 3)
    first = sample.items.first()
    services.screen(first, quinn, services.ReviewInput(**FULL_REVIEW))
    client_for(quinn).post(reverse("screening:share_round", args=[sample.pk]))
    assert list(sample.items.filter(shared_at__isnull=False)) == [first]


def test_the_responsible_professional_records_the_conversation(item, quinn, alice, bob):
    screened_and_shared(item, quinn)
    url = reverse("screening:discussed", args=[item.pk])
    assert client_for(bob).post(url, {"note": "x"}).status_code == 403
    response = client_for(alice).post(url, {"note": "Samen doelen herschreven"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.discussed_by == alice and item.discussion_note == "Samen doelen herschreven"
    page = client_for(bob).get(reverse("screening:my_findings")).content.decode()
    assert "Samen doelen herschreven" in page


def test_an_unshared_finding_cannot_be_marked_discussed(item, quinn, alice):
    services.screen(item, quinn, services.ReviewInput(**FULL_REVIEW))
    response = client_for(alice).post(reverse("screening:discussed", args=[item.pk]))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.discussed_at is None


def test_roles_without_a_team_get_404_on_my_findings(quinn, privacy_officer):
    for user in (quinn, privacy_officer):
        assert client_for(user).get(reverse("screening:my_findings")).status_code == 404


def test_the_note_for_the_progress_page_appears_only_after_sharing(item, quinn, alice, dave):
    from django.template import Context, Template
    from django.test import RequestFactory

    snippet = Template("{% load screening %}{% screening_findings trajectory %}")

    def render_for(user):
        request = RequestFactory().get("/")
        request.user = user
        return snippet.render(Context({"request": request, "trajectory": item.trajectory}))

    assert "screeningsbevinding" not in render_for(alice)
    screened_and_shared(item, quinn)
    assert "1 screeningsbevinding" in render_for(alice)
    assert render_for(dave).strip() == ""


@pytest.mark.parametrize("name", ["rounds", "round", "findings", "item"])
def test_every_screening_page_is_logged_with_the_purpose(item, quinn, name):
    args = {"rounds": [], "round": [item.round_id], "findings": [item.round_id]}
    url = reverse(f"screening:{name}", args=args.get(name, [item.pk]))
    before = AccessLog.objects.filter(username="quinn", purpose=PURPOSE).count()
    assert client_for(quinn).get(url).status_code == 200
    assert AccessLog.objects.filter(username="quinn", purpose=PURPOSE).count() > before


def test_demo_seed_is_idempotent(organisation, quinn, team, alice, district):
    from wattelt.screening import demo

    make_trajectories(6, team, alice, district)
    demo.seed(organisation)
    demo.seed(organisation)
    sample = ScreeningRound.objects.get()
    assert sample.items.count() == 6
    assert sample.items.filter(screened_at__isnull=False).count() == 4
    assert sample.items.filter(shared_at__isnull=False).count() == 3


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_round_page_and_my_findings_make_a_fixed_number_of_queries(
    organisation, quinn, team, alice, district
):
    make_trajectories(3, team, alice, district)
    small = sample_of(organisation, quinn, 3)
    make_trajectories(9, team, alice, district)
    large = sample_of(organisation, quinn, 12)
    for sample in (small, large):
        for screening_item in sample.items.all():
            screened_and_shared(screening_item, quinn)
    quality, professional = client_for(quinn), client_for(alice)
    assert _queries(quality, reverse("screening:round", args=[small.pk])) == _queries(
        quality, reverse("screening:round", args=[large.pk])
    )
    few = _queries(professional, reverse("screening:my_findings"))
    ScreeningItem.objects.filter(round=small).update(shared_at=None)
    assert _queries(professional, reverse("screening:my_findings")) == few


def test_repeating_a_draw_with_its_seed_through_the_form_gives_the_same_dossiers(
    quinn, team, zuid, alice, dave, district
):
    make_trajectories(8, team, alice, district)
    make_trajectories(5, zuid, dave, district)
    client = client_for(quinn)
    client.post(reverse("screening:rounds"), draw_post(size="6"))
    first = ScreeningRound.objects.get()
    client.post(reverse("screening:rounds"), draw_post(size="6", seed=str(first.seed)))
    again = ScreeningRound.objects.exclude(pk=first.pk).get()
    assert again.seed == first.seed
    ids = lambda sample: sorted(sample.items.values_list("trajectory_number", flat=True))  # noqa: E731
    assert ids(again) == ids(first) and len(ids(first)) == 6


def test_share_round_logs_one_record_per_resident(organisation, quinn, team, alice, district):
    make_trajectories(3, team, alice, district)
    sample = sample_of(organisation, quinn, 3)
    screened = list(sample.items.select_related("trajectory")[:2])
    for screening_item in screened:
        services.screen(screening_item, quinn, services.ReviewInput(**FULL_REVIEW))
    client_for(quinn).post(reverse("screening:share_round", args=[sample.pk]))
    records = AccessLog.objects.filter(
        username="quinn", action="change", purpose=PURPOSE, object_type="screening_item"
    )
    assert sorted(records.values_list("resident_id", flat=True)) == sorted(
        i.trajectory.resident_id for i in screened
    )
    assert sorted(records.values_list("object_id", flat=True)) == sorted(
        str(i.pk) for i in screened
    )


def test_a_recorded_conversation_is_not_overwritten(item, quinn, alice):
    screened_and_shared(item, quinn)
    url = reverse("screening:discussed", args=[item.pk])
    client_for(alice).post(url, {"note": "Eerste gesprek"})
    response = client_for(alice).post(url, {"note": "Overschreven"}, follow=True)
    assert "al vastgelegd" in response.content.decode()
    item.refresh_from_db()
    assert item.discussion_note == "Eerste gesprek"
    with pytest.raises(ValidationError, match="al vastgelegd"):
        services.record_discussion(item, alice, "Nog eens")


def test_the_item_page_links_its_neighbours_fetching_only_them(
    organisation, quinn, team, zuid, alice, dave, district
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_trajectories(4, team, alice, district)
    make_trajectories(3, zuid, dave, district)
    sample = sample_of(organisation, quinn, 7)
    ordered = list(sample.items.order_by("team__name", "trajectory_number"))
    client = client_for(quinn)
    for index, screening_item in enumerate(ordered):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("screening:item", args=[screening_item.pk]))
        context = response.context
        assert context["position"] == index + 1 and context["count"] == 7
        assert context["previous"] == (ordered[index - 1].pk if index else None)
        assert context["next"] == (ordered[index + 1].pk if index < 6 else None)
        # No query loads the ids of the whole round: neighbours are fetched one by one,
        # through the screener's access rule (the round's organisation).
        lookups = [
            q["sql"]
            for q in captured.captured_queries
            if 'FROM "screening_screeningitem"' in q["sql"] and "ORDER BY" in q["sql"]
        ]
        assert lookups and all("LIMIT" in sql for sql in lookups), lookups
        assert all('"organisation_id"' in sql for sql in lookups), lookups
