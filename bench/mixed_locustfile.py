"""A city's morning, for Locust (headless): who does what, and what counts as an error.

Run by bench/mixed.py (never on its own: it needs the world bench/mixed.py seeds). Settings come
from the environment:

- MIXED_WORLD: the JSON file bench/mixed.py wrote (keys, stations, their open requests …);
- MIXED_RATE: the target rate, in tasks (= requests) per second, over every user but the bureau;
- MIXED_USERS: how many users Locust starts (the same number it is given with -u);
- MIXED_RACES: where to write, at the end, the tally of the expected races (409/422) seen.

Each task sends exactly one request, so the rate of tasks is the rate of requests. The users pace
themselves with Locust's `constant_throughput`: each does MIXED_RATE / (MIXED_USERS - 1) tasks a
second at most (fewer when the service is slower than that, which bench/mixed.py sees as a rate
not reached).

Every answer is checked. A status that is not the one the call is for is an error, except the
races listed in EXPECTED below: two stations' staff offering the last places of a request at once,
a provider booked by another offer for an overlapping window, an offer that lapsed while it was
being answered because its request filled up … They are counted by (route, status, problem code)
and reported, and never hide anything else (a 409 on a list, a 422 on a read, a 5xx are errors).
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from typing import Any

import gevent
from locust import HttpUser, between, constant_throughput, events, task

WORLD: dict[str, Any] = json.loads(open(os.environ["MIXED_WORLD"], encoding="utf-8").read())
RATE = float(os.environ.get("MIXED_RATE", "10"))
USERS = int(os.environ.get("MIXED_USERS", "20"))
PER_USER = max(RATE / max(USERS - 1, 1), 0.01)

STATIONS: list[dict[str, Any]] = WORLD["stations"]
ORGANISATIONS: list[str] = WORLD["organisations"]
DISTRICTS: list[str] = WORLD["districts"]

# Shared among the users of this Locust process: open requests by station, offers waiting for
# an answer, offers accepted and waiting to be completed.
OPEN: dict[str, deque[str]] = {s["id"]: deque(s["requests"], maxlen=200) for s in STATIONS}
PROPOSED: deque[tuple[str, str, str]] = deque(maxlen=5_000)  # (station, offer, provider type)
ACCEPTED: deque[tuple[str, str, str]] = deque(maxlen=5_000)
RUNS: deque[str] = deque(maxlen=50)
KEYS = {s["id"]: s["key"] for s in STATIONS}

# (route name, status) → the problem codes that are a race, not a fault. Anything else is an error
# (another code, another status, another route).
EXPECTED: dict[tuple[str, int], frozenset[str]] = {
    # Between picking a request and reading its candidates, offers on it were accepted up to
    # its quantity: it is committed (or fulfilled) and no longer open.
    ("GET /v1/resource-requests/{id}/candidates", 409): frozenset({"request_not_open"}),
    # The same for offering it; or every candidate left already holds an offer of it.
    ("POST /v1/resource-requests/{id}/offers", 409): frozenset(
        {"request_not_open", "request_fully_committed", "no_candidates", "already_offered"}
    ),
    # Two offers of overlapping windows to one person, both accepted: the second is refused;
    # or the request filled up meanwhile (its other proposals lapsed then, `lapse_reason`
    # request_committed, and an accept of one says why: fully committed, or not open once
    # fulfilled).
    ("POST /v1/offers/{id}/accept", 409): frozenset(
        {
            "provider_double_booked",
            "provider_capacity_exhausted",
            "request_fully_committed",
            "request_not_open",
        }
    ),
    # The same lapse seen from a decline: other offers of its request were accepted up to its
    # quantity, so this proposal was stored as expired at once (long before its hold ended),
    # and "an expired offer cannot become declined". An offer is answered once here (popped
    # from PROPOSED) and never withdrawn, so this is the only way there. Holds never run out
    # in a run: they last until the request's window ends, at least 1.5 h after the offer
    # (window()), 3 h for the seeded requests; `offer_expired` would be an error.
    ("POST /v1/offers/{id}/decline", 409): frozenset({"illegal_transition"}),
}
RACES: Counter[str] = Counter()


def problem(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def check(response: Any, name: str, ok: int) -> bool:
    """Mark the answer: `ok` is success; an expected race is a success counted apart; anything
    else fails. True only for `ok`."""
    status = response.status_code
    if status == ok:
        response.success()
        return True
    body = problem(response)
    code = str(body.get("code") or body.get("type") or "-")
    race = code in EXPECTED.get((name, status), ())
    if code == "illegal_transition":
        # only the lapse is a race: an offer found declined or accepted would be answered twice
        race = race and body.get("current_status") == "expired"
    if race:
        RACES[f"{name} {status} {code}"] += 1
        response.success()
        return False
    response.failure(f"{status} {code}: {response.text[:200]}")
    return False


def window() -> dict[str, str]:
    """This morning's work: begun a few minutes ago (so that it can be completed), 2 h long."""
    now = datetime.now(UTC)
    starts = now - timedelta(minutes=random.randint(5, 30))
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
    }


