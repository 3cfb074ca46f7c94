"""Every page of every role in a real browser: axe-core finds nothing, no two different
pages share a title, and every page names its icon. The pages come from the permission
matrix (tests/test_permission_matrix.py MATRIX and its world): each GET entry, as each
user for whom the matrix expects 200. Files (PDF, CSV, JSON) are not pages."""

from __future__ import annotations

import time
from collections import defaultdict

from django.urls import reverse
from playwright.sync_api import Error, Page

from tests.browser.conftest import Contexts, accessibility_violations
from tests.conftest import client_for
from tests.matrix import USERS
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (the fixture)

# A guard against a walk that hangs or crawls, not a benchmark: it took ~150 s with the
# other six legs of `make test` on the same two cores.
MAX_SECONDS = 600
FILES = ("_pdf", "_json", "_csv", "_xlsx", "_export", "_download")


def pages_per_user(ctx: dict) -> dict[str, list[tuple[str, str]]]:
    """Per user, (name, url) of each page the matrix lets that user GET."""
    pages: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, entry in sorted(MATRIX.items()):
        if entry.method != "get" or entry.data:
            continue
        url = reverse(name, args=entry.args(ctx))
        if "." in url.rstrip("/").rsplit("/", 1)[-1] or name.endswith(FILES):
            continue  # a file to download (export.csv, plan.pdf, ...), not a page
        for user in USERS:
            if entry.expect.get(user) == 200:
                pages[user].append((name, url))
    return pages


def open_as(contexts: Contexts, base_url: str, user) -> Page:  # type: ignore[no-untyped-def]
    """A browser window with the session of a user who logged in with both steps."""
    client = client_for(user, sudo=True)
    page = contexts.new_page()
    host = base_url.split("//", 1)[1].split(":")[0]
    cookie = client.cookies["sessionid"]
    page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}]
    )
    return page


def test_every_page_of_every_role_is_accessible(contexts: Contexts, base_url, world):  # noqa: F811
    started = time.monotonic()
    problems: dict[str, object] = {}
    titles: dict[str, set[str]] = defaultdict(set)
    visited = 0
    for user, pages in pages_per_user(world).items():
        page = open_as(contexts, base_url, world["users"][user])
        for name, url in pages:
            try:
                response = page.goto(base_url + url)
            except Error as error:  # a download after all: not a page
                assert "Download is starting" in str(error), (user, name, error)
                continue
            assert response is not None and response.status == 200, (user, name)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            visited += 1
            titles[page.title()].add(name)
            if page.locator("head link[rel=icon]").count() != 1:
                problems[f"{user} {name} icon"] = "no <link rel=icon>"
            if violations := accessibility_violations(page):
                problems[f"{user} {name}"] = violations
        page.context.close()
    shared = {title: sorted(names) for title, names in titles.items() if len(names) > 1}
    elapsed = time.monotonic() - started
    print(f"axe walk: {visited} pages in {elapsed:.0f} s")
    assert not problems, problems
    assert not shared, f"pages sharing a title: {shared}"
    assert visited > 50
    assert elapsed < MAX_SECONDS


def test_favicon(contexts: Contexts, base_url):
    page = contexts.new_page()
    response = page.goto(f"{base_url}/favicon.ico")
    assert response is not None and response.status == 200
    assert response.headers["content-type"] == "image/x-icon"
