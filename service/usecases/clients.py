"""Machine clients: keys issued once, stored as hashes, checked through a short in-process cache."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from service.db.reader import SqlAlchemyReader
from service.db.repositories.access import ApiClientRepository
from service.db.repositories.organisations import OrganisationRepository
from service.db.repositories.stations import StationRepository
from service.db.tables import ApiClientRecord
from service.domain.access import Caller, Scope, separation_of_duties_problem
from service.domain.errors import NotFound, RuleViolation
from service.usecases.common import Services, unit_of_work

KEY_PREFIX = "lk_"
BOOTSTRAP_CLIENT_NAME = "bootstrap-admin"


def hash_key(api_key: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is enough to store them."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _caller(record: ApiClientRecord) -> Caller:
    return Caller(
        client_id=record.id,
        name=record.name,
        scopes=frozenset(Scope(scope) for scope in record.scopes),
        station_id=record.station_id,
        organisation_id=record.organisation_id,
    )


@dataclass(frozen=True, slots=True)
class IssuedClient:
    """A client as created: its record and the key, which is shown this once."""

    record: ApiClientRecord
    api_key: str


async def create_client(
    services: Services,
    *,
    name: str,
    scopes: Iterable[Scope],
    station_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
) -> IssuedClient:
    """Register a client and issue its key; it may act for one station or one organisation, and
    never holds scopes that separation of duties keeps apart."""
    scopes = frozenset(Scope(scope) for scope in scopes)
    if (problem := separation_of_duties_problem(scopes)) is not None:
        raise RuleViolation(problem, code="separation_of_duties")
    api_key = new_key()
    async with unit_of_work(services.database) as session:
        reader = SqlAlchemyReader(session)
        if station_id is not None and organisation_id is not None:
            raise RuleViolation(
                "a client acts for one station or one organisation, not both",
                code="two_bindings",
            )
        if station_id is not None and await StationRepository(reader).get(station_id) is None:
            raise NotFound(f"no station with id {station_id}")
        if (
            organisation_id is not None
            and await OrganisationRepository(reader).get(organisation_id) is None
        ):
            raise NotFound(f"no organisation with id {organisation_id}")
        record = ApiClientRecord(
            id=uuid.uuid4(),
            name=name,
            key_prefix=api_key[:10],
            key_hash=hash_key(api_key),
            scopes=sorted(scope.value for scope in scopes),
            station_id=station_id,
            organisation_id=organisation_id,
            created_at=services.clock(),
        )
        session.add(record)
    return IssuedClient(record=record, api_key=api_key)


async def list_clients(services: Services) -> list[ApiClientRecord]:
    """Every client, revoked ones included."""
    async with services.database.read() as reader:
        return await ApiClientRepository(reader).all()


async def revoke_client(services: Services, *, client_id: uuid.UUID) -> ApiClientRecord:
    """Revoke a client's key for good (in-process caches forget it within their TTL)."""
    async with unit_of_work(services.database) as session:
        record = await session.get(ApiClientRecord, client_id)
        if record is None:
            raise NotFound(f"no client with id {client_id}")
        if record.revoked_at is None:
            record.revoked_at = services.clock()
    return record


async def bootstrap_admin(services: Services) -> IssuedClient | None:
    """On a database that never had a client, create an admin one; otherwise do nothing."""
    async with services.database.read() as reader:
        if await ApiClientRepository(reader).count() > 0:
            return None
    return await create_client(services, name=BOOTSTRAP_CLIENT_NAME, scopes=[Scope.ADMIN])


class Authenticator:
    """Resolves an API key to its caller; answers (and refusals) are cached for `ttl` seconds."""

    MAX_ENTRIES = 10_000

    def __init__(
        self,
        services: Services,
        *,
        ttl: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services = services
        self.ttl = ttl
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, Caller | None]] = {}

    async def authenticate(self, api_key: str) -> Caller | None:
        """The caller holding this key, or None for an unknown or revoked key."""
        key_hash = hash_key(api_key)
        now = self.monotonic()
        cached = self._cache.get(key_hash)
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.services.database.read() as reader:
            record = await ApiClientRepository(reader).active_by_key_hash(key_hash)
        caller = None if record is None else _caller(record)
        if self.ttl > 0:
            if len(self._cache) >= self.MAX_ENTRIES:
                self._cache.clear()
            self._cache[key_hash] = (now + self.ttl, caller)
        return caller
