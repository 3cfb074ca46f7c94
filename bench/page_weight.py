"""The weight of the start page's first load, and of conversation mode's (the board
handed to the resident), as a browser fetches them with debug off.

    WATTELT_DEBUG=1 .venv/bin/python -m bench.page_weight   (run by `make bench`)

(Importing bench sets Django up with the caller's settings; the server and the database
it measures run in subprocesses with debug off.)

Builds a throwaway SQLite database with the demo data, collects the static files
(hashed names, gzip and brotli copies), starts the server with WATTELT_DEBUG off, logs
in as the demo professional through the login pages in Debian's chromium, then opens
the start page in a fresh window with an empty cache and the same session; then hands a
draft measurement over in conversation mode and opens that, again with an empty cache.
Prints every request with its bytes on the wire (headers and compressed body) and the
total; exits 1 above a page's budget (BUDGETS: bytes, requests).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from wattelt.demo.data import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
BUDGET_BYTES = 50 * 1024
BUDGET_REQUESTS = 6
CONVERSATION_BUDGET_BYTES = 60 * 1024
CONVERSATION_BUDGET_REQUESTS = 10
USERNAME = "professional1a"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_like_environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WATTELT_DEBUG": "0",
        "WATTELT_SECRET_KEY": "bench-only-not-a-secret",
        "WATTELT_ALLOWED_HOSTS": "127.0.0.1",
        "WATTELT_SSL_REDIRECT": "0",
        "WATTELT_SECURE_COOKIES": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "wattelt.settings",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


CODE = """
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
d = TOTPDevice.objects.get(user__username=%r, confirmed=True)
print(f"{TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift).token():0{d.digits}d}")
"""


def authenticator_code(env: dict[str, str], username: str) -> str:
    """The code the demo account's authenticator shows now (from the measured database)."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CODE % username],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]


DRAFT = """
from wattelt.instrument.services import start_measurement
from wattelt.organisations.models import Staff
from wattelt.residents.models import Trajectory
user = Staff.objects.get(username=%r)
trajectory = Trajectory.objects.filter(responsible=user, ended_on__isnull=True).order_by("pk")[0]
print(start_measurement(trajectory, user).pk)
"""


def draft_measurement(env: dict[str, str], username: str) -> int:
    """A draft measurement in one of the demo professional's open trajectories."""
    return int(
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", DRAFT % username],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
    )


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


Requests = list[tuple[str, int, int]]


def measure(browser, cookies, base_url: str, path: str) -> Requests:  # type: ignore[no-untyped-def]
    """(url, bytes on the wire, decoded body bytes) per request of the page's first load
    in a fresh window (an empty cache) with the given session."""
    fresh = browser.new_context()
    fresh.add_cookies(cookies)
    page = fresh.new_page()
    seen: Requests = []

    def finished(request) -> None:  # type: ignore[no-untyped-def]
        sizes = request.sizes()
        response = request.response()
        body = len(response.body()) if response else 0
        wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        seen.append((request.url.removeprefix(base_url), wire, body))

    page.on("requestfinished", finished)
    page.goto(f"{base_url}{path}", wait_until="networkidle")
    assert page.url == f"{base_url}{path}", page.url
    fresh.close()
    return seen


def first_loads(base_url: str, password: str, code: str, draft: int) -> dict[str, Requests]:
    """The start page's first load; then, the draft handed over, conversation mode's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        login = browser.new_context()
        page = login.new_page()
        page.goto(f"{base_url}/inloggen/")
        page.fill("#id_username", USERNAME)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/inloggen/tweestaps/" in url)
        page.fill("#id_code", code)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/inloggen/" not in url)
        loads = {"start page": measure(browser, login.cookies(), base_url, "/")}
        page.goto(f"{base_url}/metingen/{draft}/")
        page.click("[data-hand-over]")
        page.wait_for_url(lambda url: "/gesprek/" in url)
        path = f"/metingen/{draft}/gesprek/"
        loads["conversation mode"] = measure(browser, login.cookies(), base_url, path)
        browser.close()
    return loads


def report(name: str, requests: Requests, budget_bytes: int, budget_requests: int) -> bool:
    for url, wire, body in requests:
        print(f"{wire:>8,} B on the wire {body:>9,} B decoded  {url}")
    total = sum(wire for _, wire, _ in requests)
    decoded = sum(body for _, _, body in requests)
    print(
        f"{name}, first load, debug off: {total / 1024:.1f} KB on the wire "
        f"({decoded / 1024:.1f} KB decoded) in {len(requests)} requests "
        f"(budget {budget_bytes // 1024} KB, {budget_requests} requests)"
    )
    return total <= budget_bytes and len(requests) <= budget_requests


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = production_like_environment(Path(tmp) / "bench.sqlite3")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for(f"{base_url}/inloggen/")
            code = authenticator_code(env, USERNAME)
            loads = first_loads(base_url, DEMO_PASSWORD, code, draft_measurement(env, USERNAME))
        finally:
            server.terminate()
            server.wait()
    within = [
        report("start page", loads["start page"], BUDGET_BYTES, BUDGET_REQUESTS),
        report(
            "conversation mode",
            loads["conversation mode"],
            CONVERSATION_BUDGET_BYTES,
            CONVERSATION_BUDGET_REQUESTS,
        ),
    ]
    return 0 if all(within) else 1


if __name__ == "__main__":
    sys.exit(main())
