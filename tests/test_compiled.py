"""Statements compiled once (wattelt/compiled.py) give, for any list of ids, what the
same queryset over a literal list gives."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from tests.start.test_start_pages import make_caseload
from wattelt.compiled import Compiled, statement_of
from wattelt.residents.models import Trajectory

TOKEN = "\x00test-token"


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())


def _pairs(scope):  # type: ignore[no-untyped-def]
    return [statement_of(scope.values_list("pk", "team_id").order_by())]


@pytest.mark.django_db
def test_the_ids_and_stand_ins_are_filled_in_on_every_call(trajectory, alice, team, district):
    made = [t.pk for t in make_caseload(alice, team, district, overdue=2, due=1, later=2)]
    made.append(trajectory.pk)
    compiled = Compiled(lambda ids: _pairs(Trajectory.objects.filter(pk__in=ids)))
    for chosen in ([made[0]], made[1:4], made, [], [max(made) + 1000]):
        ((sql, params),) = compiled(chosen)
        # (Django refuses to compile an empty literal list: nothing to compare with.)
        expected = _rows(*_pairs(Trajectory.objects.filter(pk__in=chosen))[0]) if chosen else []
        assert _rows(sql, params) == expected, chosen
    assert len(compiled.statements) == 1, "compiled once for this database"

    # Another stand-in: a fresh value for each statement that holds it.
    table = Trajectory._meta.db_table
    count = "SELECT %s, COUNT(*) FROM {} WHERE id IN ({})"
    tokens = Compiled(lambda ids: [(count.format(table, ids.sql), [TOKEN, *ids.params])] * 2)
    first, second = tokens(made, {TOKEN: lambda: uuid.uuid4().hex})
    (token_a, count_a), (token_b, count_b) = _rows(*first)[0], _rows(*second)[0]
    assert count_a == count_b == len(made)
    assert token_a != token_b
