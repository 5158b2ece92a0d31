"""What the service does on its own, every few minutes: release what has lapsed.

- expire the open requests whose window has ended and the proposed offers past their hold;
- fail the allocation runs a stopped process left queued or running;
- delete stored idempotent responses past their time.

Every step is one short transaction and safe when several processes sweep at once.
"""

from __future__ import annotations

import asyncio
import logging

from service.usecases.allocation_runs import fail_abandoned
from service.usecases.common import Services
from service.usecases.idempotency import purge_expired
from service.usecases.resource_requests import expire_overdue

logger = logging.getLogger("linkage.housekeeping")

STEPS = (
    ("expired requests and offers", expire_overdue),
    ("failed abandoned allocation runs", fail_abandoned),
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


async def keep_house(services: Services, *, interval_seconds: float) -> None:
    """Sweep now and then every `interval_seconds`, until cancelled."""
    while True:
        await sweep(services)
        await asyncio.sleep(interval_seconds)
