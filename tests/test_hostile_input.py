"""Hostile input on every URL of the permission matrix: huge numbers, non-ASCII digits,
NUL characters, wrong types, out-of-range values, a megabyte of text and very long lists,
in every query parameter and every field of every form a page renders. No request may
end in a server error, and a refused request leaves the resident data as it was.

Each URL is called as a user who may use it (from the matrix's expectations); every
request runs in a transaction that is rolled back, so each starts from the same world."""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.conftest import client_for, resident_client
from tests.hostile import (
    COMMON_QUERY_KEYS,
    FEW_HOSTILE,
    QUERY_HOSTILE,
    Form,
    hostile_posts,
    hostile_queries,
    read_page,
)
from tests.matrix import Entry
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (the world fixture)

# The user who may use each URL: the first in this order whom the matrix lets in.
PREFERRED = ["alice", "olga", "quinn", "bob", "priya", "anna", "dave", "charlie"]
# Forms on every page, tried on their own URL only.
LAYOUT_FORMS = {"logout", "set_language", "residents:search"}
# Tables holding a resident's data: a refused request leaves their row counts alone.
RESIDENT_DATA_APPS = ["residents", "instrument", "privacy", "screening"]
KNOWN_FAILURES: dict[str, str] = {}
FORM_ENCODED = "application/x-www-form-urlencoded"
MULTIPART_NAME_MAX = 200


def user_for(entry: Entry) -> str:
    """Someone the URL lets in (a 400 means: in, but the matrix's data was refused)."""
    return next(u for u in PREFERRED if entry.expect.get(u, 404) not in (403, 404))


def client_in(entry: Entry, ctx: dict) -> Client:
    """A client the URL lets in: a staff member, or for a page of Mijn Wat telt (which
    refuses all staff) the world's resident."""
    if entry.resident is not None and all(s in (403, 404) for s in entry.expect.values()):
        return resident_client(ctx["residents"]["rosa"])
    return client_for(ctx["users"][user_for(entry)], sudo=True)


def row_counts() -> dict[str, int]:
    """Every row of the resident-data tables, in one query (asked after each refused
    request: a count per table took ~6% of this test)."""
    models = [m for app in RESIDENT_DATA_APPS for m in apps.get_app_config(app).get_models()]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    assert row is not None
    return {m._meta.label: n for m, n in zip(models, row, strict=True)}


