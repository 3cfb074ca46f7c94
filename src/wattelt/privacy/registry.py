"""Every app's personal data about a resident, for the access request (inzage) and for
erasure. The privacy app sits below the apps that hold such data: each one registers what
it holds in its AppConfig.ready(), so privacy imports none of them and a new app cannot
be forgotten by an import list here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

JSON = dict[str, Any]


@dataclass(frozen=True)
class PersonalData:
    """What one app holds about residents, and how to show and erase it."""

    app: str
    # Extra keys of each trajectory in the inzage, for the given trajectory ids, as
    # {trajectory id: {key: facts}}; a fixed number of queries whatever the number.
    trajectory_facts: Callable[[list[int]], dict[int, JSON]] | None = None
    # Extra keys of the inzage itself, for one resident (by id).
    resident_facts: Callable[[int], JSON] | None = None
    # Blank the resident's words in this app's data of the given trajectory ids; keep
    # what monitoring counts. Returns the objects whose admin history names them.
    erase: Callable[[list[int]], dict[type[models.Model], list[int]]] | None = None


_registry: dict[str, PersonalData] = {}


def register_personal_data(data: PersonalData) -> None:
    _registry[data.app] = data


def personal_data() -> list[PersonalData]:
    """What every app registered, in the order of INSTALLED_APPS."""
    return list(_registry.values())


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: dt.datetime | None) -> str | None:
    """Local time with its offset, as the resident experienced it."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def name_of(staff: Any) -> str:
    return str(staff) if staff is not None else ""
