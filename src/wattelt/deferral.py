"""Work put off to the end of a block: ids collected while the block runs and handled once
at its end, for a writer of hundreds of rows at once (seed_demo: a summary derived once,
set-based, instead of after each of its writes).

    _deferral = Deferral("monitoring_summary_deferred")

    def deferred():                      # the module's context manager
        return _deferral.collecting(refresh_trajectories)

    def refresh_trajectories(ids):
        if _deferral.collect(ids):       # inside a block: kept for its end
            return
        ...                              # outside: the work itself

A block inside another collects for the outer one. When the block raises, nothing is
handled (the caller's transaction rolls back what was written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Deferral:
    def __init__(self, name: str) -> None:
        self._pending: ContextVar[set[int] | None] = ContextVar(name, default=None)

    @contextmanager
    def collecting(self, handle: Callable[[set[int]], object]) -> Iterator[None]:
        """Collect the ids `collect` is given inside the block; hand them to `handle`
        once at its end (not when an outer block is collecting already)."""
        if self._pending.get() is not None:
            yield
            return
        pending: set[int] = set()
        token = self._pending.set(pending)
        try:
            yield
        finally:
            self._pending.reset(token)
        handle(pending)

    def collect(self, ids: Iterable[int]) -> bool:
        """Inside a block: keep the ids for its end and say so; outside: False (the caller
        does the work now)."""
        pending = self._pending.get()
        if pending is None:
            return False
        pending.update(int(i) for i in ids)
        return True
