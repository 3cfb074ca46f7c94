"""The bad input that once ended in a server error or was accepted although wrong, each
case on its own (tests/test_hostile_input.py walks every URL with all of them)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests.conftest import board_data, client_for, complete_fields, confirmed_measurement
from tests.hostile import HUGE, MEGABYTE
from tests.test_permission_matrix import world  # noqa: F401 (the world fixture)
from wattelt.bounds import NOTE_MAX_LENGTH
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal, Measurement
from wattelt.monitoring.cube import Period
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory
from wattelt.residents.search import MAX_WORDS, search_problem, search_residents
from wattelt.spreadsheets import append_safe, safe_cell

# --- monitoring periods ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2026-Q12", "2026-Q23", "²⁰²⁶", "٢٠٢٦", "0000", "2026-Q", "-2026"]
)
def test_period_is_parsed_strictly(value):
    assert Period.parse(value) is None


def test_period_parses_a_year_and_a_quarter():
    assert Period.parse(" 2026-q3 ") == Period(2026, 3)
    assert Period.parse("2025") == Period(2025)


@pytest.mark.parametrize(
    "name",
    [
        "monitoring:dashboard",
        "monitoring:presentation",
        "monitoring:export_csv",
        "monitoring:export_xlsx",
        "monitoring:report",
    ],
)
def test_a_bad_period_is_named_on_the_dashboard(world, name):  # noqa: F811
    client = client_for(world["users"]["olga"], sudo=True)
    response = client.get(reverse(name), {"period": "2026-Q12"}, headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    assert "“2026-Q12” is geen periode" in response.content.decode()


# --- the board ---------------------------------------------------------------------------


def test_board_ignores_goal_and_review_fields_with_huge_indices(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    fields = {f"goal__{HUGE}__own_words": "Een doel", f"review__{HUGE}__status": "achieved"}
    data = board_data(draft, **complete_fields(**fields))
    assert [goal.index for goal in data.goals] == [0]
    assert data.reviews == {}


def test_board_refuses_non_ascii_digits_and_megabyte_goals(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    with pytest.raises(ValidationError) as refused:
        board_data(
            draft,
            **complete_fields(quality_of_life="٦", goal__0__what_changes=MEGABYTE),
        )
    assert set(refused.value.message_dict) == {"quality_of_life", "goal-0-what_changes"}


def test_board_post_with_a_huge_goal_index_saves_nothing(world):  # noqa: F811
    draft = world["draft"]
    client = client_for(world["users"]["alice"])
    goals = Goal.objects.count()
    for accept in ("text/html", "application/json"):
        body = f"revision={draft.revision}&goal-{HUGE}-own_words=x&review-{HUGE}-status="
        response = client.post(
            reverse("instrument:board", args=[draft.pk]),
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"Accept": accept},
        )
        assert response.status_code in (200, 400)
        draft.refresh_from_db()
    assert Goal.objects.count() == goals


def test_follow_up_dated_before_the_start_measurement_is_refused(trajectory, alice):
    start = confirmed_measurement(trajectory, alice, days_ago=100)
    draft = instrument.start_measurement(trajectory, alice, "follow_up")
    before_start = start.measured_on - dt.timedelta(days=1)
    data = board_data(draft, **complete_fields(measured_on=before_start.isoformat()))
    with pytest.raises(ValidationError) as refused:
        instrument.confirm_measurement(draft, alice, data)
    assert "measured_on" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == Measurement.Status.DRAFT


def test_measurement_dated_before_the_trajectory_is_refused(trajectory, alice):
    draft = instrument.start_measurement(trajectory, alice)
    day = trajectory.started_on - dt.timedelta(days=1)
    data = board_data(draft, **complete_fields(measured_on=day.isoformat()))
    with pytest.raises(ValidationError) as refused:
        instrument.save_draft(draft, alice, data)
    assert "measured_on" in refused.value.message_dict


def test_goal_progress_note_is_bounded(trajectory, alice):
    goal = confirmed_measurement(trajectory, alice).goals.get()
    with pytest.raises(ValidationError) as refused:
        instrument.add_goal_progress(goal, alice, "x" * (NOTE_MAX_LENGTH + 1))
    assert "note" in refused.value.message_dict


# --- trajectories and residents ------------------------------------------------------------


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1900, 1, 1)])
def test_trajectory_starting_long_ago_is_refused(resident, team, alice, catalogue, day):
    with pytest.raises(ValidationError) as refused:
        residents.open_trajectory(resident, team, alice, day)
    assert "started_on" in refused.value.message_dict
    assert not Trajectory.objects.exists()


def test_trajectory_ending_in_9999_or_with_a_megabyte_note_is_refused(trajectory, alice):
    with pytest.raises(ValidationError) as refused:
        residents.close_trajectory(
            trajectory, alice, "goals_reached", MEGABYTE, dt.date(9999, 12, 31)
        )
    assert set(refused.value.message_dict) == {"ended_on", "closing_note"}
    trajectory.refresh_from_db()
    assert trajectory.is_open


def test_close_form_names_the_end_date(world):  # noqa: F811
    trajectory = world["trajectory"]
    client = client_for(world["users"]["alice"])
    response = client.post(
        reverse("residents:close", args=[trajectory.pk]),
        {"closing_reason": "goals_reached", "ended_on": "9999-12-31"},
        headers={"Accept-Language": "nl"},
    )
    assert response.status_code == 200
    assert "Einddatum: 31-12-9999 ligt te ver in de toekomst" in response.content.decode()


def test_birth_date_in_the_year_1_is_refused(alice, district):
    data = residents.ResidentInput("Ab", "Cd", dt.date(1, 1, 1), district)
    with pytest.raises(ValidationError) as refused:
        residents.register_resident(data, alice)
    assert "date_of_birth" in refused.value.message_dict


def _registration(district_pk: int, **more: str) -> dict[str, object]:
    return {
        "first_name": "Fatima",
        "last_name": "Yilmaz",
        "date_of_birth": "1985-04-12",
        "district": district_pk,
        **more,
    }


def test_registering_the_same_resident_twice_asks_first(resident, alice, district):
    client = client_for(alice)
    url = reverse("residents:register")
    response = client.post(url, _registration(district.pk))
    assert response.status_code == 200
    assert reverse("residents:detail", args=[resident.pk]) in response.content.decode()
    assert Resident.objects.count() == 1
    response = client.post(url, _registration(district.pk, register_anyway="1"))
    assert response.status_code == 302
    assert Resident.objects.count() == 2


def test_duplicate_warning_does_not_name_a_resident_the_user_may_not_see(world, district):  # noqa: F811
    resident = world["trajectory"].resident
    dave = world["users"]["dave"]  # same organisation, another team
    before = Resident.objects.count()
    response = client_for(dave).post(reverse("residents:register"), _registration(district.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "register_anyway" in page
    assert reverse("residents:detail", args=[resident.pk]) not in page
    assert Resident.objects.count() == before  # nothing registered yet


def test_no_duplicate_warning_for_another_organisations_resident(world):  # noqa: F811
    charlie = world["users"]["charlie"]
    data = residents.ResidentInput("Fatima", "Yilmaz", dt.date(1985, 4, 12), None)  # type: ignore[arg-type]
    assert not residents.possible_duplicates(data, charlie)


# --- search --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [MEGABYTE, " ".join(["ab"] * 1200)])
def test_search_is_bounded_with_a_message(world, query):  # noqa: F811
    assert search_problem(query)
    assert not search_residents(Resident.objects.all(), query).exists()
    response = client_for(world["users"]["alice"]).post(
        reverse("residents:search"), {"q": query}, headers={"Accept-Language": "nl"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Zoek met hoogstens" in page or "Een zoekwoord heeft hoogstens" in page


def test_search_of_a_few_words_still_finds(resident):
    words = " ".join(["Fatima"] * MAX_WORDS)
    assert search_problem(words) is None
    assert list(search_residents(Resident.objects.all(), words)) == [resident]


# --- spreadsheets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-1+cmd", "@SUM(A1)", "\tx", "\r=1"]
)
def test_text_that_would_run_as_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, "-3", "+2,5", "-10%", "-", "Noord", "", None])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_xlsx_cells_starting_with_equals_stay_text():
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_safe(sheet, ['=HYPERLINK("http://x")', -3, "Noord"])
    out = io.BytesIO()
    book.save(out)
    cells = load_workbook(io.BytesIO(out.getvalue())).active[1]  # type: ignore[index]
    assert [c.value for c in cells] == ['=HYPERLINK("http://x")', -3, "Noord"]
    assert [c.data_type for c in cells] == ["s", "n", "s"]


def test_access_log_and_research_exports_neutralise_formulas(world):  # noqa: F811
    formula = '=HYPERLINK("http://evil.example")'
    world["team"].name = formula
    world["team"].save()
    quinn = client_for(world["users"]["quinn"], sudo=True)
    response = quinn.post(reverse("monitoring:research"), {"purpose": formula, "year": ""})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = {cell for row in rows for cell in row}
    assert "'" + formula in cells and formula not in cells
    priya = client_for(world["users"]["priya"], sudo=True)
    response = priya.get(reverse("audit:access_log_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    cells = {cell for row in rows for cell in row}
    assert "'" + formula in cells and formula not in cells


def test_start_date_tomorrow_is_still_refused_as_future(resident, team, alice, catalogue):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        residents.open_trajectory(resident, team, alice, tomorrow)
