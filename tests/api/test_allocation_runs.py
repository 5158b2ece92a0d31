"""/v1/allocation-runs: batch allocation in the background, read back, applied once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from service.db.tables import OfferRecord, ResourceRequestRecord
from service.domain.access import Scope
from service.usecases import allocation_runs
from tests.api.test_conventions import assert_problem
from tests.factories.allocation import (
    URL,
    BlockedCandidates,
    FailingCandidates,
    FakeCandidates,
    candidate,
    insert_offer,
    insert_request,
    run_id_of,
    start_blocked_run,
    start_run,
    start_run_with,
    wait_for_run,
    wait_until,
)
from tests.factories.partners import create_organisation
from tests.factories.registry import QINGBO, create_station
from tests.factories.volunteers import (
    create_partner_organisation,
    create_team,
    create_volunteer,
)


async def run_with(services, client, table, *, district_code=None, candidates=None):
    """Start a run through the use case with a stand-in candidate source; wait for it."""
    source = candidates or FakeCandidates(table)
    result = await start_run_with(services, client, source, district_code=district_code)
    return await wait_for_run(client, run_id_of(result))


def pairs(run) -> set[tuple[str, str, int]]:
    return {(a["request_id"], a["provider_id"], a["quantity"]) for a in run["assignments"]}


# --- the whole path with real matching -----------------------------------------------------------


async def test_a_run_allocates_open_requests_to_matched_providers(admin, services):
    station = await create_station(admin)
    first = await insert_request(services, station_id=station["id"], quantity=2)
    second = await insert_request(services, station_id=station["id"], quantity=1)
    volunteers = [await create_volunteer(admin) for _ in range(2)]
    team = await create_team(admin, capacity_people=1)

    response = await admin.post(URL, json={"district_code": "330106"})

    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] == "queued"
    assert queued["district_code"] == "330106"
    assert response.headers["location"] == f"{URL}/{queued['id']}"
    run = await wait_for_run(admin, queued["id"])
    assert run["status"] == "succeeded", run
    assert run["request_count"] == 2
    assert run["candidate_count"] >= 3
    assert run["assignment_count"] == len(run["assignments"]) > 0
    assert isinstance(run["solver_seconds"], float)  # measured, so no value is wrong but null
    assert run["total_seconds"] >= run["solver_seconds"]
    assert run["started_at"] and run["finished_at"] and run["error"] is None
    given: dict[str, int] = {}
    for assignment in run["assignments"]:
        given[assignment["request_id"]] = (
            given.get(assignment["request_id"], 0) + assignment["quantity"]
        )
        assert 0 < assignment["score"] <= 1
        assert {part["component"] for part in assignment["explanation"]} >= {"skill_coverage"}
        for part in assignment["explanation"]:
            assert part["contribution"] == pytest.approx(part["value"] * part["weight"], abs=1e-5)
        assert assignment["provider_id"] in {v["id"] for v in volunteers} | {team["id"]}
    assert given.get(str(first), 0) <= 2 and given.get(str(second), 0) <= 1
    assert sum(given.values()) == 3  # three people wanted, three can go
    assert run["total_score"] == pytest.approx(
        sum(a["score"] * a["quantity"] for a in run["assignments"]), abs=1e-5
    )
    listed = (await admin.get(URL)).json()["items"]
    assert [item["id"] for item in listed] == [run["id"]]
    assert "assignments" not in listed[0]


# --- who may run -------------------------------------------------------------------------------


async def test_a_bound_client_may_not_run_read_or_list(admin, make_client):
    station = await create_station(admin)
    organisation = await create_organisation(admin)
    by_station = await make_client(Scope.ALLOCATION_RUN, station_id=station["id"])
    by_organisation = await make_client(Scope.ALLOCATION_RUN, organisation_id=organisation["id"])
    for bound in (by_station, by_organisation):
        code = "outside_station_binding" if bound is by_station else "outside_organisation_binding"
        assert_problem(await bound.post(URL, json={}), 403, code)
        assert_problem(await bound.get(URL), 403, code)
        assert_problem(await bound.get(f"{URL}/{uuid.uuid4()}"), 403, code)
    assert (await admin.get(URL)).json()["items"] == []


async def test_the_scope_is_needed(make_client, anonymous):
    reader = await make_client(Scope.REQUESTS_READ, Scope.REQUESTS_WRITE)
    problem = assert_problem(await reader.post(URL, json={}), 403, "insufficient_scope")
    assert problem["required_scope"] == "allocation:run"
    assert_problem(await reader.get(URL), 403, "insufficient_scope")
    assert_problem(await anonymous.post(URL, json={}), 401, "unauthenticated")


async def test_a_client_with_the_scope_may_run_the_whole_city(make_client):
    planner = await make_client(Scope.ALLOCATION_RUN)
    run = await start_run(planner)
    assert run["district_code"] is None
    assert run["requested_by_client_id"] == str(planner.client_id)
    finished = await wait_for_run(planner, run["id"])
    assert finished["status"] == "succeeded"
    assert (finished["request_count"], finished["assignment_count"]) == (0, 0)


# --- bad input changes nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"district_code": "330199"}, "unknown_district"),  # shaped like one, names none
        ({"district_code": "330100"}, "unknown_district"),  # the city itself
        ({"district_code": "330106002"}, "validation_failed"),  # a township
        ({"district_code": "110101"}, "validation_failed"),  # not Hangzhou
        ({"district_code": 330106}, "validation_failed"),
        ({"district": "330106"}, "validation_failed"),
    ],
)
async def test_a_bad_district_is_refused_and_starts_nothing(admin, body, code):
    response = await admin.post(URL, json=body)

    problem = assert_problem(response, 422, code)
    assert problem["errors"][0]["field"].endswith("district_code") or code == "validation_failed"
    assert (await admin.get(URL)).json()["items"] == []
    assert allocation_runs._running == set()


async def test_an_unknown_run_is_404(admin):
    assert_problem(await admin.get(f"{URL}/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(await admin.get(f"{URL}/not-a-uuid"), 404, "not_found")


async def test_an_idempotent_retry_answers_the_same_run_and_starts_no_second(admin):
    headers = {"Idempotency-Key": "run-330106-1"}
    first = await admin.post(URL, json={"district_code": "330106"}, headers=headers)
    again = await admin.post(URL, json={"district_code": "330106"}, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    await wait_for_run(admin, first.json()["id"])
    assert len((await admin.get(URL)).json()["items"]) == 1


# --- the run machinery, with a stand-in for matching ---------------------------------------------

P1, P2, P3, P4 = (uuid.uuid4() for _ in range(4))


async def organisations(admin) -> list[uuid.UUID]:
    """Four organisations that pass matching's hard filters for the factory requests (in
    西湖区, with the skill asked for, capacity to spare): what the runs propose must exist."""
    made = []
    for index in range(4):
        organisation = await create_partner_organisation(
            admin,
            name=f"杭州市西湖区第{index + 1}社工服务中心",
            skills=["home_visits"],
            capacity={"amount": 50, "unit": "people"},
        )
        made.append(uuid.UUID(organisation["id"]))
    return made


async def test_the_run_finds_the_best_total_not_the_greedy_one(admin, services):
    station = await create_station(admin)
    r1 = await insert_request(services, station_id=station["id"], quantity=1)
    r2 = await insert_request(services, station_id=station["id"], quantity=1)
    table = {
        r1: [candidate(P1, capacity=1, score=0.9), candidate(P2, capacity=1, score=0.8)],
        r2: [candidate(P1, capacity=1, score=0.85)],
    }

    run = await run_with(services, admin, table)

    assert run["status"] == "succeeded"
    assert pairs(run) == {(str(r1), str(P2), 1), (str(r2), str(P1), 1)}
    assert run["total_score"] == pytest.approx(1.65)
    assert (run["request_count"], run["candidate_count"], run["assignment_count"]) == (2, 3, 2)
    explained = {a["provider_id"]: a["explanation"] for a in run["assignments"]}
    assert explained[str(P1)] == [
        {"component": "skill_coverage", "value": 0.85, "weight": 1.0, "contribution": 0.85}
    ]


async def test_a_provider_is_shared_by_every_request_of_the_run(admin, services):
    station = await create_station(admin)
    requests = [await insert_request(services, station_id=station["id"], quantity=3) for _ in "ab"]
    table = {r: [candidate(P1, capacity=4, score=0.7)] for r in requests}

    run = await run_with(services, admin, table)

    assert sum(a["quantity"] for a in run["assignments"]) == 4
    assert {a["provider_id"] for a in run["assignments"]} == {str(P1)}


async def test_only_open_requests_of_the_district_with_quantity_left_are_allocated(admin, services):
    station = await create_station(admin)
    elsewhere = await create_station(admin, QINGBO)
    sid = station["id"]
    wanted = {
        "open": await insert_request(services, station_id=sid, quantity=5),
        "partly": await insert_request(
            services, station_id=sid, quantity=5, committed_quantity=2, status="partially_committed"
        ),
        "held": await insert_request(services, station_id=sid, quantity=5),
    }
    await insert_offer(services, request_id=wanted["held"], station_id=sid, quantity=4)
    await insert_offer(  # an expired proposal holds nothing
        services, request_id=wanted["held"], station_id=sid, quantity=1, expires_in=-timedelta(1)
    )
    left_out = [
        await insert_request(services, station_id=sid, status=status, committed_quantity=c)
        for status, c in (("committed", 3), ("cancelled", 0), ("closed", 0), ("expired", 0))
    ]
    fully_held = await insert_request(services, station_id=sid, quantity=2)
    await insert_offer(services, request_id=fully_held, station_id=sid, quantity=2)
    left_out.append(fully_held)
    left_out.append(  # the window is over
        await insert_request(
            services, station_id=sid, starts_in=-timedelta(days=3), lasts=timedelta(days=1)
        )
    )
    other_district = await insert_request(
        services, station_id=elsewhere["id"], district_code="330102", division_code=QINGBO
    )
    everyone = [*wanted.values(), *left_out, other_district]
    table = {r: [candidate(P1, capacity=50, score=0.5)] for r in everyone}
    source = FakeCandidates(table)

    run = await run_with(services, admin, table, district_code="330106", candidates=source)

    assert {r for r, _ in source.asked} == set(wanted.values())
    assert {r for r, limit in source.asked} and {limit for _, limit in source.asked} == {20}
    given = {a["request_id"]: a["quantity"] for a in run["assignments"]}
    assert given == {str(wanted["open"]): 5, str(wanted["partly"]): 3, str(wanted["held"]): 1}
    assert run["request_count"] == 3

    city = await run_with(services, admin, table, candidates=FakeCandidates(table))
    assert str(other_district) in {a["request_id"] for a in city["assignments"]}


async def test_the_same_data_gives_the_same_assignments(admin, services):
    station = await create_station(admin)
    requests = [
        await insert_request(services, station_id=station["id"], quantity=2) for _ in "abcd"
    ]
    providers = [uuid.uuid4() for _ in range(3)]
    table = {
        r: [candidate(p, capacity=2, score=0.5) for p in providers]  # every score ties
        for r in requests
    }

    first = await run_with(services, admin, table)
    second = await run_with(services, admin, {r: list(reversed(c)) for r, c in table.items()})

    assert first["assignments"] == second["assignments"]
    assert first["id"] != second["id"]


async def test_a_request_nobody_can_serve_is_left_unassigned(admin, services):
    station = await create_station(admin)
    fine = await insert_request(services, station_id=station["id"], quantity=1)
    alone = await insert_request(services, station_id=station["id"], quantity=1)

    run = await run_with(services, admin, {fine: [candidate(P1, capacity=5, score=0.6)]})

    assert run["status"] == "succeeded"
    assert pairs(run) == {(str(fine), str(P1), 1)}
    assert run["request_count"] == 2
    del alone


async def test_a_failing_run_is_recorded_and_logged_and_the_service_goes_on(
    admin, services, caplog
):
    station = await create_station(admin)
    await insert_request(services, station_id=station["id"])
    caplog.set_level(logging.ERROR, logger="linkage.allocation")

    run = await run_with(services, admin, {}, candidates=FailingCandidates())

    assert run["status"] == "failed"
    assert run["error"].startswith("unexpected RuntimeError")
    assert "exploded" not in run["error"]  # details stay in the log
    assert run["finished_at"] is not None and run["assignments"] == []
    [record] = [r for r in caplog.records if r.name == "linkage.allocation"]
    assert record.run_id == run["id"]  # type: ignore[attr-defined]
    assert "exploded" in caplog.text
    assert (await admin.get(URL)).status_code == 200


async def test_inconsistent_candidates_fail_the_run_with_the_reason(admin, services):
    station = await create_station(admin)
    request = await insert_request(services, station_id=station["id"])
    twice = [candidate(P1, capacity=1, score=0.5), candidate(P1, capacity=1, score=0.4)]

    run = await run_with(services, admin, {request: twice})

    assert run["status"] == "failed"
    assert run["error"].startswith("AllocationInputError: provider")


async def test_a_run_is_queued_then_running_then_done(admin, services):
    station = await create_station(admin)
    request = await insert_request(services, station_id=station["id"])
    slow = BlockedCandidates({request: [candidate(P1, capacity=1, score=0.5)]})

    run_id = await start_blocked_run(services, admin, slow, until_running=False)
    assert (await admin.get(f"{URL}/{run_id}")).json()["status"] in {"queued", "running"}
    running = await wait_until(admin, run_id, {"running"})
    assert running["status"] == "running" and running["started_at"] is not None
    assert running["finished_at"] is None
    slow.release()
    assert (await wait_for_run(admin, run_id))["status"] == "succeeded"


# --- listing -------------------------------------------------------------------------------------


async def test_runs_are_listed_newest_first_in_pages_and_filtered(admin, services):
    ids = []
    for district in ("330106", None, "330106"):
        run = await run_with(services, admin, {}, district_code=district)
        ids.append(run["id"])
    station = await create_station(admin)
    await insert_request(services, station_id=station["id"])  # the failing source needs work
    failed = await run_with(services, admin, {}, candidates=FailingCandidates())
    ids.append(failed["id"])

    first = (await admin.get(URL, params={"page_size": 3})).json()
    rest = (
        await admin.get(URL, params={"page_size": 3, "page_token": first["next_page_token"]})
    ).json()
    listed = [item["id"] for page in (first, rest) for item in page["items"]]
    assert listed == [failed["id"], *reversed(ids[:3])]  # newest first
    assert (len(first["items"]), rest["next_page_token"]) == (3, None)

    def of(response):
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert of(await admin.get(URL, params={"district_code": "330106"})) == [ids[2], ids[0]]
    assert of(await admin.get(URL, params={"status": "failed"}))[0] == failed["id"]
    assert set(of(await admin.get(URL, params={"status": "succeeded"}))) == set(ids[:3])
    assert of(await admin.get(URL, params={"status": "queued"})) == []
    mismatch = await admin.get(
        URL, params={"status": "failed", "page_token": first["next_page_token"]}
    )
    assert_problem(mismatch, 400, "page_token_filter_mismatch")
    assert_problem(await admin.get(URL, params={"status": "done"}), 400, "invalid_parameter")
    assert_problem(await admin.get(URL, params={"colour": "red"}), 400, "unknown_query_parameter")


# --- applying ------------------------------------------------------------------------------------


async def offers_of_run(services, run_id) -> list[dict]:
    async with services.database.engine.connect() as connection:
        result = await connection.execute(
            select(OfferRecord).where(OfferRecord.allocation_run_id == uuid.UUID(run_id))
        )
        return [dict(row) for row in result.mappings()]


async def change_request(services, request_id, **values) -> None:
    async with services.database.engine.begin() as connection:
        await connection.execute(
            update(ResourceRequestRecord)
            .where(ResourceRequestRecord.id == request_id)
            .values(**values)
        )


async def test_applying_turns_the_assignments_into_offers_once(admin, services):
    station = await create_station(admin)
    # real providers: applying judges them again, with the request locked (issue 8)
    P1, P2, P3, P4 = await organisations(admin)
    r1 = await insert_request(services, station_id=station["id"], quantity=3)
    r2 = await insert_request(services, station_id=station["id"], quantity=1)
    table = {
        r1: [
            candidate(P1, capacity=2, score=0.9, provider_type="organisation"),
            candidate(P2, capacity=5, score=0.6, provider_type="organisation"),
        ],
        r2: [candidate(P3, capacity=1, score=0.7, provider_type="organisation")],
    }
    run = await run_with(services, admin, table)
    assert pairs(run) == {(str(r1), str(P1), 2), (str(r1), str(P2), 1), (str(r2), str(P3), 1)}

    response = await admin.post(f"{URL}/{run['id']}/apply")

    assert response.status_code == 200, response.text
    applied = response.json()
    assert (applied["offers_created"], applied["skipped_count"], applied["skipped"]) == (3, 0, [])
    assert applied["run"]["status"] == "applied" and applied["run"]["applied_at"] is not None
    offers = await offers_of_run(services, run["id"])
    assert sorted(str(o["id"]) for o in offers) == sorted(applied["offer_ids"])
    made = {(str(o["request_id"]), str(o["provider_id"]), o["quantity"]) for o in offers}
    assert made == pairs(run)
    for offer in offers:
        assert offer["status"] == "proposed"
        assert offer["station_id"] == uuid.UUID(station["id"])
        assert offer["offered_by_client_id"] == admin.client_id
        assert offer["expires_at"] > offer["created_at"]
        assignment = next(
            a for a in run["assignments"] if a["provider_id"] == str(offer["provider_id"])
        )
        assert offer["score"] == assignment["score"]
        assert offer["explanation"] == assignment["explanation"]
    fetched = (await admin.get(f"{URL}/{run['id']}")).json()
    assert fetched["status"] == "applied" and fetched["assignments"] == run["assignments"]

    again = await admin.post(f"{URL}/{run['id']}/apply")
    problem = assert_problem(again, 409, "allocation_run_applied")
    assert problem["current_status"] == "applied"
    assert len(await offers_of_run(services, run["id"])) == 3


async def test_what_no_longer_fits_is_skipped_and_counted(admin, services):
    station = await create_station(admin)
    # real providers: applying judges them again, with the request locked (issue 8)
    P1, P2, P3, P4 = await organisations(admin)
    sid = station["id"]
    cancelled = await insert_request(services, station_id=sid, quantity=2)
    taken = await insert_request(services, station_id=sid, quantity=4)
    offered = await insert_request(services, station_id=sid, quantity=2)
    table = {
        cancelled: [candidate(P1, capacity=2, score=0.9, provider_type="organisation")],
        taken: [
            candidate(P2, capacity=3, score=0.8, provider_type="organisation"),
            candidate(P4, capacity=1, score=0.5, provider_type="organisation"),
        ],
        offered: [candidate(P3, capacity=2, score=0.7, provider_type="organisation")],
    }
    run = await run_with(services, admin, table)
    assert run["assignment_count"] == 4
    await change_request(services, cancelled, status="cancelled")
    await change_request(services, taken, status="partially_committed", committed_quantity=2)
    await insert_offer(services, request_id=taken, station_id=sid, quantity=1)  # holds 1 more
    await insert_offer(  # P3 holds an offer for this request already
        services,
        request_id=offered,
        station_id=sid,
        quantity=1,
        provider_id=P3,
        provider_type="organisation",
    )

    response = await admin.post(f"{URL}/{run['id']}/apply")

    assert response.status_code == 200, response.text
    applied = response.json()
    skipped = {(s["request_id"], s["provider_id"]): s["code"] for s in applied["skipped"]}
    assert skipped == {
        (str(cancelled), str(P1)): "request_not_open",
        (str(taken), str(P4)): "quantity_taken",
        (str(offered), str(P3)): "already_offered",
    }
    assert applied["skipped_count"] == 3 and applied["offers_created"] == 1
    [made] = await offers_of_run(services, run["id"])
    assert (made["request_id"], made["provider_id"], made["quantity"]) == (taken, P2, 1)


@pytest.mark.parametrize("source", [FailingCandidates, None])
async def test_only_a_succeeded_run_can_be_applied(admin, services, source):
    station = await create_station(admin)
    await insert_request(services, station_id=station["id"])
    if source is None:  # still running: its candidate search waits
        waiting = BlockedCandidates()
        run_id = await start_blocked_run(services, admin, waiting, until_running=False)
        problem = assert_problem(
            await admin.post(f"{URL}/{run_id}/apply"), 409, "allocation_run_not_succeeded"
        )
        assert problem["current_status"] in {"queued", "running"}
        waiting.release()
        await wait_for_run(admin, run_id)
        return
    run = await run_with(services, admin, {}, candidates=source())
    problem = assert_problem(
        await admin.post(f"{URL}/{run['id']}/apply"), 409, "allocation_run_not_succeeded"
    )
    assert problem["current_status"] == "failed"
    assert (await admin.get(f"{URL}/{run['id']}")).json()["status"] == "failed"


async def test_applying_needs_the_scope_an_unbound_client_and_a_run(admin, make_client, services):
    station = await create_station(admin)
    run = await run_with(services, admin, {})
    bound = await make_client(Scope.ALLOCATION_RUN, station_id=station["id"])
    reader = await make_client(Scope.REQUESTS_WRITE)

    assert_problem(await bound.post(f"{URL}/{run['id']}/apply"), 403, "outside_station_binding")
    assert_problem(await reader.post(f"{URL}/{run['id']}/apply"), 403, "insufficient_scope")
    assert_problem(await admin.post(f"{URL}/{uuid.uuid4()}/apply"), 404, "not_found")
    assert (await admin.get(f"{URL}/{run['id']}")).json()["status"] == "succeeded"


async def test_concurrent_applies_make_the_offers_once(admin, services):
    station = await create_station(admin)
    # real providers: applying judges them again, with the request locked (issue 8)
    P1, P2, P3, P4 = await organisations(admin)
    requests = [await insert_request(services, station_id=station["id"]) for _ in range(3)]
    table = {
        r: [candidate(P1, capacity=9, score=0.5, provider_type="organisation")] for r in requests
    }
    run = await run_with(services, admin, table)

    responses = await asyncio.gather(*(admin.post(f"{URL}/{run['id']}/apply") for _ in range(5)))

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    assert len(await offers_of_run(services, run["id"])) == 3


async def test_a_retried_apply_with_its_key_answers_what_the_first_did(admin, services):
    station = await create_station(admin)
    # real providers: applying judges them again, with the request locked (issue 8)
    P1, P2, P3, P4 = await organisations(admin)
    request = await insert_request(services, station_id=station["id"], quantity=1)
    run = await run_with(
        services,
        admin,
        {request: [candidate(P1, capacity=1, score=0.6, provider_type="organisation")]},
    )
    headers = {"Idempotency-Key": f"apply-{run['id']}"}

    first = await admin.post(f"{URL}/{run['id']}/apply", headers=headers)
    again = await admin.post(f"{URL}/{run['id']}/apply", headers=headers)

    assert first.status_code == again.status_code == 200, first.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and first.json()["offers_created"] == 1
    assert len(await offers_of_run(services, run["id"])) == 1
    other = await admin.post(f"{URL}/{run['id']}/apply", headers={"Idempotency-Key": "other"})
    assert_problem(other, 409, "allocation_run_applied")


async def test_a_run_cut_short_by_a_stopping_service_is_handed_back_and_finished_elsewhere(
    admin, services
):
    """A replica that stops mid-run (a rollout's SIGTERM) hands its run back to the queue;
    the next housekeeping sweep, of any replica, takes it over and finishes it."""
    station = await create_station(admin)
    await insert_request(services, station_id=station["id"])

    run_id = await start_blocked_run(services, admin, BlockedCandidates())  # never released
    [task] = allocation_runs._running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    handed_back = (await admin.get(f"{URL}/{run_id}")).json()
    assert (handed_back["status"], handed_back["attempts"]) == ("queued", 1)
    assert await allocation_runs.recover_runs(services) == 1
    run = await wait_for_run(admin, run_id)
    assert (run["status"], run["attempts"], run["error"]) == ("succeeded", 2, None)
