"""The permission matrix's vocabulary: how one URL is called and what each user gets.
Each area keeps its own entries in tests/<area>/matrix.py (ENTRIES, and extend_world
for the objects its URLs need); tests/test_permission_matrix.py puts them together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

USERS = ["alice", "bob", "dave", "charlie", "priya", "quinn", "olga", "anna"]
OUTSIDERS = {"dave": 404, "charlie": 404, "priya": 404, "quinn": 404, "olga": 404, "anna": 404}


@dataclass
class Entry:
    """How to call one URL and what each user gets: a status code per user.
    `data` may be a function of the world (for ids made in extend_world)."""

    args: Callable[[dict], list[object]] = lambda ctx: []
    method: str = "get"
    data: dict[str, object] | Callable[[dict], dict[str, object]] = field(default_factory=dict)
    expect: dict[str, int] = field(default_factory=dict)
    anonymous: int = 302  # to the login page
    # A resident signed in to Mijn Wat telt (the world's resident, "rosa") and a second
    # resident ("rik"). None: as anonymous (a resident session is no staff login).
    resident: int | None = None
    other_resident: int | None = None
    sign_in: str = "login"  # where anonymous is sent: the staff login or portal:sign_in

    def for_resident(self, which: str) -> int:
        status = self.resident if which == "rosa" else self.other_resident
        return self.anonymous if status is None else status


RESIDENTS = ["rosa", "rik"]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(USERS, status)


def team_read(owner: int = 200, coach: int = 200) -> dict[str, int]:
    return {"alice": owner, "bob": coach, **OUTSIDERS}


def portal(rosa: int = 200, rik: int = 200) -> dict[str, object]:
    """A page of Mijn Wat telt: staff are refused (403, staff cannot act as a resident),
    anonymous goes to the portal's sign-in, each resident sees only their own."""
    return {
        "expect": everyone(403),
        "anonymous": 302,
        "sign_in": "portal:sign_in",
        "resident": rosa,
        "other_resident": rik,
    }


def team_write(owner: int = 302) -> dict[str, int]:
    return {"alice": owner, "bob": 403, **OUTSIDERS}
