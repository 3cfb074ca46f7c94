"""The bulk path (`imports.bulk`) writes exactly what the board path writes, and a file
with one bad row saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.imports.files import HEADER, csv_bytes, rows_for
from tests.imports.test_import import run
from wattelt.audit.models import AccessLog
from wattelt.imports import services
from wattelt.imports.reading import Source
from wattelt.instrument.models import Measurement
from wattelt.monitoring.models import MeasurementFact
from wattelt.organisations.models import OrganisationPolicy
from wattelt.residents import services as residents
from wattelt.residents.models import Trajectory

HEADER_TWO_GOALS = [*HEADER[:-1], "doel_2", "doel_2_leefgebieden"]


def twin(trajectory: Trajectory, bsn: str) -> Trajectory:
    """Another resident of the same team with a trajectory that started the same day."""
    resident = residents.register_resident(
        residents.ResidentInput(
            first_name="Kees",
            last_name="de Vries",
            date_of_birth=trajectory.resident.date_of_birth,
            district=trajectory.resident.district,
            bsn=bsn,
        ),
        trajectory.responsible,
    )
    return residents.open_trajectory(
        resident, trajectory.team, trajectory.responsible, trajectory.started_on
    )


def start_row(trajectory: Trajectory, bsn: str) -> list[str]:
    row = rows_for(trajectory)[0][:-1]
    row[0] = bsn
    return [*row, "Weer een dagritme", "wonen, geld"]


def written(trajectory: Trajectory) -> dict[str, Any]:
    """Everything the import wrote for a trajectory, without ids and clock times."""
    measurement = Measurement.objects.get(trajectory=trajectory)
    frozen: dict[str, Any] = measurement.snapshot or {}
    snapshot = dict(frozen)
    snapshot["goals"] = [{k: v for k, v in g.items() if k != "id"} for g in snapshot["goals"]]
    trajectory.refresh_from_db()
    return {
        "measurement": {
            f.attname: getattr(measurement, f.attname)
            for f in Measurement._meta.concrete_fields
            if f.attname not in {"id", "trajectory_id", "created_at", "updated_at", "confirmed_at"}
            and f.attname != "snapshot"
        },
        "snapshot": snapshot,
        "goal_ids_in_snapshot": [g["id"] for g in frozen["goals"]]
        == list(measurement.goals.order_by("position").values_list("pk", flat=True)),
        "choices": sorted(
            measurement.choices.values_list(
                "domain__key", "resident_chip", "professional_chip", "carer_chip", "prioritised"
            )
        ),
        "goals": [
            (
                g.position,
                g.status,
                g.due_on,
                [getattr(g, name) for name in ("own_words", "what_changes", "first_step")],
                sorted(d.key for d in g.domains.all()),
            )
            for g in measurement.goals.order_by("position")
        ],
        "reviews": measurement.reviews.count(),
        "due_on": trajectory.measurement_due_on,
        "log": list(
            AccessLog.objects.filter(object_id=str(measurement.pk), object_type="measurement")
            .values_list("action", "username", "purpose", "resident_id")
            .order_by("id")
        ),
        "facts": MeasurementFact.objects.filter(trajectory_id=trajectory.pk).count(),
    }


@pytest.mark.parametrize("send_rows", [None, 1])
def test_the_bulk_path_writes_what_the_board_path_writes(trajectory, quinn, monkeypatch, send_rows):
    """`send_rows` 1: on PostgreSQL each row of a COPY is sent on its own (a chunk's two
    chosen domains and two goals in two parts each), with the same result."""
    if send_rows is not None:
        monkeypatch.setattr("wattelt.imports.loading.SEND_ROWS", send_rows)
    other = twin(trajectory, "123456782")
    bulk_row = start_row(trajectory, "111222333")
    board_row = start_row(other, "123456782")

    content = csv_bytes([bulk_row], HEADER_TWO_GOALS)
    keys = set(services.RowImporter(quinn.organisation, quinn).domain_keys)
    source = Source("historie.csv", content, keys)
    locator = services.Locator(quinn.organisation, source.columns)
    located = services.locate_rows(source, locator, services.Problems())
    assert (located.total, located.bulk, located.twice) == (1, 1, set())  # the bulk way
    job = run(quinn, "historie.csv", csv_bytes([bulk_row], HEADER_TWO_GOALS))
    assert (job.state, job.imported, job.problems) == ("done", 1, [])

    with transaction.atomic():  # the board's services, row by row
        importer = services.RowImporter(quinn.organisation, quinn)
        problems = services.Problems()
        assert importer.import_row(2, dict(zip(HEADER_TWO_GOALS, board_row, strict=True)), problems)
        assert problems.items == []
        importer.log_created()  # the monitoring summary follows the board's signal

    by_bulk, by_board = written(trajectory), written(other)
    assert by_bulk["log"] == [
        ("create", "quinn", "import of historic measurements", trajectory.resident_id)
    ]
    by_bulk["log"] = by_board["log"] = None  # the residents differ, the rest may not
    assert by_bulk == by_board
    assert by_bulk["goal_ids_in_snapshot"] is True
    assert by_bulk["facts"] == 1


def test_one_bad_row_in_the_bulk_way_saves_nothing(trajectory, quinn):
    other = twin(trajectory, "123456782")
    good = start_row(trajectory, "111222333")
    bad = start_row(other, "123456782")
    bad[HEADER_TWO_GOALS.index("geld_inwoner")] = "150"
    bad[HEADER_TWO_GOALS.index("cijfer")] = "11"
    job = run(quinn, "historie.csv", csv_bytes([good, bad], HEADER_TWO_GOALS))
    assert job.state == "refused"
    assert [(p["row"], p["field"]) for p in job.problems] == [(3, "cijfer"), (3, "geld_inwoner")]
    assert "cijfer van 1 tot en met 10" in job.problems[0]["message"]  # in Dutch, as on the board
    assert not Measurement.objects.exists()
    assert not AccessLog.objects.filter(object_type="measurement", action="create").exists()
    assert MeasurementFact.objects.count() == 0


def test_a_file_mixes_both_ways_in_one_transaction(trajectory, quinn):
    """The start and follow-up of one trajectory go the board's way (the follow-up reviews
    the start's goal), the single row of another trajectory the bulk way."""
    other = twin(trajectory, "123456782")
    header = [*HEADER, "doel_2", "doel_2_leefgebieden"]
    single = rows_for(other)[0]
    single[0] = "123456782"
    rows = [[*row, "", ""] for row in [*rows_for(trajectory), single]]
    job = run(quinn, "historie.csv", csv_bytes(rows, header))
    assert (job.state, job.imported, job.problems) == ("done", 3, [])
    assert Measurement.objects.filter(trajectory=trajectory, status="confirmed").count() == 2
    assert Measurement.objects.filter(trajectory=other, status="confirmed").count() == 1
    assert AccessLog.objects.filter(object_type="measurement", action="create").count() == 3


