"""The second pass over a file: its rows checked chunk by chunk, in worker processes for
a large file.

Checking and writing in one Python process share one interpreter lock: a million rows
kept one core busy for ~45 s of Python while the second core was left to PostgreSQL
(bench/RESULTS.md, round 4). For a file with at least
`PARALLEL_FROM` rows of the bulk way, `WORKERS` processes forked from the importing
one read the file each (`Source.rows`, C speed) and check every `WORKERS`-th chunk of it
(chunk k by worker k mod `WORKERS`); the importing process takes the chunks in file
order and writes them. The workers only read: the lookups they inherit (copy on
write), the file, the checker. They touch no database connection and leave with
`os._exit` (multiprocessing's fork start), so the importing process's connection and
transaction are theirs alone. The chunks come back as plain tuples (pickled) and the
problems as (row, field, message) in Dutch, in row order as before. The price: each
worker parses the whole file and the rows are pickled, ~25% more Python CPU in all
(bench/RESULTS.md, round 5); `WORKERS = 1` checks in the importing process, the
default on a host of two cores (bench/RESULTS.md, import15e).

A smaller file, or where fork is not available, is checked in the importing process,
with the same results (tests/imports/test_checking.py).
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from . import bulk
from .bulk import Place, Prepared

if TYPE_CHECKING:
    from .reading import Source
    from .services import Located


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


WORKERS = 2 if _cores() > 2 else 1
"""Checking processes for a large file. Only with more than two cores: on two, the
importing process and the file's server process already keep both busy, and the
workers' extra Python (each parses the whole file, the rows are pickled: ~14 CPU-s
per million) costs more than it gives (bench/RESULTS.md, import15e: 1,000,000 rows in
96.5 and 100.1 s with one, 100.8 and 107.7 s with two, interleaved)."""
PARALLEL_FROM = 100_000
"""Rows of the bulk way from which the file is checked in worker processes: below it
the fork and the pickling cost more than they give."""


@dataclass
class Chunk:
    """The outcome of one chunk of the file: the checked rows of the bulk way, the rows
    (row number, row) for the board's services, the problems as (row, field, message)
    and the number of the file's rows it covered."""

    rows: int = 0
    prepared: list[Prepared] = field(default_factory=list)
    rest: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)


class ChunkChecker:
    """Checks the rows of a chunk as the first pass sorted them (`services.Located`):
    rows not located were named then and are skipped, rows of a trajectory that occurs
    twice or has a measurement already go the board's way, the rest is checked
    (`bulk.BulkChecker`) with the place the first pass found for it."""

    def __init__(
        self, located: Located, measured: set[int], checker: bulk.BulkChecker, columns: list[str]
    ) -> None:
        self.located, self.measured, self.checker, self.columns = (
            located,
            measured,
            checker,
            columns,
        )

    def chunks(self, source: Source, worker: int = 0, workers: int = 1) -> Iterator[Chunk]:
        """The file's chunks `worker`, `worker + workers`, ... in file order."""
        size = bulk.CHUNK
        columns, twice, measured = self.columns, self.located.twice, self.measured
        check, cells_of = self.checker.check, self.checker.cells
        chunk = Chunk()
        index = 0
        rows = source.rows(checked=True, stripped=False)
        for (number, line), place in zip(rows, self.located.places, strict=True):
            if chunk.rows == size:
                if index % workers == worker:
                    yield chunk
                chunk, index = Chunk(), index + 1
            chunk.rows += 1
            if place is None or index % workers != worker:
                continue  # named in the first pass, or another worker's chunk: only counted
            cells = cells_of(line)
            if place.trajectory_id in twice or place.trajectory_id in measured:
                chunk.rest.append((number, dict(zip(columns, cells, strict=False))))
                continue
            try:
                chunk.prepared.append(check(cells, place))
            except ValidationError as error:
                chunk.problems.extend(problems_of(number, error))
        if chunk.rows and index % workers == worker:
            yield chunk


def problems_of(
    number: int, error: ValidationError, goal_ids: Sequence[int] = ()
) -> Iterator[tuple[int, str, str]]:
    """A check's problems as (row, file column, message): the board's field names
    turned into the file's columns (`services.column_of`)."""
    from .services import column_of

    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            column = "rij" if name == NON_FIELD_ERRORS else column_of(name, list(goal_ids))
            for message in messages:
                yield number, column, str(message)
    else:
        for message in error.messages:
            yield number, "rij", str(message)


def checked_chunks(checker: ChunkChecker, source: Source, bulk_rows: int) -> Iterator[Chunk]:
    """The file's chunks in order, checked in worker processes when the file is large
    (`PARALLEL_FROM`), else here. The workers are started before this returns: call it
    before any thread of the importing process is started (a fork copies one thread)."""
    if bulk_rows < PARALLEL_FROM or WORKERS < 2 or not _can_fork():
        return checker.chunks(source)
    context = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    processes = []
    for worker in range(WORKERS):
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(
            target=_work,
            args=(checker, source, worker, sending),
            name=f"import-check-{worker}",
            daemon=True,
        )
        process.start()
        sending.close()
        pipes.append(receiving)
        processes.append(process)
    return _collect(pipes, processes)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _collect(pipes: list[Connection], processes: list[Any]) -> Iterator[Chunk]:
    """The workers' chunks in file order: chunk k from worker k mod `WORKERS`. When one
    worker is done, so is the file."""
    try:
        index = 0
        finished = 0
        while finished < len(pipes):
            chunk = _receive(pipes[index % len(pipes)])
            if chunk is None:
                finished += 1
            else:
                yield chunk
            index += 1
    finally:
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()


def _receive(pipe: Connection) -> Chunk | None:
    try:
        kind, payload = pipe.recv()
    except EOFError:
        raise RuntimeError("an import's checking process ended without its chunks") from None
    if kind == "error":
        raise RuntimeError(f"an import's checking process failed:\n{payload}")
    if kind == "done":
        return None
    rows, places, prepared, rest, problems = payload
    return Chunk(rows, [_prepared(places, item) for item in prepared], rest, problems)


def _work(checker: ChunkChecker, source: Source, worker: int, pipe: Connection) -> None:
    """A worker process: its chunks sent as plain tuples, then "done"."""
    try:
        for chunk in checker.chunks(source, worker, WORKERS):
            places: dict[int, tuple[Any, ...]] = {}
            prepared = []
            for item in chunk.prepared:
                place = item.place
                places.setdefault(
                    place.trajectory_id,
                    (place.trajectory_id, place.resident_id, place.started_on, place.ended_on),
                )
                prepared.append(
                    (
                        place.trajectory_id,
                        item.measured_on,
                        item.quality_of_life,
                        item.choices,
                        item.goals,
                    )
                )
            payload = (chunk.rows, places, prepared, chunk.rest, chunk.problems)
            pipe.send(("chunk", payload))
        pipe.send(("done", None))
    except BaseException:  # handed to the importing process
        pipe.send(("error", traceback.format_exc()))
    finally:
        pipe.close()


def _prepared(places: dict[int, tuple[Any, ...]], item: tuple[Any, ...]) -> Prepared:
    trajectory_id, measured_on, quality_of_life, choices, goals = item
    return Prepared(Place(*places[trajectory_id]), measured_on, quality_of_life, choices, goals)
