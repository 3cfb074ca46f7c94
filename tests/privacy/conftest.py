"""A resident's file with the resident's names and BSN in every free-text field, and a
search of the whole database for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from tests.conftest import board_data, client_for, complete_fields, confirmed_measurement
from wattelt.instrument import services as instrument
from wattelt.instrument.models import Goal
from wattelt.organisations.models import Staff
from wattelt.residents import services as residents
from wattelt.residents.models import Resident, Trajectory

FIRST_NAME, LAST_NAME, BSN = "Fatima", "Yilmaz", "111222333"
IDENTIFIERS = (FIRST_NAME, LAST_NAME, BSN)
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _text_columns() -> list[tuple[str, str]]:
    existing = set(connection.introspection.table_names())
    columns = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in existing:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                columns.append((meta.db_table, field.column))
    return columns


def database_texts_containing(*needles: str) -> list[str]:
    """Every text, char and JSON column of every model, read as raw text from the
    database, that contains one of the needles (case-insensitive)."""
    quote = connection.ops.quote_name
    lowered = [n.lower() for n in needles]
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(f"SELECT CAST({quote(column)} AS TEXT) FROM {quote(table)}")
            for (value,) in cursor.fetchall():
                if value and any(n in value.lower() for n in lowered):
                    found.append(f"{table}.{column}: {value[:120]}")
    return found


def years_ago(years: int, days: int = 0) -> dt.date:
    return residents.add_months(timezone.localdate(), -12 * years) - dt.timedelta(days=days)


def _follow_up_with_review(trajectory: Trajectory, alice: Staff) -> None:
    goal = Goal.objects.get(trajectory=trajectory)
    draft = instrument.start_measurement(trajectory, alice, "follow_up")
    day = timezone.localdate() - dt.timedelta(days=20)
    fields = complete_fields(
        measured_on=day.isoformat(),
        carer_relation=f"zus van {FIRST_NAME}",
        **{
            f"review__{goal.pk}__status": "partly",
            f"review__{goal.pk}__note": f"{FIRST_NAME} heeft de bank gebeld",
        },
    )
    instrument.confirm_measurement(draft, alice, board_data(draft, **fields))


def _corrected_start(trajectory: Trajectory, alice: Staff) -> None:
    start = confirmed_measurement(
        trajectory,
        alice,
        chip__professional__wonen=40,
        placed__professional__wonen="on",
        chip__carer__geld=30,
        placed__carer__geld="on",
        carer_relation=f"moeder van {FIRST_NAME} {LAST_NAME}",
        goal__0__first_step=f"{LAST_NAME} belt de schuldhulp",
        goal__0__how_we_know=f"BSN {BSN} staat op de brief",
        goal__0__own_words=f"Ik, {FIRST_NAME}, wil rust over mijn geld",
    )
    data = board_data(
        start,
        **complete_fields(
            measured_on=start.measured_on.isoformat(),
            chip__resident__geld=25,
            goal__0__id=Goal.objects.get(trajectory=trajectory).pk,
            goal__0__own_words=f"Ik, {FIRST_NAME}, wil rust over mijn geld",
            goal__0__first_step=f"{LAST_NAME} belt de schuldhulp",
        ),
    )
    reason = f"{LAST_NAME} legde de fiche anders"
    instrument.correct_measurement(start, alice, instrument.CorrectionInput(data, reason))


def build_full_file(trajectory: Trajectory, alice: Staff, charlie: Staff) -> Trajectory:
    """Measurements of every kind and perspective, a correction, goals, reviews, progress,
    consent, a measurement not filled in, an appointment, looks in the access log, an
    admin history entry; the resident's names and BSN written in all free text."""
    _corrected_start(trajectory, alice)
    _follow_up_with_review(trajectory, alice)
    assert charlie.organisation is not None
    residents.record_consent(
        trajectory,
        alice,
        residents.ConsentInput(
            organisation=charlie.organisation,
            share_plan=True,
            share_goals=True,
            share_measurements=False,
            valid_from=timezone.localdate(),
            note=f"{FIRST_NAME} {LAST_NAME} tekende op papier",
        ),
    )
    goal = Goal.objects.filter(trajectory=trajectory).order_by("pk").first()
    assert goal is not None
    instrument.add_goal_progress(goal, charlie, f"{FIRST_NAME} kwam op gesprek", "partly")
    instrument.record_not_filled_in(
        trajectory, alice, "follow_up", "other", f"{FIRST_NAME} lag in het ziekenhuis"
    )
    residents.set_next_appointment(trajectory, f"dinsdag bij {LAST_NAME} thuis")
    Resident.objects.filter(pk=trajectory.resident_id).update(
        phone="0612345678", email=f"{FIRST_NAME.lower()}@example.org"
    )
    LogEntry.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Resident),
        object_id=str(trajectory.resident_id),
        object_repr=f"{FIRST_NAME} {LAST_NAME}",
        action_flag=CHANGE,
    )
    client_for(alice).get(reverse("residents:detail", args=[trajectory.resident_id]))
    client_for(alice).get(reverse("instrument:plan", args=[trajectory.pk]))
    trajectory.refresh_from_db()
    return trajectory


@pytest.fixture
def full_file(trajectory: Trajectory, alice: Staff, charlie: Staff) -> Trajectory:
    return build_full_file(trajectory, alice, charlie)