def test_a_chip_seen_before_is_still_refused_for_a_view_not_on_offer(trajectory, quinn):
    """The bulk checker takes a chip it has seen before as good at once; a view the
    organisation does not offer is refused all the same, whatever its chip."""
    OrganisationPolicy.objects.update_or_create(
        organisation=trajectory.team.organisation, defaults={"professional_view": False}
    )
    other = twin(trajectory, "123456782")
    first, second = start_row(trajectory, "111222333"), start_row(other, "123456782")
    professional = HEADER_TWO_GOALS.index("wonen_professional")
    first[professional] = ""  # the resident's "40" of the same domain is seen first
    second[professional] = second[HEADER_TWO_GOALS.index("wonen_inwoner")]
    job = run(quinn, "historie.csv", csv_bytes([first, second], HEADER_TWO_GOALS))
    assert job.state == "refused"
    assert [(p["row"], p["field"]) for p in job.problems] == [(3, "wonen_professional")]
    assert not Measurement.objects.exists()


def test_cells_seen_before_with_a_problem_are_refused_in_every_row(trajectory, quinn):
    """The bulk checker remembers a life domain's cells only when they were right: the
    same wrong chip in two rows is named in both."""
    other = twin(trajectory, "123456782")
    rows = [start_row(trajectory, "111222333"), start_row(other, "123456782")]
    for row in rows:
        row[HEADER_TWO_GOALS.index("geld_inwoner")] = "150"
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert job.state == "refused"
    assert [(p["row"], p["field"]) for p in job.problems] == [
        (2, "geld_inwoner"),
        (3, "geld_inwoner"),
    ]


