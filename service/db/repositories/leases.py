"""Named leases: one process of many takes a periodic turn (compare-and-set, both databases)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.tables import LeaseRecord, table

lease = table(LeaseRecord)


async def take_lease(
    session: AsyncSession, name: str, *, owner: str, now: datetime, until: datetime
) -> bool:
    """Hold the lease `name` until `until` if it is free, lapsed or already ours; whether we
    hold it now. Atomic: of several processes asking at once, one gets it."""
    taken = await session.execute(
        update(lease)
        .where(lease.c.name == name, or_(lease.c.expires_at <= now, lease.c.owner == owner))
        .values(owner=owner, expires_at=until)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) == 1:
        return True
    try:
        async with session.begin_nested():  # the first taker ever: the row does not exist yet
            await session.execute(insert(lease).values(name=name, owner=owner, expires_at=until))
    except IntegrityError:
        return False  # someone holds it (or took it first)
    return True
