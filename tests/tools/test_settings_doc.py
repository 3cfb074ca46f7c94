"""The settings reference is generated from settings.py and the committed one is current."""

from __future__ import annotations

from django.conf import settings

from tools import settings_doc
from tools.settings_doc import read_settings, render


def test_committed_reference_equals_the_generated_one():
    assert settings_doc.REFERENCE.read_text(encoding="utf-8") == settings_doc.generate()
    assert settings_doc.main(["--check"]) == 0


def test_reference_names_every_setting_the_running_app_reads():
    documented = {s.name for s in read_settings(settings_doc.SETTINGS.read_text())}
    assert documented == set(settings.SETTINGS_DOC)
    generated = settings_doc.generate()  # once: it reads every settings module
    for name, doc in settings.SETTINGS_DOC.items():
        assert f"| `{name}` |" in generated
        assert doc in generated


def test_a_setting_in_a_loop_is_written_once_per_element():
    source = (
        'BASE = setting("BASE_URL", "", "Base.")\n'
        "ends = {\n"
        '    n: setting(f"X_{n.upper()}_URL", f"{BASE}/{d}", f"The {n} address.", int)\n'
        '    for n, d in [("token", "tok"), ("jwks", "keys")]\n'
        "}\n"
    )
    found = read_settings(source)
    assert [(s.name, s.default, s.doc, s.kind) for s in found] == [
        ("BASE_URL", '""', "Base.", "text"),
        ("X_TOKEN_URL", 'f"{BASE}/tok"', "The token address.", "whole number"),
        ("X_JWKS_URL", 'f"{BASE}/keys"', "The jwks address.", "whole number"),
    ]
    assert '| `X_JWKS_URL` | `f"{BASE}/keys"` | whole number | The jwks address. |' in render(found)


def test_check_fails_with_a_diff_when_the_reference_is_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "settings.md"
    stale.write_text("# Settings reference\n")
    monkeypatch.setattr(settings_doc, "REFERENCE", stale)
    assert settings_doc.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "+| `WATTELT_SITE_URL`" in err
    assert "docs/settings.md is out of date" in err
