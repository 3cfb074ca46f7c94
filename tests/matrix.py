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


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(USERS, status)


def team_read(owner: int = 200, coach: int = 200) -> dict[str, int]:
    return {"alice": owner, "bob": coach, **OUTSIDERS}


def team_write(owner: int = 302) -> dict[str, int]:
    return {"alice": owner, "bob": 403, **OUTSIDERS}
