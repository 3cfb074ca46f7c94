"""Dependencies point inward: fail on an import between parts of wattelt that the layering
does not allow, and on any cycle between parts.

    python -m tools.check_imports [ROOT]      (ROOT defaults to src/wattelt)

A part is an app (`residents`, `instrument`, ...) or a top-level module (`web`, `charts`,
`demo`, `urls`, ...). Every import counts, at module level and inside functions (a late
import dodges a cycle at start-up; it is still a dependency). So do the other ways to reach
another app's code: `importlib.import_module("wattelt.x")`, `apps.get_model("x", ...)` and
a lazy model reference `ForeignKey("x.Model")`. Only imports under `if TYPE_CHECKING:` are
left out: they never run and only name a type. Migrations are generated from the models and
are not checked. The layering and the reasons are in docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "wattelt"

KERNEL = {
    "web",
    "charts",
    "bounds",
    "spreadsheets",
    "jobs",
    "batch",
    "replica",
    "release",
    "deferral",
    "compiled",
}
# The parts each part may import (besides itself). From the bottom up; the layers and why
# are in docs/architecture.md. A part missing here is an error: a new app chooses its place.
ALLOWED: dict[str, set[str]] = {
    # Shared kernel: request helpers, form widgets, SVG charts. No domain at all.
    "web": set(),
    "charts": set(),
    "bounds": set(),
    "spreadsheets": set(),
    # One run at a time of each cron job (advisory lock); no domain.
    "jobs": set(),
    # Long batch work in a process of its own (the cycle collector paused); no domain.
    "batch": set(),
    # Which database a read goes to (primary or streaming replica); no domain.
    "replica": set(),
    # Which code runs (a digest of the sources: keys of renderings stored for later).
    "release": set(),
    "deferral": set(),
    # ORM statements over a list of ids, compiled once per database.
    "compiled": set(),
    # Health URLs and JSON-lines logging: middleware that knows no domain.
    "health": set(),
    "logs": set(),
    "__init__": set(),
    # Who works where and in which role; the organisation's policy.
    "organisations": {*KERNEL},
    # The access log knows who acted (organisations), never which domain object it names.
    "audit": {*KERNEL, "organisations"},
    "residents": {*KERNEL, "organisations", "audit"},
    # AVG rights over a resident; each app above it registers its own personal data.
    "privacy": {*KERNEL, "organisations", "audit", "residents"},
    "instrument": {*KERNEL, "organisations", "audit", "residents", "privacy"},
    "monitoring": {*KERNEL, "organisations", "audit", "residents", "privacy", "instrument"},
    "implementation": {*KERNEL, "organisations", "audit", "residents", "privacy", "instrument"},
    "screening": {*KERNEL, "organisations", "audit", "residents", "privacy", "instrument"},
    "guide": {*KERNEL, "organisations", "audit"},
    "feedback": {*KERNEL, "organisations", "audit", "residents", "privacy", "monitoring"},
    "implementation_plan": {*KERNEL, "organisations", "audit", "implementation"},
    # Deploy, backup and restore: the restore re-applies the privacy app's erasures.
    "operations": {*KERNEL, "health", "privacy"},
    # Outbox and delivery of notifications on the residents' and the instrument's signals.
    "notifications": {*KERNEL, "organisations", "audit", "residents", "instrument"},
    # Imports of historic measurements through the instrument's validation; monitoring's
    # summary is rebuilt after a bulk insert.
    "imports": {*KERNEL, "organisations", "audit", "residents", "instrument", "monitoring"},
    # The REST API v1: the file, the instrument and the published figures for other systems.
    "api": {*KERNEL, "organisations", "audit", "residents", "privacy", "instrument", "monitoring"},
    # Mijn Wat telt: the resident's own door to their plan, progress, file and consents.
    "portal": {
        *KERNEL,
        "organisations",
        "audit",
        "residents",
        "privacy",
        "instrument",
        "feedback",
        "monitoring",
    },
    # Composition root: wires the parts together and may use any of them.
    "demo": {"*"},
    "urls": {"*"},
    "navigation": {"*"},
    "start": {"*"},
    "settings": set(),
    "wsgi": set(),
    # The list of what the resident reads (template names, message ids): imports nothing.
    "resident_screens": set(),
}

# Temporary exceptions, each an exact (file under ROOT, imported module). An entry here is
# allowed and left out of the cycle check; it is a debt with an owner, not a rule.
TEMPORARY: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Arrow:
    path: str  # relative to the root, e.g. "residents/services.py"
    line: int
    source: str  # the importing part
    target: str  # the imported part
    module: str  # what was imported, e.g. "wattelt.monitoring.summary"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} -> {self.target} ({self.module})"


def part_of(module: str) -> str | None:
    names = module.split(".")
    if names[0] != PACKAGE:
        return None
    return names[1] if len(names) > 1 else "__init__"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


_RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _resolve(node: ast.ImportFrom, package: list[str]) -> str:
    """The absolute module of a `from ... import`, relative ones resolved in `package`."""
    if not node.level:
        return node.module or ""
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imported_modules(tree: ast.Module, package: list[str]) -> Iterator[tuple[int, str]]:
    """(line, module) of every import and every by-name reference to wattelt code."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skip.update(id(inner) for child in node.body for inner in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node, package)
            if module == PACKAGE:  # from wattelt import monitoring
                for alias in node.names:
                    yield node.lineno, f"{PACKAGE}.{alias.name}"
            else:
                yield node.lineno, module
        elif isinstance(node, ast.Call):
            name = _call_name(node.func)
            first = _const_str(node.args[0]) if node.args else None
            if name == "import_module" and first:
                yield node.lineno, first
            elif name == "get_model" and first:
                yield node.lineno, f"{PACKAGE}.{first.split('.')[0]}"
            elif name in _RELATIONS:
                to = first or next(
                    (_const_str(k.value) for k in node.keywords if k.arg == "to"), None
                )
                if to and "." in to:
                    yield node.lineno, f"{PACKAGE}.{to.split('.')[0]}"