class Paced(HttpUser):
    abstract = True
    wait_time = constant_throughput(PER_USER)

    def on_start(self) -> None:
        # Every user starts at once (the spawn rate is the user count) and would send its first
        # request at once: a burst of --users requests that no steady rate has. Each waits a
        # random part of its period first, so that the requests come evenly spread.
        gevent.sleep(random.uniform(0, 1 / PER_USER))

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


class Reader(Paced):
    """Whoever looks the network up: stations and partners, lists and one by id."""

    weight = 10

    def on_start(self) -> None:
        super().on_start()
        self.headers = self.auth(WORLD["reader_key"])

    def get(self, path: str, name: str, **params: Any) -> None:
        with self.client.get(
            path, params=params, headers=self.headers, name=name, catch_response=True
        ) as response:
            check(response, name, 200)

    @task(3)
    def stations(self) -> None:
        self.get("/v1/stations", "GET /v1/stations", page_size=20)

    @task(4)
    def station(self) -> None:
        station = random.choice(STATIONS)["id"]
        self.get(f"/v1/stations/{station}", "GET /v1/stations/{id}")

    @task(2)
    def organisations(self) -> None:
        self.get("/v1/organisations", "GET /v1/organisations", page_size=20)

    @task(3)
    def organisation(self) -> None:
        organisation = random.choice(ORGANISATIONS)
        self.get(f"/v1/organisations/{organisation}", "GET /v1/organisations/{id}")


