"""The settings reference, generated from the `setting(...)` calls in settings.py.

    python -m tools.settings_doc            write docs/settings.md
    python -m tools.settings_doc --check    fail when docs/settings.md is not up to date

Read from the source, not by importing it: the reference must not depend on the
environment of the machine that writes it, and a default such as `not DEBUG` says more
than the value it has today. A `setting(...)` in a comprehension over a literal list is
written once per element.
"""

from __future__ import annotations

import ast
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "src" / "wattelt" / "settings.py"
REFERENCE = ROOT / "docs" / "settings.md"

PARSERS = {
    "str": "text",
    "int": "whole number",
    "_parse_bool": "true/false (1, yes, on / 0, no, off)",
    "_parse_list": "comma-separated list",
    "_parse_sign_algo": "one of RS256, RS384, RS512, ES256, ES384, ES512, HS256",
    "_parse_log_format": "json or text",
    "Path": "path",
}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    doc: str
    kind: str
    line: int


class SettingsSourceError(Exception):
    pass


def _text(node: ast.expr, source: str, names: dict[str, Any], what: str) -> str:
    """A string argument: a literal, or an f-string over the comprehension's names."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append(_value(value.value, source, names))
        return "".join(parts)
    raise SettingsSourceError(f"line {node.lineno}: the {what} must be a string literal")


def _value(node: ast.expr, source: str, names: dict[str, Any]) -> str:
    """A placeholder in an f-string: evaluated when it uses only the comprehension's names
    (`name.upper()`), else kept as code (`{OIDC_PROVIDER_URL}`)."""
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if used <= set(names):
        code = compile(ast.Expression(node), "<settings>", "eval")
        return str(eval(code, {"__builtins__": {}}, names))
    return "{" + (ast.get_source_segment(source, node) or "?") + "}"


def _default(node: ast.expr, source: str, names: dict[str, Any]) -> str:
    if isinstance(node, ast.JoinedStr):
        return f'f"{_text(node, source, names, "default")}"'
    return " ".join((ast.get_source_segment(source, node) or "?").split())


def _kind(call: ast.Call, source: str) -> str:
    parse = call.args[3] if len(call.args) > 3 else None
    parse = parse or next((k.value for k in call.keywords if k.arg == "parse"), None)
    if parse is None:
        return PARSERS["str"]
    code = ast.get_source_segment(source, parse) or ""
    return PARSERS.get(code, "see `settings.py`")


def _argument(call: ast.Call, index: int, name: str) -> ast.expr:
    if len(call.args) > index:
        return call.args[index]
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    raise SettingsSourceError(f"line {call.lineno}: setting() without {name}")


def _loop_bindings(comprehension: ast.comprehension) -> list[dict[str, Any]]:
    try:
        values = ast.literal_eval(comprehension.iter)
    except ValueError as exc:
        raise SettingsSourceError(
            f"line {comprehension.iter.lineno}: setting() in a loop over a non-literal"
        ) from exc
    target = comprehension.target
    bindings = []
    for value in values:
        if isinstance(target, ast.Name):
            bindings.append({target.id: value})
        elif isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
            bindings.append({e.id: v for e, v in zip(target.elts, value, strict=True)})  # type: ignore[attr-defined]
        else:
            raise SettingsSourceError(f"line {target.lineno}: unsupported loop target")
    return bindings


def _is_setting(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setting"
    )


def read_settings(source: str) -> list[Setting]:
    """Every `setting(...)` call in the source, in the order of the file."""
    tree = ast.parse(source)
    in_loop: dict[int, list[dict[str, Any]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) and any(
            _is_setting(inner) for inner in ast.walk(node)
        ):
            bindings: list[dict[str, Any]] = [{}]
            for comprehension in node.generators:
                bindings = [
                    {**outer, **inner}
                    for outer in bindings
                    for inner in _loop_bindings(comprehension)
                ]
            for inner in ast.walk(node):
                in_loop[id(inner)] = bindings
    found = []
    for node in ast.walk(tree):
        if not _is_setting(node):
            continue
        assert isinstance(node, ast.Call)
        for names in in_loop.get(id(node), [{}]):
            found.append(
                Setting(
                    name=_text(_argument(node, 0, "name"), source, names, "name"),
                    default=_default(_argument(node, 1, "default"), source, names),
                    doc=_text(_argument(node, 2, "doc"), source, names, "doc"),
                    kind=_kind(node, source),
                    line=node.lineno,
                )
            )
    return sorted(found, key=lambda s: s.line)  # stable: a loop keeps its own order


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(settings: list[Setting]) -> str:
    lines = [
        "# Settings reference",
        "",
        "<!-- Generated by `python -m tools.settings_doc` from the `setting(...)` calls in",
        "src/wattelt/settings.py; `make lint` fails when this file is out of date. -->",
        "",
        "Every setting that differs between machines comes from the environment. A bad",
        "value stops the app at start-up with a message naming the setting. Defaults are",
        "written as in `settings.py`: `DEBUG` is the value of `WATTELT_DEBUG`. Any of them",
        "can also be read from a file: `<NAME>_FILE=/run/secrets/...` (for secrets; the",
        "file's content, without surrounding white space, is the value).",
        "",
        "| variable | default | value | what it does |",
        "|---|---|---|---|",
    ]
    for s in settings:
        lines.append(f"| `{s.name}` | `{_cell(s.default)}` | {s.kind} | {_cell(s.doc)} |")
    return "\n".join(lines) + "\n"


def generate(settings_path: Path = SETTINGS) -> str:
    return render(read_settings(settings_path.read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    expected = generate()
    if argv == ["--check"]:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
        if current != expected:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "docs/settings.md (committed)",
                "docs/settings.md (generated)",
            )
            sys.stderr.writelines(diff)
            print(
                "settings_doc: docs/settings.md is out of date; run "
                "`.venv/bin/python -m tools.settings_doc` and commit it",
                file=sys.stderr,
            )
            return 1
        count = sum(line.startswith("| `") for line in expected.splitlines())
        print(f"settings_doc: docs/settings.md is up to date ({count} settings)")
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    REFERENCE.write_text(expected, encoding="utf-8")
    print(f"settings_doc: wrote {REFERENCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
