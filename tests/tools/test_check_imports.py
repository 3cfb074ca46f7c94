"""The import-graph check of `make lint`: it fails on a forbidden arrow and on a cycle,
names the file and line, and passes on the real tree."""

from __future__ import annotations

from pathlib import Path

from tools import check_imports
from tools.check_imports import ALLOWED, arrows, check

SRC = Path(__file__).resolve().parents[2] / "src" / "wattelt"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "wattelt" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "wattelt"


def test_the_real_tree_points_inward():
    assert check(SRC) == []


def test_an_upward_import_is_a_forbidden_arrow_named_by_file_and_line(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "residents/services.py": '"""Doc."""\n\nfrom wattelt.monitoring import summary\n',
            "monitoring/summary.py": "",
        },
    )
    assert check(root, temporary={}) == [
        "residents/services.py:3: residents -> monitoring (wattelt.monitoring): "
        "forbidden arrow residents -> monitoring"
    ]


def test_an_import_inside_a_function_counts(tmp_path):
    root = write_tree(
        tmp_path,
        {"audit/models.py": "def f():\n    from wattelt.residents.models import Resident\n"},
    )
    assert check(root, temporary={}) == [
        "audit/models.py:2: audit -> residents (wattelt.residents.models): "
        "forbidden arrow audit -> residents"
    ]


def test_a_cycle_between_apps_fails_even_when_each_arrow_is_allowed(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "a/models.py": "from wattelt.b import models\n",
            "b/models.py": "def late():\n    from ..a import models\n",
        },
    )
    allowed = {"a": {"b"}, "b": {"a"}}
    assert check(root, allowed, temporary={}) == [
        "import cycle between a, b: a -> b -> a (a/models.py:1, b/models.py:2)"
    ]


def test_forbidden_arrows_and_their_cycle_are_both_reported(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "residents/services.py": "from wattelt.instrument.models import Measurement\n",
            "instrument/models.py": "from wattelt.residents.models import Trajectory\n",
        },
    )
    problems = check(root, temporary={})
    assert problems[0].endswith("forbidden arrow residents -> instrument")
    assert problems[1].startswith("import cycle between instrument, residents")
    assert len(problems) == 2


def test_type_checking_imports_and_the_composition_root_are_allowed(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "web.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from wattelt.organisations.models import Staff\n",
            "demo/data.py": "from wattelt.monitoring import summary\n",
        },
    )
    assert check(root, temporary={}) == []


def test_lookups_by_name_count_as_imports(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "organisations/models.py": "from django.apps import apps\n\n"
            'R = apps.get_model("residents", "Resident")\n'
            'T = models.ForeignKey("instrument.Goal", on_delete=None)\n'
            'm = importlib.import_module("wattelt.monitoring.summary")\n'
        },
    )
    targets = [(a.line, a.target) for a in arrows(root)]
    assert targets == [(3, "residents"), (4, "instrument"), (5, "monitoring")]


def test_a_new_app_must_choose_its_place(tmp_path):
    root = write_tree(tmp_path, {"newapp/views.py": "from wattelt import web\n"})
    (problem,) = check(root, temporary={})
    assert "'newapp' has no place in the layering" in problem


def test_a_temporary_exception_is_exact_and_must_still_be_needed(tmp_path):
    root = write_tree(
        tmp_path,
        {"instrument/views.py": "from wattelt.implementation.services import x\n"},
    )
    exception = {("instrument/views.py", "wattelt.implementation.services"): "x"}
    assert check(root, temporary=exception) == []
    stale = {("instrument/forms.py", "wattelt.implementation.services"): "x"}
    assert check(root, temporary=stale)[-1] == (
        "instrument/forms.py: temporary exception for wattelt.implementation.services "
        "is no longer needed"
    )


def test_the_allowed_arrows_form_no_cycle():
    # A strict order from the kernel up; the composition root ('*') is on top.
    graph = {part: {t for t in targets if t != "*"} for part, targets in ALLOWED.items()}
    fake = [
        check_imports.Arrow("x", 1, source, target, target)
        for source, targets in graph.items()
        for target in targets
    ]
    assert check_imports.cycles(fake, temporary={}) == []


def test_the_command_passes_on_the_real_tree(capsys):
    assert check_imports.main([]) == 0
    assert "all point inward" in capsys.readouterr().out


def test_modules_that_import_each_other_at_import_time_fail(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "monitoring/models.py": "X = 1\n\nfrom .published import Cube  # noqa: E402\n",
            "monitoring/published.py": "from . import cube\n",
            "monitoring/cube.py": "from .models import X\n\n\ndef late():\n"
            "    from .published import Cube\n",
        },
    )
    assert check(root, temporary={}) == [
        "modules that import each other at import time: wattelt.monitoring.cube, "
        "wattelt.monitoring.models, wattelt.monitoring.published "
        "(move what they share into the lower one)"
    ]


def test_a_late_import_inside_an_app_is_no_module_cycle(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "monitoring/models.py": "def f():\n    from .published import Cube\n",
            "monitoring/published.py": "from .models import X\n",
        },
    )
    assert check(root, temporary={}) == []
