"""The load scenario (issue 16.3): a working day's mix of professionals, team coaches
and municipality analysts against a running Wat telt.

Run by `make load` (bench/load.py prepares the data set and the sessions, starts
gunicorn and calls locust headless once per step). By hand, against a server whose
database bench.load prepared:

    WATTELT_LOAD_SESSIONS=var/load-sessions.json .venv/bin/locust -f bench/locustfile.py \
        --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000 Professional Coach Analyst

(Name the classes: without them locust runs every class below, the other scenarios too.)

Users log in as after a real login with the second factor: bench.load writes sessions
straight into the database's session store (django.contrib.sessions, the session names a
confirmed TOTP device) and this file only carries their cookies. Writes send Django's
CSRF token as the board's script does (X-CSRFToken, the cookie's unmasked secret).

Per simulated person, with a short think time between requests (LOAD_WAIT_MIN/MAX,
seconds; 0.05-0.25 by default, a busy working day compressed):
- professional (weight 7): start page, a resident, a trajectory's progress, and one in
  eight turns a whole sitting: start a measurement, open its board, three autosaves as
  the chips are placed, confirm (with a goal and the reviews a follow-up needs), then the
  progress page;
- team coach (weight 2): the monitoring dashboard and the adoption page of their teams;
- analyst (weight 1): the municipality's dashboard and its CSV export.

Not in the mix, for `bench.load --scenario` (locust is given the classes to run):
- sitting: professionals doing nothing but sittings (the write path; the load's test
  runs it to see a whole sitting succeed every time);
- floor: a professional opening the help index, the lightest page behind the login
  (session, second factor, the site's layout): what every page costs before its own work;
- http: `/health/live`, answered before Django's middleware: gunicorn, the request log
  and locust itself.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from typing import Any
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CSRF = "loadloadloadloadloadloadloadload"  # an unmasked 32-character CSRF secret
REVIEW = re.compile(r'name="review-(\d+)-status" value="(\w+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", "0.05")), float(os.environ.get("LOAD_WAIT_MAX", "0.25"))
)


def _sessions() -> dict[str, Any]:
    path = os.environ.get("WATTELT_LOAD_SESSIONS", "var/load-sessions.json")
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


SESSIONS = _sessions()
_turns = {
    role: itertools.cycle(SESSIONS[role]) for role in ("professionals", "coaches", "analysts")
}
_turn_lock = threading.Lock()


def next_person(role: str) -> dict[str, Any]:
    """People in turn: each simulated user is someone else while there are enough."""
    with _turn_lock:
        return dict(next(_turns[role]))


class Staff(FastHttpUser):
    abstract = True
    wait_time = WAIT
    role = ""

    def on_start(self) -> None:
        self.person = next_person(self.role)
        self.headers = {
            "Cookie": f"sessionid={self.person['session']}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
        }

    def get(self, url: str, name: str) -> Any:
        return self.client.get(url, name=name, headers=self.headers)


class Sitter(Staff):
    """A professional's sitting, without tasks of its own: locust adds a subclass's tasks
    to those it inherits, so the mix and the sitting scenario each add theirs."""

    abstract = True
    role = "professionals"

    def trajectory(self) -> dict[str, int]:
        return dict(random.choice(self.person["trajectories"]))

    def sit(self) -> None:
        """A measurement from start to confirm, as the board's script posts it."""
        trajectory = self.trajectory()["trajectory"]
        with self.client.post(
            f"/trajecten/{trajectory}/meting/",
            data="kind=",
            headers={**self.headers, "Content-Type": "application/x-www-form-urlencoded"},
            name="new measurement",
            allow_redirects=False,
            catch_response=True,
        ) as started:
            match = re.search(r"/metingen/(\d+)/", started.headers.get("Location") or "")
            if started.status_code != 302 or not match:
                started.failure(f"no draft: {started.status_code}")
                return
            started.success()
        board = f"/metingen/{match.group(1)}/"
        with self.client.get(
            board, name="board (draft)", headers=self.headers, catch_response=True
        ) as page:
            found = REVISION.search(page.text or "")
            if page.status_code != 200 or not found:
                # Loudly: a board the script cannot fill in would quietly skip the saves.
                # (With more simulated users than professionals, two users acting as one
                # person share a draft; one confirming it under the other lands here too.)
                page.failure(f"no board to fill in: status {page.status_code}, no revision")
                return
            page.success()
        reviews: dict[str, str] = {}
        for goal, status in REVIEW.findall(page.text):
            reviews.setdefault(goal, status)  # the first status offered: achieved
        keys = random.sample(self.person["domains"], 3)
        state: dict[str, Any] = {"revision": found.group(1), "goal": ""}
        for placed in (1, 2, 3):
            if not self.post_board(board, "save", keys[:placed], reviews, state):
                return
        if self.post_board(board, "confirm", keys, reviews, state):
            self.get(f"/trajecten/{trajectory}/", "progress")

    def post_board(
        self,
        board: str,
        action: str,
        keys: list[str],
        reviews: dict[str, str],
        state: dict[str, Any],
    ) -> bool:
        fields: list[tuple[str, str]] = [
            ("revision", state["revision"]),
            ("action", action),
            ("quality_of_life", "6"),
            ("goal-0-id", state["goal"]),
            ("goal-0-own_words", "Ik wil rust over mijn geld"),
            ("goal-0-domains", keys[0]),
            ("priority", keys[0]),
        ]
        for n, key in enumerate(keys):
            fields += [("chosen", key), (f"chip-resident-{key}", str(20 + 25 * n))]
        fields += [(f"review-{goal}-status", status) for goal, status in reviews.items()]
        name = "board confirm" if action == "confirm" else "board autosave"
        with self.client.post(
            board,
            data=urlencode(fields),
            headers={
                **self.headers,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            name=name,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return False
            body = answer.json()
            if action == "confirm":
                if "redirect" not in body:
                    answer.failure(f"not confirmed: {body}")
                    return False
                return True
            state["revision"] = str(body["revision"])
            state["goal"] = str(body.get("goal_ids", {}).get("0", state["goal"]))
            return True


class Professional(Sitter):
    weight = 7

    @task(3)
    def start_page(self) -> None:
        self.get("/", "start page")

    @task(2)
    def resident(self) -> None:
        self.get(f"/inwoners/{self.trajectory()['resident']}/", "resident")

    @task(2)
    def progress(self) -> None:
        self.get(f"/trajecten/{self.trajectory()['trajectory']}/", "progress")

    @task(1)
    def sitting(self) -> None:
        self.sit()


class Coach(Staff):
    weight = 2
    role = "coaches"

    @task(2)
    def dashboard(self) -> None:
        self.get("/monitoring/", "dashboard (coach)")

    @task(1)
    def adoption(self) -> None:
        self.get("/gebruik/", "adoption (coach)")


class Analyst(Staff):
    weight = 1
    role = "analysts"

    @task(2)
    def dashboard(self) -> None:
        self.get("/monitoring/", "dashboard (analyst)")

    @task(1)
    def export(self) -> None:
        self.get("/monitoring/export.csv", "CSV export (analyst)")


class Sitting(Sitter):
    @task
    def sitting(self) -> None:
        self.sit()


class Floor(Staff):
    role = "professionals"

    @task
    def help_index(self) -> None:
        self.get("/hulp/", "help index (floor)")


class Liveness(FastHttpUser):
    wait_time = WAIT

    @task
    def live(self) -> None:
        self.client.get("/health/live", name="live (http)")
