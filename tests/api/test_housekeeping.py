"""The background sweep: lapsed requests and offers expire, orphaned runs are taken over, old
stored responses go; every step runs even when another fails."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.db.tables import AllocationRunRecord, table
from service.usecases import allocation_runs, housekeeping
from service.usecases.common import unit_of_work
from tests.factories.registry import create_station
from tests.factories.requests import create_request, window

URL = "/v1/resource-requests"


def later(services, by: timedelta):
    return dataclasses.replace(services, clock=lambda: datetime.now(UTC) + by)


async def add_run(
    services, *, status: str, age: timedelta, lease: timedelta | None = None
) -> uuid.UUID:
    run_id = uuid.uuid4()
    async with unit_of_work(services.database) as session:
        session.add(
            AllocationRunRecord(
                id=run_id,
                status=status,
                requested_by_client_id=uuid.uuid4(),
                created_at=datetime.now(UTC) - age,
                lease_owner="another-replica" if lease else None,
                lease_expires_at=datetime.now(UTC) + lease if lease else None,
            )
        )
    return run_id


async def run_states(services) -> dict[uuid.UUID, tuple[str, str | None]]:
    async with services.database.read() as reader:
        rows = await reader.fetch_all(select(table(AllocationRunRecord)))
    return {row["id"]: (row["status"], row["error"]) for row in rows}


async def test_a_sweep_expires_what_has_lapsed(admin, services):
    station = await create_station(admin)
    request = await create_request(admin, station["id"], window=window(timedelta(hours=1)))

    done = await housekeeping.sweep(later(services, timedelta(days=30)))

    assert done["expired requests and offers"] == 1
    shown = (await admin.get(f"{URL}/{request['id']}")).json()
    assert shown["status"] == "expired"


async def test_runs_no_live_process_holds_are_taken_over_and_finished(services):
    """Running with no lease (from before leases) or queued long ago: taken over; running under
    another process's live lease, or finished: left alone."""
    abandoned = await add_run(services, status="running", age=timedelta(hours=1))
    never_started = await add_run(services, status="queued", age=timedelta(hours=1))
    going = await add_run(
        services, status="running", age=timedelta(hours=1), lease=timedelta(seconds=30)
    )
    finished = await add_run(services, status="succeeded", age=timedelta(hours=1))

    done = await housekeeping.sweep(services)

    assert done["took over orphaned allocation runs"] == 2
    await asyncio.gather(*list(allocation_runs._running))
    states = await run_states(services)
    assert states[abandoned] == states[never_started] == ("succeeded", None)
    assert states[going] == ("running", None)
    assert states[finished] == ("succeeded", None)


async def test_a_failing_step_is_logged_and_the_others_still_run(services, monkeypatch, caplog):
    async def broken(_services) -> int:
        raise RuntimeError("the database went away")

    steps = list(housekeeping.STEPS)
    steps[0] = (steps[0][0], broken)
    monkeypatch.setattr(housekeeping, "STEPS", tuple(steps))
    await add_run(services, status="queued", age=timedelta(hours=1))

    with caplog.at_level(logging.ERROR, logger="linkage.housekeeping"):
        done = await housekeeping.sweep(services)

    assert steps[0][0] not in done
    assert done["took over orphaned allocation runs"] == 1
    await asyncio.gather(*list(allocation_runs._running))
    assert "housekeeping step failed" in caplog.text
