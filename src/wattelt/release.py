"""Which code runs: a digest of the package's sources, templates and compiled messages.

Anything rendered and stored for later (the dashboard's figures, rendered by the publish
run) is keyed by it too, so a deploy that changes a template, a label or a translation is
never served the old rendering: the first view after the deploy renders afresh. Every app
server running the same release computes the same digest (content, not file times)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
RENDERING = {".py", ".html", ".mo"}


@functools.cache
def code_version() -> str:
    """The running package's digest (about 50 ms, once a process)."""
    return digest_of(PACKAGE)


def digest_of(root: Path) -> str:
    """Twelve hex digits over the names and contents of `root`'s code, templates and
    compiled messages (not migrations: they render nothing)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        parts = set(path.relative_to(root).parts)
        if path.suffix in RENDERING and not {"__pycache__", "migrations"} & parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
