"""What the service does on its own, every few minutes: release what has lapsed.

- expire the open requests whose window has ended and the proposed offers past their hold;
- take over the allocation runs a stopped process left queued or running;
- delete stored idempotent responses past their time.

Every step is one short transaction and safe when several processes sweep at once; with
several replicas, one of them sweeps per tick (a lease in the database decides which).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from service.db.repositories.leases import take_lease
from service.usecases.allocation_runs import recover_runs
from service.usecases.common import Services, unit_of_work
from service.usecases.idempotency import purge_expired
from service.usecases.resource_requests import expire_overdue

logger = logging.getLogger("linkage.housekeeping")

STEPS = (
    ("expired requests and offers", expire_overdue),
    ("took over orphaned allocation runs", recover_runs),
    ("purged idempotency records", purge_expired),
)


async def sweep(services: Services) -> dict[str, int]:
    """Run every step once; what each changed. A failing step is logged and does not stop
    the others."""
    done: dict[str, int] = {}
    for what, step in STEPS:
        try:
            done[what] = await step(services)
        except Exception:
            logger.exception("housekeeping step failed", extra={"step": what})
            continue
        if done[what]:
            logger.info(what, extra={"count": done[what]})
    return done


async def my_turn(services: Services, *, interval_seconds: float) -> bool:
    """Whether this process sweeps this tick: it holds the sweep's lease for a little less
    than a tick, so whichever replica ticks first after it lapses takes the next turn."""
    now = services.clock()
    until = now + timedelta(seconds=interval_seconds * 0.9)
    try:
        async with unit_of_work(services.database) as session:
            return await take_lease(
                session, "housekeeping", owner=services.worker_id, now=now, until=until
            )
    except Exception:
        logger.warning("could not take the housekeeping turn; trying next tick")
        return False


async def keep_house(services: Services, *, interval_seconds: float) -> None:
    """Sweep now and then every `interval_seconds` when it is this process's turn, until
    cancelled."""
    while True:
        if await my_turn(services, interval_seconds=interval_seconds):
            await sweep(services)
        await asyncio.sleep(interval_seconds)
