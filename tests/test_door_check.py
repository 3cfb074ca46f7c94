"""The lint check that views reach resident data only through the door."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
door = runpy.run_path(str(ROOT / "bin" / "check-door"))


def write(tmp_path: Path, relative: str, source: str) -> None:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


def test_a_view_that_fetches_resident_data_past_the_door_fails(tmp_path):
    write(
        tmp_path,
        "app/views.py",
        "def v(request, pk):\n"
        "    a = Trajectory.objects.get(pk=pk)\n"
        "    b = get_object_or_404(Measurement, pk=pk)\n"
        "    c = Goal.objects.filter(pk=pk)\n"
        "    d = Resident._base_manager.all()\n",
    )
    found = door["check"](tmp_path)
    assert sorted(line.split(":")[1] for line in found) == ["2", "3", "4", "5"]


def test_a_views_module_beside_views_py_is_checked_too(tmp_path):
    write(tmp_path, "portal/page_views.py", "def v(r):\n    return Consent.objects.get(pk=1)\n")
    write(tmp_path, "portal/own.py", "def f(r):\n    return Consent.objects.owned_by(r)\n")
    assert [line.split(":")[1] for line in door["check"](tmp_path)] == ["2"]


def test_the_door_and_non_view_modules_pass(tmp_path):
    write(
        tmp_path,
        "app/views.py",
        "def v(request, pk):\n"
        "    a = Trajectory.objects.visible_to(request.user).filter(pk=pk)\n"
        "    b = trajectory_access(request.user, pk)\n"
        "    c = Team.objects.get(pk=pk)\n",
    )
    write(tmp_path, "app/services.py", "x = Trajectory.objects.get(pk=1)\n")
    assert door["check"](tmp_path) == []


def test_the_real_tree_goes_through_the_door():
    assert door["check"](ROOT / "src") == []