class StationStaff(Paced):
    """A station's staff: post what they need, look at the candidates, make offers."""

    weight = 6

    def on_start(self) -> None:
        super().on_start()
        self.station = random.choice(STATIONS)
        self.headers = self.auth(self.station["key"])

    def a_request(self) -> str | None:
        waiting = OPEN[self.station["id"]]
        return random.choice(waiting) if waiting else None

    @task(2)
    def post_request(self) -> None:
        name = "POST /v1/resource-requests"
        station = self.station
        body = {
            "station_id": station["id"],
            "title": "独居老人入户探访",
            "category": "volunteer_service",
            "required_skills": [random.choice(WORLD["skills"])],
            "target_groups": ["elderly"],
            "quantity": random.randint(1, 3),
            "unit": "people",
            "division_code": station["township_code"],
            "location": {"lat": station["lat"], "lon": station["lon"]},
            "window": window(),
            "urgency": random.choice(["low", "normal", "normal", "high"]),
        }
        headers = {**self.headers, "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            "/v1/resource-requests", json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if check(response, name, 201):
                OPEN[station["id"]].append(response.json()["id"])

    @task(3)
    def candidates(self) -> None:
        name = "GET /v1/resource-requests/{id}/candidates"
        if (request := self.a_request()) is None:
            self.post_request()  # nothing open left at this station: it asks for more
            return
        with self.client.get(
            f"/v1/resource-requests/{request}/candidates",
            params={"limit": 10},
            headers=self.headers,
            name=name,
            catch_response=True,
        ) as response:
            if not check(response, name, 200):
                self.forget(request)

    @task(2)
    def offer(self) -> None:
        name = "POST /v1/resource-requests/{id}/offers"
        if (request := self.a_request()) is None:
            self.post_request()
            return
        headers = {**self.headers, "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            f"/v1/resource-requests/{request}/offers",
            json={"top": 1},
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            if check(response, name, 201):
                for item in response.json()["items"]:
                    PROPOSED.append((self.station["id"], item["id"], item["provider_type"]))
            elif response.status_code == 409:
                self.forget(request)

    def forget(self, request: str) -> None:
        """Full, closed or expired: this station stops looking at it."""
        try:
            OPEN[self.station["id"]].remove(request)
        except ValueError:
            pass


class Provider(Paced):
    """Providers answering their offers (through their station, as volunteers do), then the
    station recording the work done, with hours."""

    weight = 3

    def act(self, offer: tuple[str, str, str], action: str, body: Any = None) -> bool:
        station, offer_id, _ = offer
        name = f"POST /v1/offers/{{id}}/{action}"
        headers = {**self.auth(KEYS[station]), "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            f"/v1/offers/{offer_id}/{action}",
            json=body,
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            return check(response, name, 200)

    def inbox(self, status: str) -> None:
        """Nothing to answer or complete yet: look at a station's offers in that state (so
        that every task sends one request and the rate asked is the rate sent)."""
        name = "GET /v1/offers"
        station = random.choice(STATIONS)
        with self.client.get(
            "/v1/offers",
            params={"station_id": station["id"], "status": status, "page_size": 20},
            headers=self.auth(station["key"]),
            name=name,
            catch_response=True,
        ) as response:
            check(response, name, 200)

    @task(3)
    def answer(self) -> None:
        if not PROPOSED:
            self.inbox("proposed")
            return
        offer = PROPOSED.popleft()
        if random.random() < 0.8:
            if self.act(offer, "accept"):
                ACCEPTED.append(offer)
        else:
            self.act(offer, "decline")

    @task(1)
    def complete(self) -> None:
        if not ACCEPTED:
            self.inbox("accepted")
            return
        offer = ACCEPTED.popleft()
        body: dict[str, Any] = {"actual_quantity": 1, "beneficiaries": random.randint(1, 3)}
        if offer[2] == "volunteer":
            body["volunteer_hours"] = random.choice([0.5, 1, 1.5])
        elif offer[2] != "organisation":
            # Teams and social workers report their hours otherwise: not in this morning.
            self.inbox("accepted")
            return
        self.act(offer, "complete", body)


class Bureau(HttpUser):
    """The civil-affairs bureau: an allocation run now and then, its result, the reports."""

    fixed_count = 1
    wait_time = between(2, 4)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {WORLD['bureau_key']}"}

    @task(1)
    def allocate(self) -> None:
        name = "POST /v1/allocation-runs"
        headers = {**self.headers, "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            "/v1/allocation-runs",
            json={"district_code": random.choice(DISTRICTS)},
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            if check(response, name, 202):
                RUNS.append(response.json()["id"])

    @task(4)
    def a_run(self) -> None:
        name = "GET /v1/allocation-runs/{id}"
        if not RUNS:
            self.allocate()
            return
        with self.client.get(
            f"/v1/allocation-runs/{random.choice(RUNS)}",
            headers=self.headers,
            name=name,
            catch_response=True,
        ) as response:
            if check(response, name, 200) and response.json()["status"] == "failed":
                response.failure(f"allocation run failed: {response.text[:200]}")

    @task(6)
    def reports(self) -> None:
        report = random.choice(["coverage", "compliance"])
        name = f"GET /v1/reports/{report}"
        with self.client.get(
            f"/v1/reports/{report}", headers=self.headers, name=name, catch_response=True
        ) as response:
            check(response, name, 200)


@events.test_stop.add_listener
def write_races(**_: Any) -> None:
    path = os.environ.get("MIXED_RACES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(dict(RACES), out, ensure_ascii=False, indent=1)
