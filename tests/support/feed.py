"""Waiting for the change feed to catch up.

On PostgreSQL the feed hands out an event once every transaction older than its own has ended
(`pg_snapshot_xmin`); transaction ids are cluster-wide, so a transaction elsewhere on the server
(another database's tests) can hold events back for a moment. Tests wait for that, bounded.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from service.db.repositories.events import horizon, outbox_event
from service.usecases.common import Services


async def settled(services: Services, within: float = 20.0) -> None:
    """Return once every event written so far is visible in the feed (or fail after timeout)."""
    deadline = time.monotonic() + within
    query = select(func.max(outbox_event.c.txid), horizon(services.database.dialect))
    while True:
        async with services.database.read() as reader:
            row = await reader.fetch_one(query)
        assert row is not None
        newest, below = row.values()
        if newest is None or newest < below:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the feed did not catch up with txid {newest} in {within} s")
        await asyncio.sleep(0.05)