def test_a_short_line_reads_as_blank_cells_and_cells_past_the_header_are_left_out(
    trajectory, quinn
):
    """A hand-made file may leave out a line's trailing empty cells, or have a cell past
    the last column: neither changes what is imported."""
    other = twin(trajectory, "123456782")
    short = start_row(trajectory, "111222333")[:-2]  # no second goal: its cells left out
    long = [*start_row(other, "123456782")[:-2], "", "", "een opmerking"]
    job = run(quinn, "historie.csv", csv_bytes([short, long], HEADER_TWO_GOALS))
    assert (job.state, job.imported, job.problems) == ("done", 2, [])
    by_short, by_long = written(trajectory), written(other)
    assert [g[3][0] for g in by_short["goals"]] == ["Ik wil mijn schulden op een rij"]
    assert by_short["choices"] == [
        ("geld", 20, None, None, True),
        ("wonen", 40, 55, None, False),
    ]
    assert (by_long["goals"], by_long["choices"]) == (by_short["goals"], by_short["choices"])


def test_rows_are_located_by_the_organisations_own_resident_number(trajectory, quinn):
    """A file without BSNs names each resident by the organisation's own number; a number
    that is not the organisation's and a line that ends before its trajectory's start
    are named by row and column, and a line of empty cells is no row at all."""
    other = twin(trajectory, "123456782")
    header = ["inwoner_nummer", *HEADER_TWO_GOALS[1:]]
    first = [str(trajectory.resident_id), *start_row(trajectory, "")[1:]]
    second = [str(other.resident_id), *start_row(other, "")[1:]]
    job = run(quinn, "historie.csv", csv_bytes([first, [""] * len(header), second], header))
    assert (job.state, job.imported, job.problems) == ("done", 2, [])
    assert written(other)["choices"] == written(trajectory)["choices"]

    unknown = [str(other.resident_id + 1000), *start_row(other, "")[1:]]
    job = run(quinn, "historie.csv", csv_bytes([unknown, [str(other.resident_id)]], header))
    assert job.state == "refused"
    assert [(p["row"], p["field"]) for p in job.problems] == [
        (2, "inwoner_nummer"),
        (3, "traject_start"),
    ]


def test_the_completeness_rule_is_asked_for_each_row_of_the_same_choices(trajectory, quinn):
    """The bulk checker remembers the completeness rule's verdict per chosen domains,
    resident's chips left open and goals' domains: rows that choose the same domains
    but differ in those are each judged on their own, before and after a right row."""
    trajectories = [twin(trajectory, bsn) for bsn in ("123456782", "123456708", "123456721")]
    bsns = ["111222333", "123456782", "123456708", "123456721"]
    rows = [start_row(t, bsn) for t, bsn in zip([trajectory, *trajectories], bsns, strict=True)]
    at = HEADER_TWO_GOALS.index
    rows[0][at("wonen_inwoner")] = ""  # the professional's chip without the resident's
    rows[2][at("doel_1_leefgebieden")] = "werk"  # a domain the resident did not choose
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert job.state == "refused"
    assert [(p["row"], p["field"], p["message"]) for p in job.problems] == [
        (2, "leefgebieden", "Leg de fiche van de inwoner bij: Wonen."),
        (
            4,
            "doel_1_leefgebieden",
            "Doel 1 is gekoppeld aan een leefgebied dat de inwoner niet heeft gekozen.",
        ),
    ]
    assert not Measurement.objects.exists()
