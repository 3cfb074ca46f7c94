"""Long batch work in a process of its own (an import, a publish run)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block.

    Batch work that makes millions of small objects beside many long-lived ones (an
    import's rows, a publish's linked table) pays for each automatic collection walking
    all of them again. Reference counting still frees what is not in a cycle; the
    caller collects where cycles may have piled up (`gc.collect()`), and the collector
    runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
