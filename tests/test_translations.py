"""Every text the resident reads exists in each of the resident's languages: the
templates and messages listed in wattelt/resident_screens.py, checked against the
compiled catalogues (an untranslated text would silently fall back to Dutch)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from django.template import engines
from django.template.loader import get_template
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

from wattelt.resident_screens import (
    RESIDENT_MESSAGES,
    RESIDENT_TEMPLATES,
    STAFF_TEMPLATES_ON_RESIDENT_SCREENS,
)
from wattelt.residents.language import RESIDENT_LANGUAGES

TRANSLATED = [code for code, _name in RESIDENT_LANGUAGES if code != "en"]
"""English is the source language of every message."""

COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
STAFF_BLOCK = re.compile(r"{%\s*language\b.*?%}.*?{%\s*endlanguage\s*%}", re.S)
QUOTED = r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
CALL = re.compile(rf"\b(n?p?gettext|_)\(({QUOTED}(?:,\s*{QUOTED})*)")
STRING = re.compile(r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
INCLUDE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")


def _source(name: str) -> str:
    origin = get_template(name).origin  # type: ignore[attr-defined]
    return Path(origin.name).read_text(encoding="utf-8")


def _resident_part(name: str) -> str:
    return STAFF_BLOCK.sub("", COMMENT.sub("", _source(name)))


def template_msgids(name: str) -> set[str]:
    """The catalogue keys of a template's texts (gettext: the msgid; pgettext:
    context + \\x04 + msgid; plurals: the singular)."""
    keys: set[str] = set()
    for function, arguments in CALL.findall(templatize(_resident_part(name))):
        strings = [ast.literal_eval(s) for s in STRING.findall(arguments)]
        if function.startswith("p") or function.startswith("np"):
            keys.add(f"{strings[0]}\x04{strings[1]}")
        else:
            keys.add(strings[0])
    return keys


@cache
def catalogue(code: str) -> trans_real.TranslationCatalog:
    return trans_real.translation(code)._catalog  # type: ignore[attr-defined]


def has_translation(code: str, key: str) -> bool:
    entries = catalogue(code)
    value = entries.get(key) if key in entries else entries.get((key, 0))
    return bool(value)


def test_every_template_a_resident_screen_includes_is_listed():
    listed = set(RESIDENT_TEMPLATES) | set(STAFF_TEMPLATES_ON_RESIDENT_SCREENS)
    missing = {
        (name, included)
        for name in RESIDENT_TEMPLATES
        for included in INCLUDE.findall(_resident_part(name))
        if included not in listed
    }
    assert not missing, f"add to wattelt/resident_screens.py: {sorted(missing)}"


def test_the_lists_find_the_texts():
    """The extraction works: a known text of the plan and of feedback is found."""
    assert "My goals" in template_msgids("instrument/_plan_body.html")
    assert "Send my answers" in template_msgids("feedback/_answer_form.html")
    assert "Progress note" not in template_msgids("instrument/_plan_body.html")  # staff part


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_resident_text_is_translated(code):
    keys = {(name, key) for name in RESIDENT_TEMPLATES for key in template_msgids(name)}
    keys |= {("resident_screens.RESIDENT_MESSAGES", key) for key in RESIDENT_MESSAGES}
    missing = sorted(f"{where}: {key!r}" for where, key in keys if not has_translation(code, key))
    assert not missing, f"{len(missing)} untranslated in {code}:\n" + "\n".join(missing)


def test_an_untranslated_text_is_caught():
    assert not has_translation("ti", "A text nobody translated")
    assert engines["django"]  # the template engine the lists refer to
