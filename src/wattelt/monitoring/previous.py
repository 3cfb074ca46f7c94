"""Two consecutive publishes: what a reader who kept the previous one can combine.

A reader who downloaded yesterday's tables and today's holds two systems of relations.
Assume the worst: they know which figures did not change (a cell unchanged is one value
in both publishes). Then, for the next publish of a scope and year (ADR 0012, "Two
publishes"):

- a cell shown last time whose count is unchanged is a constant the reader has anyway
  (`Table.known`): the audit never hides it to protect anything, as that would not help;
- a cell hidden last time whose count is unchanged is hidden again (`Table.keep_hidden`),
  so it stays one unknown in both publishes;
- every relation is also written over the previous publish (`Table.before`): changed
  cells as the values it showed or as unknowns bounded by what its labels said,
  unchanged ones as the same key as now. The audit then asks its questions of both
  publishes at once, for today's small cells and for the small cells of last time.

The previous publish's shown cells are in its slices. Its hidden counts are not: beside
the cube we store, per hidden cell, a keyed digest of its count (HMAC with the secret key,
so the published store holds no small figure in the clear) and what its label said
(count under 10; behind 1-9 residents); `compare` matches today's counts against them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import zlib
from collections.abc import Hashable, Mapping
from typing import Any

from django.conf import settings

from .audit import TARGET, UNPUBLISHED, Before
from .suppression import THRESHOLD, Cell, ShownCell, Table

Key = tuple[Hashable, ...]
DIGEST_BYTES = 8
"""Of the HMAC-SHA256 of a hidden cell's key and count: collisions are negligible."""
WIDTH = "~width"
"""The record of the protection width the publish was audited with (no cell's key)."""


def _count(cell: Cell, measure: str) -> int | None:
    value = cell.values.get(measure)
    return int(value) if isinstance(value, int | float) else None


def _digest(base: hmac.HMAC, key: Key, count: int | None) -> str:
    mac = base.copy()
    mac.update(f"{key!r}={count}".encode())
    return mac.digest()[:DIGEST_BYTES].hex()


def _base() -> hmac.HMAC:
    secret = hashlib.sha256(b"wattelt.monitoring.previous" + settings.SECRET_KEY.encode())
    return hmac.new(secret.digest(), digestmod=hashlib.sha256)


def remember(table: Table, shown: Mapping[Any, ShownCell], width: int | None = None) -> bytes:
    """What to store beside a published cube: per cell it did not show, the digest of
    its count, whether that count is under 10, and whether 1-9 residents are behind it;
    and the protection `width` it was audited with (default: the setting)."""
    base = _base()
    if width is None:
        width = settings.MONITORING_AUDIT_WIDTH
    records: dict[str, object] = {WIDTH: width}
    for cell in table.cells:
        shown_cell = shown.get(cell.key)
        if shown_cell is not None and not shown_cell.is_suppressed:
            continue
        count = _count(cell, table.measure)
        records[repr(cell.key)] = [
            _digest(base, cell.key, count),
            int(count is not None and count < THRESHOLD),
            int(0 < cell.residents < THRESHOLD),
        ]
    return zlib.compress(json.dumps(records, separators=(",", ":")).encode(), 6)


def compare(table: Table, shown: Mapping[Any, ShownCell], remembered: bytes) -> Table:
    """`table` with what a reader of the previous publish (`shown`, its cells, and
    `remembered`, what `remember` stored) can combine with it."""
    records: dict[str, Any] = json.loads(zlib.decompress(remembered)) if remembered else {}
    closed = WIDTH in records
    width = int(records.pop(WIDTH, 0))
    base = _base()
    labels: dict[Key, str] = {}
    new: set[Key] = set()
    known: set[Key] = set()
    keep_hidden: set[Key] = set()
    same: set[Key] = set()
    before_shown: dict[Key, float] = {}
    before_hidden: dict[Key, tuple[float, float | None]] = {}
    targets: set[Key] = set()
    for cell in table.cells:
        count = _count(cell, table.measure)
        earlier = shown.get(cell.key)
        if earlier is not None and not earlier.is_suppressed:
            value = earlier.values.get(table.measure)
            if isinstance(value, int | float) and value == count:
                known.add(cell.key)
                same.add(cell.key)
                labels[cell.key] = ""
            elif isinstance(value, int | float):
                before_shown[cell.key] = float(value)
            continue
        record = records.get(repr(cell.key))
        if record is None:
            if earlier is not None:  # hidden, but stored before digests were: changed
                before_hidden[cell.key] = (0.0, None)
            else:  # not in the previous publish (a quarter or figure since)
                new.add(cell.key)
            continue
        digest, small, target = record
        if digest == _digest(base, cell.key, count):
            same.add(cell.key)
            if cell.published:
                keep_hidden.add(cell.key)
            label = UNPUBLISHED if earlier is None else earlier.suppressed
            labels[cell.key] = label + (TARGET if target else "")
            continue
        label_says_small = earlier is not None and earlier.suppressed == "primary"
        if small and label_says_small:
            before_hidden[cell.key] = (0.0, float(THRESHOLD - 1))
        elif not small and earlier is not None and earlier.suppressed == "secondary":
            before_hidden[cell.key] = (float(THRESHOLD), None)
        else:
            before_hidden[cell.key] = (0.0, None)
        if target:
            targets.add(cell.key)
    return dataclasses.replace(
        table,
        keep_hidden=frozenset(keep_hidden),
        known=frozenset(known),
        before=Before(
            before_shown,
            before_hidden,
            frozenset(targets),
            frozenset(same),
            labels,
            width,
            closed,
            frozenset(new),
        ),
    )
