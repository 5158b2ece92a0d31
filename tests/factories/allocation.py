"""Builders for allocation runs: requests stored directly, candidate stand-ins, waiting for runs."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as clock_time
from typing import Any

import httpx

from service.db.reader import Row
from service.db.tables import OfferRecord, ResourceRequestRecord
from service.domain.access import Caller, Scope
from service.domain.matching import Candidate, Score
from service.schemas.allocation_runs import AllocationRunCreate
from service.usecases import allocation_runs
from service.usecases.common import Services
from service.usecases.idempotency import CreationResult

URL = "/v1/allocation-runs"
FINISHED = {"succeeded", "failed", "applied"}


def next_saturday(now: datetime) -> datetime:
    """09:30 Hangzhou time on the first Saturday a day or more away: the factory volunteers'
    Saturday slot (09:00–12:00) covers a two-hour window from then whole."""
    local = (now + timedelta(days=1)).astimezone(timezone(timedelta(hours=8)))
    day = local.date() + timedelta(days=(6 - local.isoweekday()) % 7)
    return datetime.combine(day, clock_time(9, 30), timezone(timedelta(hours=8))).astimezone(UTC)


async def insert_request(
    services: Services,
    *,
    station_id: str | uuid.UUID,
    district_code: str = "330106",
    division_code: str = "330106002",
    quantity: int = 3,
    committed_quantity: int = 0,
    status: str = "open",
    category: str = "volunteer_service",
    unit: str = "people",
    required_skills: Sequence[str] = ("home_visits",),
    starts_in: timedelta | None = None,
    lasts: timedelta = timedelta(hours=2),
    title: str = "独居老人入户探访",
) -> uuid.UUID:
    """A resource request stored as the requests API would store it; returns its id."""
    now = datetime.now(UTC).replace(microsecond=0)
    record = ResourceRequestRecord(
        id=uuid.uuid4(),
        station_id=uuid.UUID(str(station_id)),
        district_code=district_code,
        division_code=division_code,
        title=title,
        category=category,
        required_skills=list(required_skills),
        target_groups=["elderly"],
        quantity=quantity,
        unit=unit,
        lat=30.2590,
        lon=120.1450,
        starts_at=(starts := now + starts_in if starts_in is not None else next_saturday(now)),
        ends_at=starts + lasts,
        urgency="normal",
        status=status,
        committed_quantity=committed_quantity,
        created_at=now,
        updated_at=now,
    )
    async with services.database.session() as session:
        session.add(record)
        await session.commit()
    return record.id


async def insert_offer(
    services: Services,
    *,
    request_id: uuid.UUID,
    station_id: str | uuid.UUID,
    quantity: int,
    status: str = "proposed",
    expires_in: timedelta = timedelta(days=2),
    provider_type: str = "volunteer",
    provider_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """An offer stored directly (a live proposal holds part of the request)."""
    now = datetime.now(UTC)
    async with services.database.session() as session:
        request = await session.get(ResourceRequestRecord, request_id)
        assert request is not None
        record = OfferRecord(
            id=uuid.uuid4(),
            request_id=request_id,
            station_id=uuid.UUID(str(station_id)),
            provider_type=provider_type,
            provider_id=provider_id or uuid.uuid4(),
            quantity=quantity,
            status=status,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            expires_at=now + expires_in,
            created_at=now,
            updated_at=now,
        )
        session.add(record)
        await session.commit()
    return record.id


def candidate(
    provider_id: uuid.UUID,
    *,
    capacity: int,
    score: float,
    provider_type: str = "volunteer",
    name: str = "李晓华",
) -> Candidate:
    """A candidate whose score is all skill coverage (one part: its explanation)."""
    return Candidate(
        provider_type, provider_id, name, capacity, Score(round(score, 6), (score,), (1.0,))
    )


class FakeCandidates:
    """A candidate source that answers from a table, and remembers what it was asked."""

    def __init__(self, table: Mapping[uuid.UUID, Sequence[Candidate]]) -> None:
        self.table = table
        self.asked: list[tuple[uuid.UUID, int]] = []

    async def __call__(
        self, services: Services, *, requests: Sequence[Row], limit: int
    ) -> Mapping[uuid.UUID, Sequence[Candidate]]:
        self.asked += [(request["id"], limit) for request in requests]
        return {r["id"]: list(self.table.get(r["id"], ()))[:limit] for r in requests}


class FailingCandidates:
    """A candidate source that breaks, as a database outage would."""

    async def __call__(
        self, services: Services, *, requests: Sequence[Row], limit: int
    ) -> Mapping[uuid.UUID, Sequence[Candidate]]:
        raise RuntimeError("candidate search exploded")


class BlockedCandidates(FakeCandidates):
    """A candidate source that holds the run in `running` until `release()`, then answers from
    its table (none by default); never released, the run stays running."""

    def __init__(self, table: Mapping[uuid.UUID, Sequence[Candidate]] | None = None) -> None:
        super().__init__(table or {})
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def __call__(
        self, services: Services, *, requests: Sequence[Row], limit: int
    ) -> Mapping[uuid.UUID, Sequence[Candidate]]:
        await self._released.wait()
        return await super().__call__(services, requests=requests, limit=limit)


def caller_of(client: httpx.AsyncClient, *scopes: Scope) -> Caller:
    """The Caller a test client authenticates as (made by `make_client`)."""
    return Caller(
        client_id=client.client_id,  # type: ignore[attr-defined]
        name="test",
        scopes=frozenset(scopes or (Scope.ADMIN,)),
    )


def run_id_of(result: CreationResult) -> str:
    assert result.location is not None
    return result.location.rsplit("/", 1)[1]


async def start_run(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post(URL, json=body)
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()
    return run


async def start_run_with(
    services: Services,
    client: httpx.AsyncClient,
    candidates: allocation_runs.CandidateSource,
    *,
    district_code: str | None = None,
) -> CreationResult:
    """Start a run as `client` through the use case, with a stand-in candidate source."""
    result = await allocation_runs.start_allocation_run(
        services,
        caller=caller_of(client),
        data=AllocationRunCreate(district_code=district_code),
        key=None,
        ttl=timedelta(hours=1),
        candidates=candidates,
    )
    assert result.status_code == 202
    return result


async def start_blocked_run(
    services: Services,
    client: httpx.AsyncClient,
    candidates: BlockedCandidates,
    *,
    until_running: bool = True,
) -> str:
    """Start a run whose candidate search waits on `candidates`; its id. With `until_running`,
    return once the run reads `running` (or fail the test); without, just after it is accepted."""
    run_id = run_id_of(await start_run_with(services, client, candidates))
    if until_running:
        await wait_until(client, run_id, {"running"})
    return run_id


async def wait_until(
    client: httpx.AsyncClient, run_id: str, statuses: Collection[str], *, within: float = 5.0
) -> dict[str, Any]:
    """Poll the run until its status is one of `statuses`, or fail the test saying where it
    stuck."""
    deadline = time.monotonic() + within
    while True:
        response = await client.get(f"{URL}/{run_id}")
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        if run["status"] in statuses:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(
                f"run {run_id} still {run['status']} after {within} s, waiting for "
                f"{' or '.join(sorted(statuses))}"
            )
        await asyncio.sleep(0.02)


async def wait_for_run(
    client: httpx.AsyncClient, run_id: str, *, within: float = 30.0
) -> dict[str, Any]:
    """Poll the run until it has finished (succeeded, failed or applied), or fail the test."""
    return await wait_until(client, run_id, FINISHED, within=within)