class Prober:
    """Sends requests as one user, each in a rolled-back transaction, and collects
    server errors and half-saved refusals."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.client.raise_request_exception = False
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.before = row_counts()
        self.problems: list[str] = []
        self.requests = 0
        self.server_errors = 0
        self.statuses: dict[int, int] = {}

    def send(self, method: str, url: str, data: dict[str, list[str]], json: bool) -> None:
        self.requests += 1
        with transaction.atomic():
            if method == "get":
                response = self.client.get(url, data)
            elif json:
                # As the board's autosave sends it: FormData (multipart), JSON back. Django
                # refuses a multipart field name over 1,024 bytes (400) before any view
                # sees it, so the huge indices go in the urlencoded requests only.
                short = {k: v for k, v in data.items() if len(k) <= MULTIPART_NAME_MAX}
                response = self.client.post(url, short, headers={"Accept": "application/json"})
            else:
                # As a browser sends a form: urlencoded.
                response = self.client.post(
                    url, urlencode(data, doseq=True), content_type=FORM_ENCODED
                )
            status = response.status_code
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status >= 500:
                self.server_errors += 1
                error = getattr(response, "exc_info", None)
                cause = repr(error[1])[:160] if error else ""
                self.problems.append(f"{status} {method.upper()} {url} {_describe(data)} {cause}")
            elif status >= 400 or (
                method == "post" and status == 200 and b"--invalid" in response.content
            ):
                after = row_counts()
                if after != self.before:
                    changed = {k: v for k, v in after.items() if v != self.before[k]}
                    self.problems.append(
                        f"half-saved on {status} {method.upper()} {url} {_describe(data)}: "
                        f"{changed}"
                    )
            transaction.set_rollback(True)
        # A logout or a renewed session must not log the next request out.
        self.client.cookies[settings.SESSION_COOKIE_NAME] = self.session


def _describe(data: dict[str, list[str]]) -> str:
    def short(values: list[str]) -> str:
        value = values[0] if values else ""
        text = repr(value[:12]) + (f"…({len(value)})" if len(value) > 12 else "")
        return text + (f" times {len(values)}" if len(values) > 1 else "")

    return "{" + ", ".join(f"{k}={short(v)}" for k, v in list(data.items())[:6]) + "}"


def _resolved_name(action: str, page_url: str) -> str | None:
    path = urlsplit(action).path or page_url
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def probe_page(prober: Prober, name: str, url: str) -> None:
    """GET the page; hostile query strings; hostile posts to every form it shows."""
    response = prober.client.get(url)
    forms: list[Form] = []
    keys = list(COMMON_QUERY_KEYS)
    html = "html" in response.get("Content-Type", "")
    if response.status_code == 200 and html:
        forms, query_keys = read_page(response.content.decode())
        keys += sorted(query_keys - set(keys))
        for form in forms:
            if form.method == "get":
                keys += [k for k in form.fields if k not in keys]
    # A file (PDF, CSV, XLSX) takes long to make: fewer values, those that break parsers.
    for data in hostile_queries(keys, values=QUERY_HOSTILE if html else FEW_HOSTILE):
        prober.send("get", url, data, json=False)
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for form in forms:
        target = _resolved_name(form.action, urlsplit(url).path)
        if form.method != "post" or target is None:
            continue
        if target in LAYOUT_FORMS and target != name:
            continue
        action = urlsplit(form.action).path or url
        # The same form once per page (a page lists a move and a delete form per item).
        if (target, tuple(form.fields)) in seen:
            continue
        seen.add((target, tuple(form.fields)))
        for i, data in enumerate(hostile_posts(form)):
            prober.send("post", action, data, json=i % 2 == 1)


def probe_post_only(prober: Prober, url: str, entry: Entry, ctx: dict) -> None:
    raw = entry.data(ctx) if callable(entry.data) else entry.data
    form = Form("post", url)
    for key, value in raw.items():
        form.add(key, str(ctx["team"].pk if value == "__team__" else value), text=True)
    for i, data in enumerate(hostile_posts(form)):
        prober.send("post", url, data, json=i % 2 == 1)
    for data in hostile_queries(COMMON_QUERY_KEYS):
        prober.send("get", url, data, json=False)


def _groups() -> dict[str, list[str]]:
    """The URLs by app (one world per app keeps the run short); a URL with a known
    failure on its own, so its mark covers it alone."""
    groups: dict[str, list[str]] = {}
    for name in sorted(MATRIX):
        key = name if name in KNOWN_FAILURES else name.partition(":")[0] if ":" in name else ""
        groups.setdefault(key or "accounts", []).append(name)
    return groups


GROUPS = _groups()


def _params() -> list[object]:
    return [
        pytest.param(group, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[group]))
        if group in KNOWN_FAILURES
        else group
        for group in GROUPS
    ]


@pytest.mark.parametrize("group", _params())
def test_hostile_input_gives_no_server_error(world, group):  # noqa: F811
    problems = []
    for name in GROUPS[group]:
        entry = MATRIX[name]
        started = time.monotonic()
        url = reverse(name, args=entry.args(world))
        prober = Prober(client_in(entry, world))
        if entry.method == "get":
            probe_page(prober, name, url)
        else:
            probe_post_only(prober, url, entry, world)
        elapsed = time.monotonic() - started
        print(
            f"{name}: {prober.requests} requests in {elapsed:.1f} s, "
            f"{prober.server_errors} server errors; statuses {sorted(prober.statuses.items())}"
        )
        problems += [f"{name}: {problem}" for problem in prober.problems[:10]]
    assert not problems, "\n".join(problems)
