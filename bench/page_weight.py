"""The weight of the start page's first load, as a browser fetches it with debug off.

    WATTELT_DEBUG=1 .venv/bin/python -m bench.page_weight   (run by `make bench`)

(Importing bench sets Django up with the caller's settings; the server and the database
it measures run in subprocesses with debug off.)

Builds a throwaway SQLite database with the demo data, collects the static files
(hashed names, gzip and brotli copies), starts the server with WATTELT_DEBUG off, logs
in as the demo professional through the login pages in Debian's chromium, then opens
the start page in a fresh window with an empty cache and the same session. Prints every
request with its bytes on the wire (headers and compressed body) and the total; exits 1
above BUDGET_BYTES or BUDGET_REQUESTS.
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


def first_load(base_url: str, password: str, code: str) -> list[tuple[str, int, int]]:
    """(url, bytes on the wire, decoded body bytes) per request of the start page."""
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
        cookies = login.cookies()
        login.close()

        fresh = browser.new_context()  # an empty cache: the first load
        fresh.add_cookies(cookies)  # type: ignore[arg-type]
        page = fresh.new_page()
        seen: list[tuple[str, int, int]] = []

        def finished(request) -> None:  # type: ignore[no-untyped-def]
            sizes = request.sizes()
            response = request.response()
            body = len(response.body()) if response else 0
            wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            seen.append((request.url.removeprefix(base_url), wire, body))

        page.on("requestfinished", finished)
        page.goto(f"{base_url}/", wait_until="networkidle")
        assert page.url == f"{base_url}/", page.url
        browser.close()
    return seen


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
            requests = first_load(base_url, DEMO_PASSWORD, code)
        finally:
            server.terminate()
            server.wait()
    for url, wire, body in requests:
        print(f"{wire:>8,} B on the wire {body:>9,} B decoded  {url}")
    total = sum(wire for _, wire, _ in requests)
    decoded = sum(body for _, _, body in requests)
    print(
        f"start page, first load, debug off: {total / 1024:.1f} KB on the wire "
        f"({decoded / 1024:.1f} KB decoded) in {len(requests)} requests "
        f"(budget {BUDGET_BYTES // 1024} KB, {BUDGET_REQUESTS} requests)"
    )
    return 0 if total <= BUDGET_BYTES and len(requests) <= BUDGET_REQUESTS else 1


if __name__ == "__main__":
    sys.exit(main())
