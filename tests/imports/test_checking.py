"""The file streamed in two passes (`reading.Source`, `services.locate_rows`) and its
rows checked in worker processes (`imports.checking`): a problem late in a file that
is already partly written still saves nothing and is named by row and field; the
worker processes find what the importing process finds; reading a file keeps no
more in memory for more rows."""

from __future__ import annotations

import itertools
import tracemalloc

import pytest

from tests.imports.files import HEADER, csv_bytes, rows_for
from tests.imports.test_bulk import HEADER_TWO_GOALS, start_row, twin
from tests.imports.test_import import problems, run
from wattelt.audit.models import AccessLog
from wattelt.imports.reading import Source
from wattelt.instrument.models import Measurement
from wattelt.residents.bsn import is_valid_bsn
from wattelt.residents.models import Trajectory


def bsns(count: int) -> list[str]:
    numbers = (f"{n:09d}" for n in itertools.count(123456782))
    return list(itertools.islice((n for n in numbers if is_valid_bsn(n)), count))


@pytest.fixture
def many(trajectory: Trajectory) -> list[tuple[Trajectory, str]]:
    """Eight trajectories of eight residents, each with its BSN."""
    numbers = bsns(8)
    return [(trajectory, "111222333")] + [(twin(trajectory, n), n) for n in numbers[1:]]


@pytest.fixture(params=["here", "workers"])
def checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Chunks of two rows, written one after the other; checked in the importing process
    or in the worker processes."""
    monkeypatch.setattr("wattelt.imports.bulk.CHUNK", 2)
    if request.param == "workers":
        monkeypatch.setattr("wattelt.imports.checking.PARALLEL_FROM", 1)
        monkeypatch.setattr("wattelt.imports.checking.WORKERS", 2)  # whatever the host's cores
    else:
        monkeypatch.setattr("wattelt.imports.checking.PARALLEL_FROM", 10**9)
    return str(request.param)


def test_a_clean_file_is_imported_whole(many, quinn, checked):
    rows = [start_row(t, bsn) for t, bsn in many]
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert (job.state, job.imported, job.rows_total, job.problems) == ("done", 8, 8, [])
    assert Measurement.objects.filter(status="confirmed").count() == 8
    assert sorted(Measurement.objects.values_list("trajectory_id", flat=True)) == sorted(
        t.pk for t, _bsn in many
    )


def test_a_bad_row_late_in_the_file_saves_nothing(many, quinn, checked):
    """Rows 2-7 are right and (in a real run) already written chunk by chunk when row 9
    is checked: the whole file is still refused, with its problems by row and field."""
    rows = [start_row(t, bsn) for t, bsn in many]
    rows[3][HEADER_TWO_GOALS.index("cijfer")] = "0"
    rows[7][HEADER_TWO_GOALS.index("wonen_inwoner")] = "101"
    rows[7][HEADER_TWO_GOALS.index("datum")] = "31-02-2020"
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert job.state == "refused"
    assert problems(job) == [(5, "cijfer"), (9, "datum"), (9, "wonen_inwoner")]
    assert "31-02-2020" in job.problems[1]["message"]  # in Dutch, as on the board
    assert not Measurement.objects.exists()
    assert not AccessLog.objects.filter(object_type="measurement", action="create").exists()


def test_a_formula_late_in_the_file_saves_nothing(many, quinn, monkeypatch):
    """Found by the first pass, before anything is written or checked."""
    monkeypatch.setattr("wattelt.imports.bulk.CHUNK", 2)
    rows = [start_row(t, bsn) for t, bsn in many]
    rows[6][HEADER_TWO_GOALS.index("doel_1")] = "=HYPERLINK(1)"
    job = run(quinn, "historie.csv", csv_bytes(rows, HEADER_TWO_GOALS))
    assert job.state == "refused"
    assert problems(job) == [(1, "bestand")]
    assert "Rij 8" in job.problems[0]["message"] and "doel_1" in job.problems[0]["message"]
    assert not Measurement.objects.exists()


def test_the_rows_of_one_trajectory_go_the_boards_way_wherever_they_are(many, quinn, checked):
    """The first pass finds the trajectory's follow-up at the end of the file: both its
    rows go through the board's services (the follow-up reviews the start's goal), the
    others the bulk way."""
    header = [*HEADER, "doel_2", "doel_2_leefgebieden"]
    starts = []
    for t, bsn in many:
        start = rows_for(t)[0]
        start[0] = bsn
        starts.append([*start, "", ""])
    first, bsn = many[1]
    follow_up = rows_for(first)[1]
    follow_up[0] = bsn
    job = run(quinn, "historie.csv", csv_bytes([*starts, [*follow_up, "", ""]], header))
    assert (job.state, job.imported, job.problems) == ("done", 9, [])
    assert Measurement.objects.filter(trajectory=first, status="confirmed").count() == 2


def test_reading_a_file_holds_one_row_at_a_time(trajectory):
    """The memory a pass over the file takes (besides the file itself) does not grow with
    its rows: 20,000 rows take what 2,000 take."""
    row = start_row(trajectory, "111222333")
    keys = {"wonen", "geld", "werk"}

    def peak(count: int) -> int:
        source = Source("historie.csv", csv_bytes([row] * count, HEADER_TWO_GOALS), keys)
        tracemalloc.start()
        for _number, _line in source.rows():
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small, large = peak(2_000), peak(20_000)
    assert large < 2 * small + 100_000, (small, large)
