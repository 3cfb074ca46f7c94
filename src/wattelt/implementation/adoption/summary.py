"""The adoption summary, kept on write: what every trajectory adds to the adoption counts
(`AdoptionFact`), summed per day (`AdoptionDay`) and per month (`AdoptionMonth`) by team
and responsible professional. The page reads only the sums (counts.py).

`refresh(trajectories)` derives the facts of some trajectories again inside the caller's
transaction: it takes what their old facts added off the sums, replaces the facts and
adds the new ones, all set-based (a handful of INSERT ... SELECT statements, whatever
the number of trajectories). The receivers (receivers.py) call it for every change that
moves a count: a trajectory opened, closed or handed to another professional, a
measurement confirmed or corrected, a record of "not filled in", a bulk import, an
anonymised resident; a trajectory deleted outright is taken off (`forget`). A new
follow-up interval moves every follow-up of the organisation: that is recorded as a
request and done in chunks by `manage.py refresh_adoption_summary` (`refresh_requested`).
`rebuild()` runs the very same statements for every trajectory
(`manage.py rebuild_adoption_summary`), so a kept summary and a rebuilt one cannot
differ in how the counts are derived. Every refresh gives the (team, professional)
pairs its old and new facts reach a fresh token (`AdoptionStamp`), in the same
transaction: the page keys what it rendered on its teams' stamps (`stamps`) and reads
the sums only when they changed.

The definitions are those of the package's docstring; what depends on today's date (a
follow-up is judged once its tolerance has passed, nothing after today counts) is left
to the reader, which is why the facts keep the day.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import Lead
from django.utils import timezone

from wattelt.compiled import Compiled, Recorder, Statement, statement_of
from wattelt.deferral import Deferral
from wattelt.instrument.figures import registered_in_time_expression
from wattelt.instrument.models import ChosenDomain, Goal, Measurement, NotFilledIn
from wattelt.organisations.models import Organisation
from wattelt.residents.models import Trajectory

from ..models import (
    ADOPTION_COUNTERS,
    AdoptionDay,
    AdoptionFact,
    AdoptionMonth,
    AdoptionRefresh,
    AdoptionStamp,
)
from .indicators import FOLLOW_UP_TOLERANCE_DAYS
from .months import day_code_of

CONFIRMED = Measurement.Status.CONFIRMED
FACTS = AdoptionFact._meta.db_table
DAYS = AdoptionDay._meta.db_table
MONTHS = AdoptionMonth._meta.db_table
STAMPS = AdoptionStamp._meta.db_table
KEY = ("trajectory_id", "team_id", "responsible_id", "day_code", "reason")
CHUNK = 2000
"""Trajectory ids per statement when refreshing a list of them."""

Scope = QuerySet[Trajectory] | None
"""The trajectories whose facts are derived (None: all)."""


def _one(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(1)), default=Value(0), output_field=models.IntegerField()
    )


def _in_scope(queryset: QuerySet[Any], scope: Scope, path: str) -> QuerySet[Any]:
    if scope is None:
        return queryset
    return queryset.filter(**{f"{path}__in": scope.values("pk")})


def _cell(trajectory: str) -> dict[str, F]:
    return {
        "t_id": F(f"{trajectory}id"),
        "t_team": F(f"{trajectory}team_id"),
        "t_responsible": F(f"{trajectory}responsible_id"),
    }


def _fact_sources(scope: Scope) -> list[tuple[QuerySet[Any], dict[str, str], str]]:
    """Per kind of fact: a query of the raw tables (columns t_id, t_team, t_responsible,
    code and its own), the fact columns it fills (SQL over the query's columns `q.`) and
    an extra condition on its rows."""
    trajectories = _in_scope(Trajectory.objects.all(), scope, "pk")
    started = trajectories.annotate(in_time=registered_in_time_expression()).values(
        **_cell(""), code=day_code_of("started_on"), n_in_time=_one(Q(in_time=True))
    )
    end_measurement = Measurement.objects.filter(
        trajectory_id=OuterRef("pk"), status=CONFIRMED, kind=Measurement.Kind.END
    )
    reason = NotFilledIn.objects.filter(trajectory_id=OuterRef("pk"), kind=Measurement.Kind.END)
    closed = (
        trajectories.filter(ended_on__isnull=False)
        .annotate(with_end=Exists(end_measurement), with_reason=Exists(reason))
        .values(
            **_cell(""),
            code=day_code_of("ended_on"),
            n_end=_one(Q(with_end=True)),
            n_reason=_one(Q(with_end=False, with_reason=True)),
        )
    )
    confirmed = _in_scope(Measurement.objects.filter(status=CONFIRMED), scope, "trajectory_id")
    measured = confirmed.values(**_cell("trajectory__"), code=day_code_of("measured_on"))
    views = (
        _in_scope(
            ChosenDomain.objects.filter(measurement__status=CONFIRMED),
            scope,
            "measurement__trajectory_id",
        )
        .filter(Q(professional_chip__isnull=False) | Q(carer_chip__isnull=False))
        .values(
            "measurement_id",
            **_cell("measurement__trajectory__"),
            code=day_code_of("measurement__measured_on"),
        )
        .annotate(
            n_professional=Max(_one(Q(professional_chip__isnull=False))),
            n_carer=Max(_one(Q(carer_chip__isnull=False))),
        )
    )
    goals = (
        _in_scope(
            Goal.objects.filter(stated_in__status=CONFIRMED), scope, "stated_in__trajectory_id"
        )
        .values(
            "stated_in_id",
            **_cell("stated_in__trajectory__"),
            code=day_code_of("stated_in__measured_on"),
        )
        .annotate(n=Count("pk"))
    )
    tolerance = dt.timedelta(days=FOLLOW_UP_TOLERANCE_DAYS)
    shifted = models.ExpressionWrapper(
        F("measured_on") - tolerance, output_field=models.DateField()
    )
    follow_ups = confirmed.annotate(
        m_code=day_code_of("measured_on"),
        e_code=day_code_of("trajectory__ended_on"),
        # The next measurement's date minus the tolerance: on time when <= the due date.
        next_code=Window(
            Lead(day_code_of(shifted)),
            partition_by=[F("trajectory_id")],
            order_by=[F("measured_on").asc(), F("pk").asc()],
        ),
        k=F("trajectory__team__organisation__follow_up_interval_months"),
    ).values("m_code", "e_code", "next_code", "k", **_cell("trajectory__"))
    not_filled_in = (
        _in_scope(NotFilledIn.objects.all(), scope, "trajectory_id")
        .values("reason", **_cell("trajectory__"), code=day_code_of("recorded_on"))
        .annotate(n=Count("pk"))
    )
    due = "q.m_code + 100 * q.k"
    return [
        (started, {"started": "1", "started_in_time": "q.n_in_time"}, ""),
        (
            closed,
            {"closed": "1", "closed_with_end": "q.n_end", "closed_with_reason": "q.n_reason"},
            "",
        ),
        (measured, {"measurements": "1"}, ""),
        (views, {"with_professional_view": "q.n_professional", "with_carer_view": "q.n_carer"}, ""),
        (goals, {"goals": "q.n"}, ""),
        (
            follow_ups,
            {
                "day_code": due,
                "follow_ups_due": "1",
                "follow_ups_on_time": f"CASE WHEN q.next_code <= {due} THEN 1 ELSE 0 END",
            },
            # Due only while the trajectory is still open on the due date.
            f"q.e_code IS NULL OR q.e_code > {due}",
        ),
        (not_filled_in, {"reason": "q.reason", "not_filled_in": "q.n"}, ""),
    ]


def _insert_facts(cursor: Any, scope: Scope) -> None:
    columns = [*KEY, *ADOPTION_COUNTERS]
    for query, filled, condition in _fact_sources(scope):
        inner, params = statement_of(query.order_by())
        given = {
            "trajectory_id": "q.t_id",
            "team_id": "q.t_team",
            "responsible_id": "q.t_responsible",
            "day_code": "q.code",
            "reason": "''",
            **filled,
        }
        values = ", ".join(given.get(column, "0") for column in columns)
        where = f" WHERE {condition}" if condition else ""
        cursor.execute(
            f"INSERT INTO {FACTS} ({', '.join(columns)}) SELECT {values} FROM ({inner}) q{where}",
            params,
        )


def _facts_where(scope: Scope) -> tuple[str, list[Any]]:
    if scope is None:
        return "1 = 1", []
    inner, params = statement_of(scope.values("pk").order_by())
    return f"trajectory_id IN ({inner})", params


def _add_to_cells(cursor: Any, scope: Scope, sign: int) -> None:
    """Add (sign 1) or take off (sign -1) what the scope's facts add to the sums."""
    where, params = _facts_where(scope)
    sums = ", ".join(f"{sign} * SUM({c})" for c in ADOPTION_COUNTERS)
    update = ", ".join(f"{c} = {{table}}.{c} + excluded.{c}" for c in ADOPTION_COUNTERS)
    counters = ", ".join(ADOPTION_COUNTERS)
    for table, when in ((DAYS, "day_code"), (MONTHS, "month")):
        grain = "day_code" if when == "day_code" else "day_code / 100"
        cursor.execute(
            f"INSERT INTO {table} (team_id, responsible_id, {when}, reason, {counters})"
            f" SELECT team_id, responsible_id, {grain}, reason, {sums} FROM {FACTS}"
            f" WHERE {where} GROUP BY team_id, responsible_id, {grain}, reason"
            f" ORDER BY team_id, responsible_id, {grain}, reason"
            f" ON CONFLICT (team_id, responsible_id, {when}, reason)"
            f" DO UPDATE SET {update.format(table=table)}",
            params,
        )


def _stamp(cursor: Any, scope: Scope, token: str) -> None:
    """Give every (team, professional) the scope's facts reach a fresh token
    (AdoptionStamp): one token per statement, unique, so a key made from the stamps
    changes with any cell. Done for the old facts before their cells are touched (the
    pair's row is then locked first, in a fixed order: two refreshes of one
    professional's trajectories queue there instead of crossing on the cells) and for
    the new facts after."""
    where, params = _facts_where(scope)
    cursor.execute(
        f"INSERT INTO {STAMPS} (team_id, responsible_id, token)"
        f" SELECT team_id, responsible_id, %s FROM {FACTS} WHERE {where}"
        " GROUP BY team_id, responsible_id ORDER BY team_id, responsible_id"
        " ON CONFLICT (team_id, responsible_id) DO UPDATE SET token = excluded.token",
        [token, *params],
    )


def stamps(team_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """The stamps of these teams' cells, in order: what a kept rendering of their
    figures is keyed on (one query of one row per team and professional)."""
    return list(
        AdoptionStamp.objects.filter(team_id__in=sorted(team_ids))
        .order_by("team_id", "responsible_id")
        .values_list("team_id", "responsible_id", "token")
    )


def _drop_empty_cells(cursor: Any, scope: Scope) -> None:
    """The cells the scope's (old) facts reached that are empty now, every counter 0 (a
    trajectory handed to someone else: the former professional no longer counts in that
    team, nor among its professionals). Looked up by key, through the unique index."""
    where, params = _facts_where(scope)
    empty = " AND ".join(f"{c} = 0" for c in ADOPTION_COUNTERS)
    for table, when, grain in ((DAYS, "day_code", "day_code"), (MONTHS, "month", "day_code / 100")):
        cursor.execute(
            f"DELETE FROM {table} WHERE {empty} AND (team_id, responsible_id, {when}, reason) IN"
            f" (SELECT team_id, responsible_id, {grain}, reason FROM {FACTS} WHERE {where})",
            params,
        )


def _take_off(cursor: Any, scope: QuerySet[Trajectory]) -> None:
    """What the scope's facts added leaves the sums, and the facts go."""
    where, params = _facts_where(scope)
    _add_to_cells(cursor, scope, -1)
    _drop_empty_cells(cursor, scope)
    cursor.execute(f"DELETE FROM {FACTS} WHERE {where}", params)


def _derive(cursor: Any, scope: QuerySet[Trajectory], tokens: tuple[str, str]) -> None:
    _stamp(cursor, scope, tokens[0])
    _take_off(cursor, scope)
    _insert_facts(cursor, scope)
    _stamp(cursor, scope, tokens[1])
    _add_to_cells(cursor, scope, 1)


_TOKEN = "\x00adoption-stamp-token"
"""Stands in for a fresh stamp token in the compiled statements."""
# A refresh of a list of ids runs the same statements every time: building and
# compiling the seven queries through the ORM took ~75% of a one-trajectory refresh.
_by_ids = Compiled(lambda ids: _recorded(Trajectory.objects.filter(pk__in=ids)))


def _recorded(scope: QuerySet[Trajectory]) -> list[Statement]:
    recorder = Recorder()
    _derive(recorder, scope, (_TOKEN, _TOKEN))
    return recorder.statements


def _refresh(scope: QuerySet[Trajectory] | list[int]) -> None:
    """Derive the facts of a queryset's trajectories, or of a list of ids, again."""
    with transaction.atomic(), connection.cursor() as cursor:
        if isinstance(scope, QuerySet):
            _derive(cursor, scope, (uuid.uuid4().hex, uuid.uuid4().hex))
            return
        # One token per statement, as `_stamp` asks.
        for sql, params in _by_ids(scope, {_TOKEN: lambda: uuid.uuid4().hex}):
            cursor.execute(sql, params)


def _chunks(trajectory_ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted({int(i) for i in trajectory_ids})
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


_deferral = Deferral("adoption_summary_deferred")


def deferred() -> AbstractContextManager[None]:
    """Inside, the trajectories to derive again are only collected; at the end they are
    derived once, set-based (per `CHUNK`), in the caller's transaction. For a writer of
    hundreds of trajectories at once (seed_demo: a refresh after each of its ~770
    writes took a third of its time). Nothing inside may read the sums of what it
    writes."""
    return _deferral.collecting(refresh)


def refresh(trajectory_ids: Iterable[int]) -> None:
    """Derive the adoption facts of these trajectories again and correct the sums (in
    the caller's transaction)."""
    if _deferral.collect(trajectory_ids):
        return
    for scope in _chunks(trajectory_ids):
        _refresh(scope)


def refresh_scope(scope: QuerySet[Trajectory]) -> None:
    """The trajectories of a queryset, set-based in one pass (a bulk import's million:
    per 2,000 ids, `refresh` took ~0.7 s of server CPU a chunk)."""
    _refresh(scope)


def forget(trajectory_ids: Iterable[int]) -> None:
    """Take trajectories that are deleted outright off the sums, with their facts."""
    for chunk in _chunks(trajectory_ids):
        scope = Trajectory.objects.filter(pk__in=chunk)
        with transaction.atomic(), connection.cursor() as cursor:
            _stamp(cursor, scope, uuid.uuid4().hex)
            _take_off(cursor, scope)


def request_organisation_refresh(organisation: Organisation) -> None:
    """Every trajectory of the organisation must be derived again (its follow-up interval
    changed). Recorded in the caller's transaction; `refresh_requested()` does the work."""
    AdoptionRefresh.objects.update_or_create(
        organisation=organisation, defaults={"requested_at": timezone.now()}
    )


def refresh_pending_since(organisation_id: int) -> dt.datetime | None:
    """When a whole-organisation refresh was asked that is not done yet (None: none)."""
    return (
        AdoptionRefresh.objects.filter(organisation_id=organisation_id)
        .values_list("requested_at", flat=True)
        .first()
    )


def refresh_requested() -> list[tuple[int, int]]:
    """Do the requested whole-organisation refreshes, each chunk of trajectories in its own
    short transaction (a confirmation elsewhere never waits long on the sums). A request
    made again while this one runs stays, and is done once more on the next run.
    Returns (organisation id, trajectories) per request done."""
    done = []
    for request in AdoptionRefresh.objects.order_by("requested_at"):
        ids = list(
            Trajectory.objects.filter(team__organisation_id=request.organisation_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for scope in _chunks(ids):
            _refresh(scope)  # its own short transaction
        AdoptionRefresh.objects.filter(pk=request.pk, requested_at=request.requested_at).delete()
        done.append((request.organisation_id, len(ids)))
    return done


def refresh_resident(resident_id: int) -> None:
    _refresh(Trajectory.objects.filter(resident_id=resident_id))


def rebuild(stamped: bool = True) -> dict[str, float]:
    """Empty the tables and derive them from all data, set-based; returns seconds per
    step. Every pair gets a new stamp (`stamped`; only migration 0003, which comes
    before the stamps' table, derives without)."""
    timings: dict[str, float] = {}
    postgres = connection.vendor == "postgresql"
    tables = (FACTS, DAYS, MONTHS, STAMPS) if stamped else (FACTS, DAYS, MONTHS)
    with transaction.atomic(), connection.cursor() as cursor:
        mark = time.perf_counter()
        if postgres:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        timings["empty"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _insert_facts(cursor, None)
        timings[FACTS] = time.perf_counter() - mark
        mark = time.perf_counter()
        _add_to_cells(cursor, None, 1)
        if stamped:
            _stamp(cursor, None, uuid.uuid4().hex)
        timings[f"{DAYS}, {MONTHS}"] = time.perf_counter() - mark
    if postgres:
        with connection.cursor() as cursor:
            mark = time.perf_counter()
            cursor.execute(f"ANALYZE {FACTS}, {DAYS}, {MONTHS}")
            timings["analyze"] = time.perf_counter() - mark
    return timings
