"""schemathesis against the live API: generated requests from the OpenAPI document, every
response checked for server errors and against the document (status code, content type,
headers, body schema).

    WATTELT_DEBUG=1 .venv/bin/python -m bench.api_fuzz [--requests 10000]

Makes a fresh SQLite database in a temporary directory (or uses DATABASE_URL when set,
e.g. under bin/with-postgres), seeds a small world (a team's residents with trajectories,
confirmed measurements with goals, records not filled in, consents) and an API client
with every scope, starts gunicorn on 127.0.0.1, then runs `st run` rounds (fuzzing and
stateful phases, a new seed each round) until --requests requests were made. Prints the
number of requests, server errors and schema violations; exits 1 when either is not 0.
The test suite runs a short round (tests/api/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
SERVER_ERROR_CHECK = "not_a_server_error"


@dataclass
class Outcome:
    requests: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return self.failures[SERVER_ERROR_CHECK]

    @property
    def schema_violations(self) -> int:
        return sum(n for name, n in self.failures.items() if name != SERVER_ERROR_CHECK)

    def add(self, other: Outcome) -> None:
        self.requests += other.requests
        self.statuses.update(other.statuses)
        self.failures.update(other.failures)
        self.examples += other.examples[: 10 - len(self.examples)]


def read_report(path: Path) -> Outcome:
    """Requests and failed checks from schemathesis' NDJSON event stream."""
    outcome = Outcome()
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        for interaction in (recorder.get("interactions") or {}).values():
            outcome.requests += 1
            response = interaction.get("response") or {}
            outcome.statuses[response.get("status_code", 0)] += 1
        for checks in (recorder.get("checks") or {}).values():
            for check in checks:
                if check.get("status") == "failure":
                    outcome.failures[check["name"]] += 1
                    if len(outcome.examples) < 10:
                        outcome.examples.append(json.dumps(check)[:600])
    return outcome


def fuzz(
    base_url: str,
    token: str,
    *,
    max_examples: int,
    seed: int,
    report: Path,
    phases: str = "fuzzing,stateful",
    max_time: int | None = None,
    schema: str = "",
) -> Outcome:
    """One `st run` against a running server, with the document it serves (or `schema`,
    a file)."""
    command = [
        str(ROOT / ".venv" / "bin" / "st"),
        "run",
        schema or f"{base_url}/openapi.json",
        "--url",
        base_url,
        "-H",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--request-timeout",
        "30",
    ]
    if max_time is not None:
        command += ["--max-time", str(max_time)]
    with report.with_suffix(".log").open("w") as log:
        subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
    if not report.exists():
        raise RuntimeError(report.with_suffix(".log").read_text(encoding="utf-8")[-2000:])
    return read_report(report)


def seed_world(residents: int = 30) -> str:
    """A small world and a token of a client with every scope; returns the token."""
    from django.http import QueryDict
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from wattelt.api.models import SCOPES
    from wattelt.api.services import register_client
    from wattelt.instrument import services as instrument
    from wattelt.instrument.catalogue import ensure_default_catalogue
    from wattelt.instrument.forms import BoardParser
    from wattelt.organisations.models import (
        District,
        Membership,
        Municipality,
        Organisation,
        Staff,
        Team,
    )
    from wattelt.residents import services as residents_services

    ensure_default_catalogue()
    municipality = Municipality.objects.create(name="Gemeente Fuzz")
    district = District.objects.create(municipality=municipality, name="Noord")
    organisation = Organisation.objects.create(municipality=municipality, name="Fuzz")
    specialist = Organisation.objects.create(municipality=municipality, name="Specialist")
    team = Team.objects.create(organisation=organisation, name="Team Noord")
    team.districts.add(district)
    other = Team.objects.create(organisation=specialist, name="Team Specialist")
    professional = Staff.objects.create_user(username="fuzz", organisation=organisation)
    Membership.objects.create(staff=professional, team=team)
    colleague = Staff.objects.create_user(username="fuzz-specialist", organisation=specialist)
    Membership.objects.create(staff=colleague, team=other)
    today = timezone.localdate()
    for n in range(residents):
        resident = residents_services.register_resident(
            residents_services.ResidentInput(
                first_name=f"Inwoner{n}",
                last_name="Fuzz",
                date_of_birth=dt.date(1960 + n % 50, 1 + n % 12, 1 + n % 28),
                district=district,
            ),
            professional,
        )
        trajectory = residents_services.open_trajectory(
            resident, team, professional, today - dt.timedelta(days=200)
        )
        draft = instrument.start_measurement(trajectory, professional)
        post = QueryDict(mutable=True)
        post.setlist("chosen", ["wonen", "geld"])
        post.setlist("priority", ["geld"])
        post["chip-resident-wonen"], post["chip-resident-geld"] = str(n % 101), "20"
        post["quality_of_life"] = str(1 + n % 10)
        post["measured_on"] = (today - dt.timedelta(days=100)).isoformat()
        post["goal-0-own_words"] = "Ik wil rust over mijn geld"
        post.setlist("goal-0-domains", ["geld"])
        board = BoardParser(post, list(draft.catalogue.domains.all())).parse()
        board.revision = draft.revision
        instrument.confirm_measurement(draft, professional, board)
        if n % 3 == 0:
            instrument.record_not_filled_in(trajectory, professional, "follow_up", "crisis")
        if n % 2 == 0:
            residents_services.record_consent(
                trajectory,
                professional,
                residents_services.ConsentInput(specialist, True, True, n % 4 == 0, today),
            )
    client = register_client(None, organisation, "Fuzz", list(SCOPES)).client
    token = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        application=client.application,
        token=token,
        expires=timezone.now() + dt.timedelta(days=1),
        scope=client.scopes,
    )
    return token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--examples", type=int, default=100, help="per operation per round")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        # Importing `bench` set Django up already: start again on a database of our own.
        workdir = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir}/fuzz.sqlite3"}
        os.execve(sys.executable, [sys.executable, "-m", "bench.api_fuzz", *sys.argv[1:]], env)
    workdir = Path(tempfile.mkdtemp(prefix="api-fuzz-run-"))
    env = dict(os.environ)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    token = seed_world()
    port = _free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "wattelt.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # gunicorn's own limit on the request line (4094 bytes) answers 414 before
            # the app sees the request; lifted so every generated request reaches it.
            "--limit-request-line",
            "0",
            "--pythonpath",
            str(ROOT / "src"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    total = Outcome()
    started = time.monotonic()
    try:
        _wait_for(f"{base}/openapi.json")
        round_number = 0
        while total.requests < args.requests:
            round_number += 1
            outcome = fuzz(
                base,
                token,
                max_examples=args.examples,
                seed=round_number,
                report=workdir / f"round-{round_number}.ndjson",
            )
            total.add(outcome)
            print(
                f"round {round_number}: {outcome.requests} requests, "
                f"{outcome.server_errors} server errors, "
                f"{outcome.schema_violations} schema violations",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    minutes = (time.monotonic() - started) / 60
    print(f"requests: {total.requests} in {minutes:.1f} min")
    print(f"by status: {dict(sorted(total.statuses.items()))}")
    print(f"server errors: {total.server_errors}")
    print(f"schema violations: {total.schema_violations} {dict(total.failures)}")
    for example in total.examples:
        print("  ", example)
    return 0 if total.server_errors == 0 and total.schema_violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
