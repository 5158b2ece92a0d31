"""API clients and stored idempotent responses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader
from service.db.tables import ApiClientRecord, IdempotencyRecord, table

api_client = table(ApiClientRecord)
idempotency_record = table(IdempotencyRecord)


class ApiClientRepository:
    """Machine clients, looked up by the hash of their key."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def active_by_key_hash(self, key_hash: str) -> ApiClientRecord | None:
        """The unrevoked client holding the key with this hash."""
        row = await self.reader.fetch_one(
            select(api_client).where(
                api_client.c.key_hash == key_hash, api_client.c.revoked_at.is_(None)
            )
        )
        return None if row is None else ApiClientRecord.model_validate(row)

    async def count(self) -> int:
        """How many clients were ever created (revoked ones included)."""
        return int(await self.reader.scalar(select(func.count()).select_from(api_client)))

    async def all(self) -> list[ApiClientRecord]:
        """Every client, oldest first."""
        rows = await self.reader.fetch_all(select(api_client).order_by(api_client.c.created_at))
        return [ApiClientRecord.model_validate(row) for row in rows]


class IdempotencyRepository:
    """Stored responses of creating POSTs, per client and key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, client_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
        """The record for this client's key, expired or not."""
        result = await self.session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.client_id == client_id,  # type: ignore[arg-type]
                IdempotencyRecord.key == key,  # type: ignore[arg-type]
            )
        )
        return result.scalars().first()

    def add(self, record: IdempotencyRecord) -> None:
        """Stage a record; it commits with the change it describes."""
        self.session.add(record)

    async def remove(self, record: IdempotencyRecord) -> None:
        """Drop an expired record so its key can be used again."""
        await self.session.delete(record)
        await self.session.flush()

    async def purge_expired(self, now: datetime) -> int:
        """Delete every record past its expiry; how many went."""
        result = await self.session.execute(
            delete(idempotency_record).where(idempotency_record.c.expires_at < now)
        )
        return int(getattr(result, "rowcount", 0) or 0)
