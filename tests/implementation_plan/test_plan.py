"""The implementation plan: editing the draft section by section, bad input, two editors
at once, publishing versions, who sees what, the PDF and the demo plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from wattelt.implementation.adoption import organisation_value
from wattelt.implementation_plan import demo, services
from wattelt.implementation_plan.models import (
    MatrixActivity,
    PlanGoal,
    PlanningRow,
    PlanVersion,
    ProjectMember,
)
from wattelt.implementation_plan.progress import Status, goal_progress

from .conftest import started_trajectories

PLAN = reverse("implementation_plan:plan")


def edit_url(section: str) -> str:
    return reverse("implementation_plan:edit", args=[section])


def rows_post(draft: PlanVersion, section: str, rows: list[dict[str, object]], initial: int = 0):
    """What the browser posts for a formset section."""
    data: dict[str, object] = {
        "draft": draft.pk,
        "revision": draft.section_revision(section),
        "rows-TOTAL_FORMS": len(rows),
        "rows-INITIAL_FORMS": initial,
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        for name, value in row.items():
            data[f"rows-{n}-{name}"] = value
    return data


def goal_row(**fields: object) -> dict[str, object]:
    return {"description": "", "indicator_key": "", "target": "", "target_date": "", **fields}


def planning_row(**fields: object) -> dict[str, object]:
    return {"year": 2027, "quarter": "1", "activity": "", "owner": "", "cost": "", **fields}


# --- starting and editing ---------------------------------------------------------------


def test_a_new_plan_starts_with_the_guides_target_groups(organisation, olga):
    response = client_for(olga).post(reverse("implementation_plan:start_draft"))
    assert response.status_code == 302
    draft = PlanVersion.objects.get(status="draft")
    assert [g.name for g in draft.target_groups.all()] == [
        "Professionals",
        "Inwoners",
        "Directie/bestuur/management",
        "Opdrachtgever/financier (gemeente)",
    ]


def test_editor_adds_project_group_members_without_javascript(draft, olga):
    client = client_for(olga)
    page = client.get(edit_url("projectgroep"))
    assert page.status_code == 200
    assert page.content.count(b'name="rows-') >= 4  # two empty rows to fill in
    rows = [{"name": "Els Kunst", "role": "projectleider"}, {"name": "", "role": ""}]
    response = client.post(edit_url("projectgroep"), rows_post(draft, "projectgroep", rows))
    assert response.status_code == 302
    assert list(ProjectMember.objects.values_list("name", "role")) == [
        ("Els Kunst", "projectleider")
    ]
    plan = client.get(PLAN)
    assert "Els Kunst" in plan.content.decode()


def test_existing_rows_stay_when_another_is_added_and_a_ticked_row_goes(draft, olga):
    services.save_members(
        draft, olga, [services.MemberInput("Anna", "a"), services.MemberInput("Bert", "b")]
    )
    draft.refresh_from_db()
    keys = list(draft.members.values_list("key", flat=True))
    rows = [
        {"key": keys[0], "name": "Anna", "role": "a"},
        {"key": keys[1], "name": "Bert", "role": "b", "DELETE": "on"},
        {"name": "Cor", "role": "c"},
    ]
    response = client_for(olga).post(
        edit_url("projectgroep"), rows_post(draft, "projectgroep", rows, initial=2)
    )
    assert response.status_code == 302
    assert list(draft.members.values_list("name", flat=True)) == ["Anna", "Cor"]
    assert draft.members.get(name="Anna").key == keys[0]


def test_matrix_cell_holds_one_activity_per_line(draft, olga):
    professionals = draft.target_groups.get(name="Professionals")
    data = {
        "draft": draft.pk,
        "revision": 1,
        f"cell-{professionals.key}-kunnen": "Training in kleine groepen\n\n- Vragenuurtje",
    }
    response = client_for(olga).post(edit_url("activiteiten"), data)
    assert response.status_code == 302
    assert list(MatrixActivity.objects.values_list("phase", "text")) == [
        ("kunnen", "Training in kleine groepen"),
        ("kunnen", "Vragenuurtje"),
    ]


def test_planning_totals_per_quarter(draft, olga):
    rows = [
        planning_row(activity="Startbijeenkomst", owner="Projectleider", cost="1.250,50"),
        planning_row(activity="Nieuwsbrief", cost="0"),
        planning_row(quarter="2", activity="Training", owner="Instructieteam", cost="€ 3000"),
    ]
    response = client_for(olga).post(edit_url("planning"), rows_post(draft, "planning", rows))
    assert response.status_code == 302
    contents = services.plan_contents(draft, with_progress=False)
    assert [(t.year, t.quarter, t.total) for t in contents.quarter_totals] == [
        (2027, 1, Decimal("1250.50")),
        (2027, 2, Decimal("3000")),
    ]
    assert contents.total_cost == Decimal("4250.50")
    page = client_for(olga).get(PLAN).content.decode()
    assert "€ 1.250,50" in page and "€ 4.250,50" in page


# --- bad input: a Dutch message, nothing half-saved -------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            goal_row(
                description="Startmetingen",
                indicator_key="start_within_14_days",
                target="120",
                target_date="2027-07-01",
            ),
            "Een streefwaarde in procenten ligt tussen 0 en 100.",
        ),
        (
            goal_row(
                description="Startmetingen",
                indicator_key="start_within_14_days",
                target="80",
                target_date="1 juli volgend jaar",
            ),
            "Geef de datum als dag-maand-jaar, bijvoorbeeld 1-7-2027.",
        ),
        (
            goal_row(indicator_key="start_within_14_days", target="80", target_date="1-7-2027"),
            "Beschrijf het doel",
        ),
        (
            goal_row(description="Iets", indicator_key="bestaat_niet", target="80"),
            "Kies een indicator uit de lijst.",
        ),
        (
            goal_row(description="Iets", indicator_key="start_within_14_days"),
            "Geef de streefwaarde",
        ),
    ],
)
def test_bad_goal_is_refused_with_a_dutch_message_and_nothing_saved(draft, olga, row, message):
    rows = [goal_row(description="Een goed doel"), row]
    response = client_for(olga).post(edit_url("doelen"), rows_post(draft, "doelen", rows))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlanGoal.objects.exists()  # not even the good one
    draft.refresh_from_db()
    assert draft.revision == 1


def test_goal_date_in_dutch_notation_is_understood(draft, olga):
    rows = [
        goal_row(
            description="Startmetingen",
            indicator_key="start_within_14_days",
            target="80",
            target_date="1-7-2027",
        )
    ]
    response = client_for(olga).post(edit_url("doelen"), rows_post(draft, "doelen", rows))
    assert response.status_code == 302
    goal = PlanGoal.objects.get()
    assert (goal.target, goal.target_date) == (Decimal(80), dt.date(2027, 7, 1))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (planning_row(activity="Training", cost="-500"), "De kosten kunnen niet negatief zijn."),
        (planning_row(activity="Training", cost="veel"), "Geef de kosten in euro"),
        (planning_row(activity="Training", quarter="5"), "Kies kwartaal 1, 2, 3 of 4."),
        (planning_row(activity="", owner="Els", cost="10"), "Beschrijf de activiteit."),
    ],
)
def test_bad_planning_row_is_refused(draft, olga, row, message):
    rows = [planning_row(activity="Goed", cost="10"), row]
    response = client_for(olga).post(edit_url("planning"), rows_post(draft, "planning", rows))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlanningRow.objects.exists()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("cell-{group}-vliegen", "onbekende fase"),
        ("cell-00000000-0000-0000-0000-000000000000-weten", "doelgroep die niet (meer) in"),
        ("cell-nonsense", "doelgroep die niet (meer) in"),
    ],
)
def test_matrix_with_unknown_phase_or_target_group_is_refused(draft, olga, cell, message):
    group = draft.target_groups.first()
    assert group is not None
    data = {
        "draft": draft.pk,
        "revision": 1,
        f"cell-{group.key}-weten": "Nieuwsbrief",
        cell.format(group=group.key): "Iets",
    }
    response = client_for(olga).post(edit_url("activiteiten"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MatrixActivity.objects.exists()


def test_service_refuses_negative_cost_whoever_calls_it(draft, olga):
    with pytest.raises(services.ValidationError, match="negatief"):
        services.save_planning(
            draft, olga, [services.PlanningInput(2027, 1, "Training", cost=Decimal(-1))]
        )
    assert not PlanningRow.objects.exists()


def test_database_refuses_negative_cost_and_unknown_quarter(draft):
    for fields in ({"cost": Decimal(-1), "quarter": 1}, {"cost": Decimal(1), "quarter": 5}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PlanningRow.objects.create(version=draft, year=2027, activity="x", **fields)


# --- two editors at once ----------------------------------------------------------------


def test_second_editor_is_told_and_keeps_their_input(draft, olga, quinn):
    olga_client, quinn_client = client_for(olga), client_for(quinn)
    # Both open the goals at revision 1.
    olga_post = rows_post(draft, "doelen", [goal_row(description="Olga's doel")])
    quinn_post = rows_post(draft, "doelen", [goal_row(description="Quinn's doel")])
    assert olga_client.post(edit_url("doelen"), olga_post).status_code == 302
    response = quinn_client.post(edit_url("doelen"), quinn_post)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Olga Test heeft dit deel van het concept" in page
    assert "Quinn&#x27;s doel" in page  # Quinn's input is still on screen
    assert "Olga&#x27;s doel" in page  # next to what the draft holds now
    assert list(PlanGoal.objects.values_list("description", flat=True)) == ["Olga's doel"]
    # Saving again is a deliberate choice: now Quinn's version is kept.
    quinn_post["revision"] = response.context["revision"]
    assert quinn_client.post(edit_url("doelen"), quinn_post).status_code == 302
    assert list(PlanGoal.objects.values_list("description", flat=True)) == ["Quinn's doel"]


def test_editors_of_different_sections_do_not_block_each_other(draft, olga, quinn):
    members = rows_post(draft, "projectgroep", [{"name": "Els", "role": ""}])
    goals = rows_post(draft, "doelen", [goal_row(description="Doel")])
    assert client_for(olga).post(edit_url("projectgroep"), members).status_code == 302
    assert client_for(quinn).post(edit_url("doelen"), goals).status_code == 302
    assert ProjectMember.objects.count() == 1 and PlanGoal.objects.count() == 1


def test_publishing_what_another_editor_just_changed_is_refused(draft, olga, quinn):
    services.save_members(draft, olga, [services.MemberInput("Els")])
    draft.refresh_from_db()
    seen = draft.revision
    services.save_texts(draft, quinn, "analyse", {"current_practice": "Nieuw"})
    response = client_for(olga).post(reverse("implementation_plan:publish"), {"revision": seen})
    assert response.status_code == 409
    assert "Er is niets gepubliceerd" in response.content.decode()
    assert not PlanVersion.objects.published().exists()


def publish_meanwhile(draft: PlanVersion, by) -> None:
    """Another editor changes the analysis and publishes the draft as version 1."""
    services.save_texts(draft, by, "analyse", {"current_practice": "ZRM"})
    draft.refresh_from_db()
    services.publish(draft, by, draft.revision)


def test_saving_into_a_draft_published_meanwhile_keeps_the_input(draft, olga, quinn, bob):
    stale = rows_post(draft, "projectgroep", [{"name": "Els", "role": ""}])
    publish_meanwhile(draft, quinn)
    response = client_for(olga).post(edit_url("projectgroep"), stale)
    assert response.status_code == 409
    assert "gepubliceerd als versie 1" in response.content.decode()
    assert 'value="Els"' in response.content.decode()
    # Nothing was saved, so no new draft either: coaches still see version 1.
    assert not PlanVersion.objects.filter(status="draft").exists()
    assert client_for(bob).get(PLAN).context["contents"].version.number == 1
    # Saving again starts a draft from version 1 and puts the input in there.
    stale.update(draft=response.context["draft_field"], revision=response.context["revision"])
    assert stale["draft"] == "new"
    assert client_for(olga).post(edit_url("projectgroep"), stale).status_code == 302
    new_draft = PlanVersion.objects.get(status="draft")
    assert list(new_draft.members.values_list("name", flat=True)) == ["Els"]
    assert new_draft.current_practice == "ZRM"
    assert new_draft.based_on is not None and new_draft.based_on.number == 1


def test_saving_again_with_bad_input_starts_no_draft(draft, olga, quinn):
    stale = rows_post(draft, "planning", [planning_row(activity="Training", cost="veel")])
    publish_meanwhile(draft, quinn)
    stale["draft"] = "new"
    stale["revision"] = 1
    response = client_for(olga).post(edit_url("planning"), stale)
    assert response.status_code == 400
    assert "Geef de kosten in euro" in response.content.decode()
    assert response.context["draft_field"] == "new"
    assert not PlanVersion.objects.filter(status="draft").exists()


def test_saving_again_after_another_started_a_draft_goes_into_theirs(draft, olga, quinn):
    stale = rows_post(draft, "projectgroep", [{"name": "Els", "role": ""}])
    publish_meanwhile(draft, quinn)
    response = client_for(olga).post(edit_url("projectgroep"), stale)
    assert response.status_code == 409
    # Quinn starts a draft and changes the project group before Olga saves again.
    theirs = services.start_draft(draft.plan.organisation, quinn)
    services.save_members(theirs, quinn, [services.MemberInput("Quinn")])
    stale.update(draft=response.context["draft_field"], revision=response.context["revision"])
    again = client_for(olga).post(edit_url("projectgroep"), stale)
    assert again.status_code == 409  # Olga is told, and sees Quinn's version
    assert again.context["draft_field"] == str(theirs.pk)
    assert list(theirs.members.values_list("name", flat=True)) == ["Quinn"]
    stale.update(draft=again.context["draft_field"], revision=again.context["revision"])
    assert client_for(olga).post(edit_url("projectgroep"), stale).status_code == 302
    assert list(theirs.members.values_list("name", flat=True)) == ["Els"]
    assert PlanVersion.objects.filter(status="draft").count() == 1


def test_saving_into_a_discarded_draft_keeps_the_input(draft, olga, quinn):
    stale = rows_post(draft, "projectgroep", [{"name": "Els", "role": ""}])
    services.discard_draft(draft, quinn, draft.revision)
    response = client_for(olga).post(edit_url("projectgroep"), stale)
    assert response.status_code == 409
    assert "weggegooid" in response.content.decode()
    assert 'value="Els"' in response.content.decode()
    assert not ProjectMember.objects.exists()
    assert not PlanVersion.objects.exists()  # no draft for a save that stored nothing
    stale.update(draft=response.context["draft_field"], revision=response.context["revision"])
    assert client_for(olga).post(edit_url("projectgroep"), stale).status_code == 302
    new_draft = PlanVersion.objects.get(status="draft")
    assert list(new_draft.members.values_list("name", flat=True)) == ["Els"]


def test_discarding_what_another_editor_just_changed_is_refused(draft, olga, quinn):
    seen = draft.revision
    services.save_members(draft, quinn, [services.MemberInput("Els")])
    response = client_for(olga).post(reverse("implementation_plan:discard"), {"revision": seen})
    assert response.status_code == 302
    assert PlanVersion.objects.filter(pk=draft.pk).exists()
    assert ProjectMember.objects.count() == 1


# --- publishing and versions ------------------------------------------------------------


def test_publish_freezes_version_with_who_when_and_what_changed(draft, olga, quinn):
    services.save_members(draft, olga, [services.MemberInput("Els", "projectleider")])
    services.save_goals(draft, olga, [services.GoalInput("Iedereen getraind")])
    draft.refresh_from_db()
    client = client_for(olga)
    response = client.post(
        reverse("implementation_plan:publish"), {"revision": draft.revision, "note": "Start"}
    )
    assert response.status_code == 302
    v1 = PlanVersion.objects.get(number=1)
    assert (v1.status, v1.published_by, v1.change_note) == ("published", olga, "Start")
    assert v1.published_at is not None
    assert services.describe_changes(v1.changes) == [
        "Projectgroep: 1 toegevoegd",
        "Implementatiedoelen: 1 toegevoegd",
        "Doelgroepen: 4 toegevoegd",
    ]
    # The next edit works on a copy; version 1 stays as it was.
    draft2 = services.start_draft(draft.plan.organisation, quinn)
    goal = draft2.goals.get()
    services.save_goals(
        draft2,
        quinn,
        [services.GoalInput("Iedereen getraind voor 1 juli", key=goal.key)],
    )
    services.save_members(draft2, quinn, [])
    draft2.refresh_from_db()
    v2 = services.publish(draft2, quinn, draft2.revision)
    assert v2.number == 2
    assert services.describe_changes(v2.changes) == [
        "Projectgroep: 1 verwijderd",
        "Implementatiedoelen: 1 gewijzigd",
    ]
    assert list(v1.goals.values_list("description", flat=True)) == ["Iedereen getraind"]
    old = client.get(reverse("implementation_plan:version", args=[1])).content.decode()
    assert "Iedereen getraind" in old and "eerdere versie" in old
    listing = client.get(reverse("implementation_plan:versions")).content.decode()
    assert "Versie 2" in listing and "Versie 1" in listing and "Quinn Test" in listing


def test_nothing_to_publish_is_said_so(draft, olga):
    services.save_members(draft, olga, [services.MemberInput("Els")])
    draft.refresh_from_db()
    services.publish(draft, olga, draft.revision)
    draft2 = services.start_draft(draft.plan.organisation, olga)
    response = client_for(olga).post(
        reverse("implementation_plan:publish"), {"revision": draft2.revision}
    )
    assert response.status_code == 400
    assert "Er is niets gewijzigd sinds versie 1" in response.content.decode()
    assert PlanVersion.objects.get(pk=draft2.pk).is_draft


def test_published_version_cannot_be_edited(draft, olga):
    services.save_members(draft, olga, [services.MemberInput("Els")])
    draft.refresh_from_db()
    v1 = services.publish(draft, olga, draft.revision)
    with pytest.raises(services.PlanConflict):
        services.save_members(v1, olga, [services.MemberInput("Iemand anders")])
    assert list(v1.members.values_list("name", flat=True)) == ["Els"]


# --- who sees what ----------------------------------------------------------------------


def test_professional_reads_only_the_published_version(draft, olga, alice, bob):
    services.save_texts(draft, olga, "analyse", {"current_practice": "Gepubliceerde analyse"})
    draft.refresh_from_db()
    services.publish(draft, olga, draft.revision)
    draft2 = services.start_draft(draft.plan.organisation, olga)
    services.save_texts(draft2, olga, "analyse", {"current_practice": "Geheim concept"})
    for_alice = client_for(alice).get(PLAN).content.decode()
    assert "Gepubliceerde analyse" in for_alice and "Geheim concept" not in for_alice
    for_bob = client_for(bob).get(PLAN).content.decode()
    assert "Geheim concept" in for_bob  # the coach reads the draft, cannot edit it
    assert reverse("implementation_plan:publish") not in for_bob
    assert client_for(bob).get(edit_url("analyse")).status_code == 403


def test_professional_without_published_plan_is_told(alice):
    response = client_for(alice).get(PLAN)
    assert response.status_code == 200
    assert "nog geen gepubliceerd implementatieplan" in response.content.decode()


def test_other_organisation_sees_nothing_of_our_plan(draft, olga, charlie):
    services.save_members(draft, olga, [services.MemberInput("Els Kunst")])
    draft.refresh_from_db()
    services.publish(draft, olga, draft.revision)
    client = client_for(charlie)
    own = client.get(PLAN)  # his own organisation has no plan
    assert own.status_code == 200 and "Els Kunst" not in own.content.decode()
    assert "Versie 1" not in client.get(reverse("implementation_plan:versions")).content.decode()
    assert client.get(reverse("implementation_plan:version", args=[1])).status_code == 404
    assert client.get(reverse("implementation_plan:version_pdf", args=[1])).status_code == 404


# --- live figures -----------------------------------------------------------------------


def linked_goal(draft, olga, target: int, target_date: dt.date, key="start_within_14_days"):
    services.save_goals(
        draft, olga, [services.GoalInput("Startmetingen", key, Decimal(target), target_date)]
    )
    return draft.goals.get()


def test_goal_shows_the_live_figure_from_the_adoption_api(
    draft, olga, alice, team, district, organisation, catalogue
):
    started_trajectories(team, alice, district, count=4, measured=3)
    goal = linked_goal(draft, olga, 80, timezone.localdate() + dt.timedelta(days=200))
    today = timezone.localdate()
    expected = organisation_value(
        organisation, "start_within_14_days", today - dt.timedelta(days=89), today
    )
    assert expected is not None and expected.value == 75.0
    progress = goal_progress(organisation, goal)
    assert (progress.value, progress.numerator, progress.denominator) == (75.0, 3, 4)
    page = client_for(olga).get(PLAN).content.decode()
    assert (
        "Registratiegraad (startmeting binnen 30 dagen)" in page
        and "75%" in page
        and "(3 / 4)" in page
    )


def test_goal_statuses(draft, olga, alice, team, district, organisation, catalogue):
    started_trajectories(team, alice, district, count=4, measured=2)  # 50%
    today = timezone.localdate()
    goal = linked_goal(draft, olga, 80, today + dt.timedelta(days=100))
    # Set 100 days ago, halfway: 40% expected (nothing measured before), 50% is on track.
    PlanGoal.objects.filter(pk=goal.pk).update(set_on=today - dt.timedelta(days=100))
    goal.refresh_from_db()
    assert goal_progress(organisation, goal).status == Status.ON_TRACK
    goal.set_on = today - dt.timedelta(days=190)  # 95% of the way: 76% expected
    assert goal_progress(organisation, goal).status == Status.BEHIND
    goal.target = Decimal(50)
    assert goal_progress(organisation, goal).status == Status.REACHED
    goal.target = Decimal(80)
    goal.target_date = today - dt.timedelta(days=1)
    assert goal_progress(organisation, goal).status == Status.DATE_PASSED


def test_goal_with_withdrawn_indicator_shows_its_stored_target(draft, olga, organisation):
    goal = linked_goal(draft, olga, 80, dt.date(2027, 7, 1))
    PlanGoal.objects.filter(pk=goal.pk).update(indicator_key="verdwenen_indicator")
    goal.refresh_from_db()
    assert goal_progress(organisation, goal).status == Status.UNAVAILABLE
    draft.refresh_from_db()
    client = client_for(olga)
    page = client.get(PLAN)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Indicator niet meer beschikbaar" in text and "Opgeslagen streefwaarde: 80" in text
    # The goals can still be saved as they are.
    edit = client.get(edit_url("doelen"))
    assert "verdwenen_indicator (niet meer beschikbaar)" in edit.content.decode()
    rows = [
        goal_row(
            key=goal.key,
            description="Startmetingen",
            indicator_key="verdwenen_indicator",
            target="80",
            target_date="2027-07-01",
        )
    ]
    response = client.post(edit_url("doelen"), rows_post(draft, "doelen", rows, initial=1))
    assert response.status_code == 302
    services.publish(draft, olga, PlanVersion.objects.get(pk=draft.pk).revision)
    pdf = client.get(reverse("implementation_plan:version_pdf", args=[1]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pdf_of_a_published_version(draft, olga, alice):
    services.save_members(draft, olga, [services.MemberInput("Els", "projectleider")])
    draft.refresh_from_db()
    services.publish(draft, olga, draft.revision)
    response = client_for(alice).get(reverse("implementation_plan:version_pdf", args=[1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"


def linked_goals(indicators: list[str], per_indicator: int) -> list[services.GoalInput]:
    date = timezone.localdate() + dt.timedelta(days=200)
    return [
        services.GoalInput(f"Doel {key} {n}", key, Decimal(80), date)
        for key in indicators
        for n in range(per_indicator)
    ]


def test_plan_page_queries_do_not_grow_with_the_plan(
    draft, olga, alice, team, district, catalogue, django_assert_max_num_queries
):
    """Not with planning rows, activities, nor goals: the adoption API is asked once per
    distinct (indicator, period), however many goals share them."""
    started_trajectories(team, alice, district, count=4, measured=2)  # 50%: on the way
    indicators = ["start_within_14_days", "end_measurement"]
    client = client_for(olga)
    client.get(PLAN)  # warm up the session
    services.save_planning(draft, olga, [services.PlanningInput(2027, 1, "Training")])
    draft.refresh_from_db()
    services.save_goals(draft, olga, linked_goals(indicators, 1))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        response = client.get(PLAN)
    statuses = [p.status for p in response.context["contents"].goal_progress]
    assert Status.ON_TRACK in statuses  # the on-track line (_expected) was computed
    draft.refresh_from_db()
    services.save_planning(
        draft, olga, [services.PlanningInput(2027, q % 4 + 1, f"Activiteit {q}") for q in range(40)]
    )
    group = draft.target_groups.first()
    assert group is not None
    services.save_matrix(draft, olga, {(str(group.key), "weten"): [f"A{n}" for n in range(30)]})
    draft.refresh_from_db()
    services.save_goals(draft, olga, linked_goals(indicators, 6))
    with CaptureQueriesContext(connection) as large:
        response = client.get(PLAN)
    assert len(response.context["contents"].goal_progress) == 12
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(PLAN)


def test_goals_form_asks_each_indicator_once(draft, olga, django_assert_max_num_queries):
    """Saving 12 goals over 2 indicators costs no more queries than saving 2."""
    client = client_for(olga)
    client.get(PLAN)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def post(per_indicator: int) -> int:
        draft.refresh_from_db()
        goals = linked_goals(["start_within_14_days", "end_measurement"], per_indicator)
        rows = [
            goal_row(
                description=g.description,
                indicator_key=g.indicator_key,
                target="80",
                target_date=str(g.target_date),
            )
            for g in goals
        ]
        with CaptureQueriesContext(connection) as queries:
            response = client.post(edit_url("doelen"), rows_post(draft, "doelen", rows))
        assert response.status_code == 302
        PlanGoal.objects.all().delete()
        return len(queries.captured_queries)

    small = post(1)
    # 12 new rows instead of 2: 10 more inserts, and nothing per goal from the API.
    assert post(6) == small + 10


# --- demo -------------------------------------------------------------------------------


def test_demo_plan_is_made_once(organisation, quinn, alice):
    demo.seed(organisation)
    demo.seed(organisation)
    versions = PlanVersion.objects.filter(plan__organisation=organisation)
    assert list(versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    latest = versions.get(number=2)
    assert latest.goals.count() == 4 and latest.planning.count() == 9
    assert latest.target_groups.filter(name="Teamcoaches").exists()
    page = client_for(alice).get(PLAN)
    assert page.status_code == 200
    assert "Registratiegraad (startmeting binnen 30 dagen)" in page.content.decode()
