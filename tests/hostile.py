"""Helpers for the hostile-input test: the hostile values, reading the forms a page
renders, and building requests that put every hostile value into every field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

HUGE = "9" * 5000
MEGABYTE = "x" * 1_000_000
# Each value once in every field: huge, non-ASCII digits, NUL, wrong types, out of range.
HOSTILE: list[str] = [
    HUGE,
    "-" + HUGE,
    "²⁰²⁶",
    "٢٠٢٦",  # Arabic-Indic digits
    "\uff12\uff10\uff12\uff16-Q\uff11",  # full-width digits
    "2026-Q12",
    "0000",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "1e309",
    '{"a": 1}',
    '=HYPERLINK("http://x")',
    " ".join(["ab"] * 1200),  # many words
    "",
]
# Refused at the door for the whole request (a NUL character), so sent on its own.
DOOR_VALUES = ["a\x00b"]
# Where each request is costly (files: PDF, CSV) or the values merely repeat (the hidden
# fields, hostile once more): the values that break parsers.
FEW_HOSTILE = [HUGE, "²⁰²⁶", "٢٠٢٦", "2026-Q12", "0000", "-1"]
# Query parameters are read as numbers, dates, periods and page numbers: these values.
QUERY_HOSTILE = [v for v in HOSTILE if v not in ('{"a": 1}', '=HYPERLINK("http://x")', "1e309")]
LONG_LIST = 900  # one field repeated, just under DATA_UPLOAD_MAX_NUMBER_FIELDS
# Query parameters the views read without a form on the page to show them.
COMMON_QUERY_KEYS = [
    "page",
    "period",
    "district",
    "team",
    "age_group",
    "figure",
    "maand",
    "medewerker",
    "toon",
    "per",
    "q",
    "next",
    "direction",
]
_INDEX = re.compile(r"-(\d+)-")
# Sent with every form: indices no form renders (the board reads such names).
HOSTILE_NAMES = [f"goal-{HUGE}-own_words", f"review-{HUGE}-status", "goal-٣-own_words"]


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    text: set[str] = field(default_factory=set)  # free text: text inputs and textareas

    def add(self, name: str, value: str | None, *, hidden: bool = False, text: bool = False):
        values = self.fields.setdefault(name, [])
        if value is not None:
            values.append(value)
        if hidden:
            self.hidden.add(name)
        if text:
            self.text.add(name)


class _FormReader(HTMLParser):
    """Every <form> with its fields and their rendered values; every link's query keys."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.query_keys: set[str] = set()
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.query_keys.update(k for k, _ in parse_qsl(urlsplit(a["href"]).query))
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
            return
        form = self._form
        name = a.get("name") or ""
        if form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.add(name, a.get("value", "on") if "checked" in a else None)
            elif kind == "submit":
                form.add(name, None)
            else:
                hidden = kind == "hidden"
                form.add(name, a.get("value", ""), hidden=hidden, text=not hidden)
        elif tag == "button" and a.get("value"):
            form.add(name, None)
        elif tag == "textarea":
            self._textarea = name
            form.add(name, None, text=True)
        elif tag == "select":
            self._select = name
            self._first_option = None
            self._selected = False
            form.add(name, None)
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                form.add(self._select, value)
                self._selected = True

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select:
            if not self._selected and self._first_option is not None:
                self._form.add(self._select, self._first_option)
            self._select = None


def read_page(html: str) -> tuple[list[Form], set[str]]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms, reader.query_keys


def with_hostile_indices(names: list[str]) -> list[str]:
    """Field names like goal-0-own_words again with hostile indices in them."""
    extra = []
    for name in names:
        if _INDEX.search(name):
            for index in (HUGE, "-1", "²", "٢", "0" * 50):
                extra.append(_INDEX.sub(f"-{index}-", name, count=1))
    return extra


def latin_square(names: list[str], values: list[str]) -> list[dict[str, list[str]]]:
    """len(values) requests in which every name gets every value exactly once."""
    n = len(values)
    return [{name: [values[(i + j) % n]] for i, name in enumerate(names)} for j in range(n)]


def hostile_posts(form: Form) -> list[dict[str, list[str]]]:
    """The POST bodies for one form: every hostile value in every field, with the hidden
    fields (csrf, revision) as rendered and once hostile too; hostile indices; a very long
    list; a megabyte in each free-text field (two at a time, within the upload limit)."""
    defaults = {name: values or [""] for name, values in form.fields.items()}
    visible = [n for n in form.fields if n not in form.hidden]
    # Hostile indices carry a harmless value, so the index itself is what is tried.
    indexed = {
        variant: [value if value.strip() else "Een doel" for value in defaults[name]]
        for name in form.fields
        for variant in with_hostile_indices([name])
    }
    for name in HOSTILE_NAMES:
        indexed.setdefault(name, ["Een doel"] if name.endswith("own_words") else [""])
    bodies: list[dict[str, list[str]]] = []
    for square in latin_square(visible, HOSTILE):
        bodies.append({**defaults, **square, **indexed})
    for square in latin_square(list(form.fields), FEW_HOSTILE):
        bodies.append({**defaults, **square})
    for value in DOOR_VALUES:
        bodies.append({name: [value] for name in form.fields})
    for name in visible[:2]:
        bodies.append({**defaults, name: ["1"] * LONG_LIST})
    text = [n for n in visible if n in form.text]
    for i in range(0, len(text), 2):
        bodies.append({**defaults, **{n: [MEGABYTE] for n in text[i : i + 2]}})
    return bodies


def hostile_queries(
    keys: list[str], values: list[str] = QUERY_HOSTILE
) -> list[dict[str, list[str]]]:
    """Query strings: every hostile value in every key, a long list, a megabyte."""
    bodies = latin_square(keys, values)
    bodies += [{k: [value] for k in keys} for value in DOOR_VALUES]
    bodies.append({keys[0]: ["1"] * LONG_LIST})
    bodies.append({k: [MEGABYTE] for k in keys[:2]})
    return bodies
