"""Idempotent creation: a creating POST replayed with the same key returns what it returned."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.repositories.access import IdempotencyRepository
from service.db.tables import IdempotencyRecord
from service.domain.access import Caller
from service.domain.errors import RuleViolation
from service.pii import PiiVault
from service.usecases.common import Services, unit_of_work


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """The caller's key and the request it came with, in a canonical form."""

    value: str
    request: str

    @classmethod
    def for_request(cls, value: str, *, method: str, path: str, body: BaseModel) -> IdempotencyKey:
        """The request by method, path and its body as parsed (whitespace-blind)."""
        canonical = orjson.dumps(
            [method, path, body.model_dump(mode="json")], option=orjson.OPT_SORT_KEYS
        )
        return cls(value=value, request=canonical.decode())

    def fingerprint(self, vault: PiiVault) -> str:
        """A keyed digest of the request: bodies carry ID numbers, which a plain hash would
        let anyone holding the table guess back."""
        return vault.blind_index(self.request, field="idempotent_request")


@dataclass(frozen=True, slots=True)
class Created:
    """What a creating use case made: the resource's representation and where it lives."""

    body: BaseModel
    location: str
    version: int | None = None
    status_code: int = 201


@dataclass(frozen=True, slots=True)
class CreationResult:
    """A response to send: fresh, or replayed from the stored one."""

    status_code: int
    body: bytes
    location: str | None
    version: int | None
    replayed: bool


async def create_once(
    services: Services,
    *,
    caller: Caller,
    key: IdempotencyKey | None,
    ttl: timedelta,
    create: Callable[[AsyncSession], Awaitable[Created]],
) -> CreationResult:
    """Run `create` in one unit of work, storing its response under the caller's key if any."""
    async with unit_of_work(services.database) as session:
        records = IdempotencyRepository(session)
        now = services.clock()
        if key is not None:
            stored = await records.find(caller.client_id, key.value)
            if stored is not None and stored.expires_at <= now:
                await records.remove(stored)
            elif stored is not None:
                if stored.fingerprint != key.fingerprint(services.vault):
                    raise RuleViolation(
                        "this Idempotency-Key was used with a different request;"
                        " use a new key for a new request",
                        code="idempotency_key_reused",
                    )
                return CreationResult(
                    status_code=stored.status_code,
                    body=stored.body.encode(),
                    location=stored.location,
                    version=stored.resource_version,
                    replayed=True,
                )
        created = await create(session)
        body = created.body.model_dump_json()
        if key is not None:
            records.add(
                IdempotencyRecord(
                    id=uuid.uuid4(),
                    client_id=caller.client_id,
                    key=key.value,
                    fingerprint=key.fingerprint(services.vault),
                    status_code=created.status_code,
                    body=body,
                    location=created.location,
                    resource_version=created.version,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
    return CreationResult(
        status_code=created.status_code,
        body=body.encode(),
        location=created.location,
        version=created.version,
        replayed=False,
    )


async def purge_expired(services: Services) -> int:
    """Delete stored responses past their time; returns how many."""
    async with unit_of_work(services.database) as session:
        return await IdempotencyRepository(session).purge_expired(services.clock())
