"""Allocation runs survive the process that runs them: a lease says who runs a run and until
when; a run whose process died is taken over once its lease lapses, never run twice, and failed
after MAX_ATTEMPTS tries. The housekeeping sweep takes turns across processes by a lease too.
(The same across real processes killed with SIGKILL: tests/live/test_replicas.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from service.db.tables import AllocationAssignmentRecord, AllocationRunRecord
from service.usecases import allocation_runs
from service.usecases.common import unit_of_work, worker_name
from service.usecases.housekeeping import my_turn
from tests.api.test_allocation_runs import P1, URL
from tests.factories.allocation import (
    BlockedCandidates,
    candidate,
    insert_request,
    start_blocked_run,
    wait_for_run,
)
from tests.factories.registry import create_station


async def set_run(services, run_id, **values) -> None:
    async with unit_of_work(services.database) as session:
        await session.execute(
            update(AllocationRunRecord)
            .where(AllocationRunRecord.id == uuid.UUID(str(run_id)))
            .values(**values)
        )


async def assignments_of(services, run_id) -> list[AllocationAssignmentRecord]:
    async with services.database.session() as session:
        query = select(AllocationAssignmentRecord).where(
            AllocationAssignmentRecord.run_id == uuid.UUID(str(run_id))
        )
        return list((await session.scalars(query)).all())


async def orphan(services, admin, **values) -> str:
    """A run some other process took on and then died running: its lease has lapsed."""
    record = AllocationRunRecord(
        status="running",
        requested_by_client_id=admin.client_id,
        created_at=services.clock() - timedelta(minutes=5),
        started_at=services.clock() - timedelta(minutes=5),
        lease_owner="dead-replica",
        lease_expires_at=services.clock() - timedelta(seconds=1),
        attempts=1,
    )
    for name, value in values.items():
        setattr(record, name, value)
    async with unit_of_work(services.database) as session:
        session.add(record)
    return str(record.id)


async def test_a_run_whose_process_died_is_taken_over_once_its_lease_lapses(admin, services):
    station = await create_station(admin)
    await insert_request(services, station_id=station["id"], quantity=1)
    holding = services.clock() + timedelta(seconds=30)
    run_id = await orphan(services, admin, lease_expires_at=holding)

    assert await allocation_runs.recover_runs(services) == 0  # its lease still holds

    await set_run(services, run_id, lease_expires_at=services.clock() - timedelta(seconds=1))
    assert await allocation_runs.recover_runs(services) == 1
    finished = await wait_for_run(admin, run_id)

    assert (finished["status"], finished["attempts"]) == ("succeeded", 2)
    assert finished["request_count"] == 1  # matching ran, here
    async with services.database.session() as session:
        record = await session.get(AllocationRunRecord, uuid.UUID(run_id))
        assert record is not None and record.lease_owner is None


async def test_a_run_just_accepted_is_left_to_the_process_that_accepted_it(admin, services):
    station = await create_station(admin)
    await insert_request(services, station_id=station["id"])
    waiting = BlockedCandidates()

    run_id = await start_blocked_run(services, admin, waiting, until_running=False)
    assert await allocation_runs.recover_runs(services) == 0
    waiting.release()
    assert (await wait_for_run(admin, run_id))["attempts"] == 1


async def test_a_process_that_lost_its_lease_cannot_finish_the_run(admin, services):
    """It stalled past its lease and another process took the run over: its result is
    dropped, so the run's assignments are stored once, by the new holder."""
    station = await create_station(admin)
    request = await insert_request(services, station_id=station["id"], quantity=1)
    stalling = BlockedCandidates({request: [candidate(P1, capacity=1, score=0.5)]})

    run_id = await start_blocked_run(services, admin, stalling)
    await set_run(services, run_id, lease_owner="the-new-holder", attempts=2)

    stalling.release()
    await asyncio.gather(*list(allocation_runs._running))

    run = (await admin.get(f"{URL}/{run_id}")).json()
    assert (run["status"], run["attempts"]) == ("running", 2)  # still the new holder's
    assert await assignments_of(services, run_id) == []


async def test_a_run_taken_over_too_often_is_failed_saying_why(admin, services):
    run_id = await orphan(services, admin, attempts=allocation_runs.MAX_ATTEMPTS)

    assert await allocation_runs.recover_runs(services) == 1

    failed = (await admin.get(f"{URL}/{run_id}")).json()
    assert failed["status"] == "failed"
    assert failed["error"].startswith("the processes running it stopped before it finished, 3")
    assert allocation_runs._running == set()  # not started again


async def test_one_process_of_many_sweeps_per_tick(services):
    others = [dataclasses.replace(services, worker_id=worker_name()) for _ in range(3)]
    interval = 3600.0

    turns = await asyncio.gather(*(my_turn(s, interval_seconds=interval) for s in others))
    assert sorted(turns) == [False, False, True]
    holder = others[turns.index(True)]
    assert await my_turn(holder, interval_seconds=interval)  # its turn holds for the tick

    later = services.clock() + timedelta(seconds=interval)
    waiting = dataclasses.replace(others[turns.index(False)], clock=lambda: later)
    assert await my_turn(waiting, interval_seconds=interval)  # the lease lapsed: next turn
