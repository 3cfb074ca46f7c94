"""Facts about a trajectory that the apps above residents show on the resident page.

Residents knows the trajectory, not what is recorded in it: the instrument registers
how to count its measurements (in its AppConfig.ready()), and the resident page asks
for them here. Each fact is a queryset annotation over Trajectory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_FACTS: dict[str, Callable[[], Any]] = {}


def register_trajectory_facts(**facts: Callable[[], Any]) -> None:
    """name=annotation factory, e.g. confirmed_count=lambda: Count(...)."""
    _FACTS.update(facts)


def trajectory_facts() -> dict[str, Any]:
    return {name: make() for name, make in _FACTS.items()}