def arrows(root: Path) -> list[Arrow]:
    """Every import from one part of the package at `root` into another."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts:
            continue
        source = rel.parts[0].removesuffix(".py")
        package = [PACKAGE, *rel.parts[:-1]]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in imported_modules(tree, package):
            target = part_of(module)
            if target is not None and target != source:
                found.append(Arrow(rel.as_posix(), line, source, target, module))
    return found


def forbidden(
    found: Iterable[Arrow],
    allowed: Mapping[str, set[str]] = ALLOWED,
    temporary: Mapping[tuple[str, str], str] = TEMPORARY,
) -> list[str]:
    """A message for each arrow the layering does not allow."""
    problems = []
    for arrow in found:
        if (arrow.path, arrow.module) in temporary:
            continue
        if arrow.source not in allowed:
            problems.append(
                f"{arrow}: '{arrow.source}' has no place in the layering "
                "(add it to ALLOWED in tools/check_imports.py and to docs/architecture.md)"
            )
        elif arrow.target not in allowed[arrow.source] and "*" not in allowed[arrow.source]:
            problems.append(f"{arrow}: forbidden arrow {arrow.source} -> {arrow.target}")
    return problems


def strongly_connected(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of nodes that reach each other (Tarjan), each sorted; single nodes left out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # recursion is fine: a few hundred modules at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def cycles(
    found: Iterable[Arrow], temporary: Mapping[tuple[str, str], str] = TEMPORARY
) -> list[list[str]]:
    """The groups of parts that import each other."""
    graph: dict[str, set[str]] = defaultdict(set)
    for arrow in found:
        if (arrow.path, arrow.module) not in temporary:
            graph[arrow.source].add(arrow.target)
    return strongly_connected(graph)


def _module_name(rel: Path) -> str:
    names = [PACKAGE, *rel.with_suffix("").parts]
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def module_cycles(root: Path) -> list[list[str]]:
    """Modules that import each other at import time (module-level imports, in any app).
    Such a cycle holds only by the order of the imports or a late import at the bottom of
    a file; within an app the fix is to move the shared piece down, e.g. models to models.py."""
    modules = {
        _module_name(path.relative_to(root)): path
        for path in root.rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        rel = path.relative_to(root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top_level = ast.Module(
            body=[n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)],
            type_ignores=[],
        )
        package = [PACKAGE, *rel.parts[:-1]]
        imported = {module for _line, module in imported_modules(top_level, package)}
        for node in ast.walk(top_level):  # `from package import module` names a module
            if isinstance(node, ast.ImportFrom):
                base = _resolve(node, package)
                imported.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in imported if m in modules and m != name}
    return strongly_connected(graph)


def check(
    root: Path,
    allowed: Mapping[str, set[str]] = ALLOWED,
    temporary: Mapping[tuple[str, str], str] = TEMPORARY,
) -> list[str]:
    """Every problem with the import graph under `root`, as messages; empty when clean."""
    found = arrows(root)
    problems = forbidden(found, allowed, temporary)
    by_pair: dict[tuple[str, str], list[Arrow]] = defaultdict(list)
    for arrow in found:
        if (arrow.path, arrow.module) not in temporary:
            by_pair[arrow.source, arrow.target].append(arrow)
    for group in cycles(found, temporary):
        members = set(group)
        loops = {tuple(_shortest_cycle(member, members, by_pair)) for member in group}
        shown = [
            " -> ".join([*loop, loop[0]])
            + " ("
            + ", ".join(f"{by_pair[a, b][0].path}:{by_pair[a, b][0].line}" for a, b in _pairs(loop))
            + ")"
            for loop in sorted(loops, key=lambda loop: (len(loop), loop))
        ]
        problems.append(f"import cycle between {', '.join(group)}: " + "; ".join(shown))
    for group in module_cycles(root):
        problems.append(
            f"modules that import each other at import time: {', '.join(group)} "
            "(move what they share into the lower one)"
        )
    stale = set(temporary) - {(a.path, a.module) for a in found}
    problems += [
        f"{path}: temporary exception for {module} is no longer needed"
        for path, module in sorted(stale)
    ]
    return problems


def _pairs(loop: tuple[str, ...]) -> list[tuple[str, str]]:
    return list(zip(loop, loop[1:] + loop[:1], strict=True))


def _shortest_cycle(
    start: str, members: set[str], by_pair: Mapping[tuple[str, str], list[Arrow]]
) -> tuple[str, ...]:
    """The shortest way from `start` back to itself, turned to begin at its smallest part."""
    paths: dict[str, tuple[str, ...]] = {start: (start,)}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for source, target in sorted(by_pair):
            if source != node or target not in members:
                continue
            if target == start:
                loop = paths[node]
                first = loop.index(min(loop))
                return loop[first:] + loop[:first]
            if target not in paths:
                paths[target] = (*paths[node], target)
                queue.append(target)
    raise AssertionError(f"{start} is in a cycle but has no way back")


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "src" / PACKAGE
    problems = check(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"check_imports: {len(problems)} problem(s); the allowed arrows are in "
            "docs/architecture.md",
            file=sys.stderr,
        )
        return 1
    print(f"check_imports: {len(arrows(root))} imports between parts, all point inward")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
