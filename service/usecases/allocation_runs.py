"""Batch allocation runs: start one, let it run in the background, read it, apply it.

A run is created `queued` and answered at once; an asyncio task of the same process then
claims it under a lease, gathers the open requests of its district (or the city), asks matching
for each one's candidates, solves the min-cost flow (service.domain.allocation) in a worker
thread and stores the assignments – or records why it failed. Nothing it does can crash the
app: every failure is logged with the run's id and written on the run.

Runs survive their process: the lease is renewed while the run goes on; a process that stops
hands its run back, and the run of a process that died is taken over by another's housekeeping
once its lease lapses (`recover_runs`), at most MAX_ATTEMPTS tries in all. Only the holder of
the lease may finish a run, so no run is ever done twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Row, SqlAlchemyReader
from service.db.repositories.allocation_runs import (
    AllocationRunRepository,
    add_assignments,
    claim_run,
    fail_run,
    hand_back_run,
    live_offers,
    move_run,
    open_requests,
    orphaned_runs,
    renew_lease,
    requests_for_update,
)
from service.db.repositories.divisions import DivisionRepository
from service.db.repositories.keyset import encode_key
from service.db.repositories.offers import providers_for_update
from service.db.tables import AllocationRunRecord
from service.domain.access import Caller
from service.domain.allocation import (
    AllocationInputError,
    Assignment,
    Demand,
    LiveOffer,
    RequestNow,
    RunFilter,
    RunStatus,
    Skipped,
    SolverFailed,
    allocate,
    candidate_arcs,
    check_applicable,
    check_may_allocate,
    still_fitting,
)
from service.domain.divisions import DivisionLevel
from service.domain.errors import DomainError, FieldProblem, NotFound, rule_violation
from service.domain.fulfilment import OFFERABLE, explanation_rows, hold_until
from service.domain.matching import Candidate
from service.domain.requests import (
    OfferStatus,
    Proposal,
    ProviderType,
    RequestStatus,
    quantity_left,
)
from service.schemas.allocation_runs import (
    AllocationApplyResult,
    AllocationRunCreate,
    AllocationRunDetail,
    run_detail_view,
    run_read,
    run_view,
    skipped_read,
)
from service.schemas.encoding import View
from service.usecases.common import KeysetPage, Services, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.matching import search_each
from service.usecases.offers import propose_offers, still_eligible

logger = logging.getLogger("linkage.allocation")

CANDIDATES_PER_REQUEST = 20  # K: each request's best candidates enter the flow model
SEARCH_CHUNK = 100  # requests searched together (on PostgreSQL: one statement per shape)
SEARCH_CONCURRENCY = 4  # chunks in flight at once (each holds a read connection)
RUN_TIMEOUT_SECONDS = 900.0  # a run still going after this is failed
MAX_ATTEMPTS = 3  # a run taken over this often (its process dying each time) is failed
RECOVER_BATCH = 4  # orphaned runs one process takes over per sweep


class CandidateSource(Protocol):
    """Where a run gets its requests' candidates: matching, or a stand-in in tests."""

    async def __call__(
        self, services: Services, *, requests: Sequence[Row], limit: int
    ) -> Mapping[uuid.UUID, Sequence[Candidate]]: ...


async def matched_candidates(
    services: Services, *, requests: Sequence[Row], limit: int
) -> Mapping[uuid.UUID, Sequence[Candidate]]:
    """Matching's ranked candidates for each request (hard filters passed), from the rows the
    run read: the searches themselves, without reading the requests again."""
    async with services.database.read() as reader:
        return await search_each(reader, services, requests, limit=limit)


# Running runs, referenced so that the event loop's weak references do not let them be
# collected mid-run; each removes itself when done.
_running: set[asyncio.Task[None]] = set()


def _in_background(work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
    task = asyncio.create_task(work, name=name)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def start_allocation_run(
    services: Services,
    *,
    caller: Caller,
    data: AllocationRunCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
    candidates: CandidateSource = matched_candidates,
) -> CreationResult:
    """Queue a run over a district (or the city) and start it in the background (202)."""
    check_may_allocate(caller)
    created: list[uuid.UUID] = []

    async def create(session: AsyncSession) -> Created:
        if data.district_code is not None:
            district = await DivisionRepository(SqlAlchemyReader(session)).get(data.district_code)
            if district is None or district.level != DivisionLevel.DISTRICT.value:
                raise rule_violation(
                    [
                        FieldProblem(
                            "district_code",
                            f"{data.district_code} is not a district of Hangzhou",
                            code="unknown_district",
                        )
                    ]
                )
        record = AllocationRunRecord(
            id=uuid.uuid4(),
            district_code=data.district_code,
            status=RunStatus.QUEUED.value,
            requested_by_client_id=caller.client_id,
            created_at=services.clock(),
        )
        session.add(record)
        await session.flush()
        created.append(record.id)
        return Created(
            body=run_read(record.model_dump()),
            location=f"/v1/allocation-runs/{record.id}",
            status_code=202,
        )

    result = await create_once(services, caller=caller, key=key, ttl=ttl, create=create)
    if created and not result.replayed:
        run_id = created[0]
        _in_background(
            execute_run(services, run_id=run_id, candidates=candidates),
            name=f"allocation-run-{run_id}",
        )
    return result


class _LeaseLost(Exception):
    """The run's lease went to another process (this one stalled past it): it finishes it."""


async def execute_run(
    services: Services,
    *,
    run_id: uuid.UUID,
    candidates: CandidateSource = matched_candidates,
) -> None:
    """Claim a queued (or orphaned) run and carry it through to `succeeded` or `failed`; never
    raises (but cancellation: the run is handed back to the queue, and cancellation passed on).
    A run another process holds is left alone."""
    started = time.perf_counter()
    owner = services.worker_id
    now = services.clock()
    async with unit_of_work(services.database) as session:
        claimed = await claim_run(
            session, run_id, owner=owner, now=now, until=now + _lease(services)
        )
    if not claimed:
        logger.info("allocation run taken by another process", extra={"run_id": str(run_id)})
        return
    keeper = asyncio.create_task(_keep_lease(services, run_id), name=f"lease-{run_id}")
    try:
        async with asyncio.timeout(RUN_TIMEOUT_SECONDS):
            await _run(services, run_id=run_id, candidates=candidates, t0=started)
    except asyncio.CancelledError:  # the service is stopping: another process takes it on
        logger.warning("allocation run interrupted; handed back", extra={"run_id": str(run_id)})
        await _hand_back(services, run_id)
        raise
    except _LeaseLost:
        logger.warning(
            "allocation run's lease lapsed; left to its new holder", extra={"run_id": str(run_id)}
        )
    except Exception as exc:
        logger.exception("allocation run failed", extra={"run_id": str(run_id)})
        await _record_failure(services, run_id, exc, seconds=time.perf_counter() - started)
    finally:
        keeper.cancel()


def _lease(services: Services) -> timedelta:
    return timedelta(seconds=services.run_lease_seconds)


async def _keep_lease(services: Services, run_id: uuid.UUID) -> None:
    """Renew the run's lease a third of the way through, until cancelled or lost."""
    while True:
        await asyncio.sleep(services.run_lease_seconds / 3)
        try:
            async with unit_of_work(services.database) as session:
                held = await renew_lease(
                    session,
                    run_id,
                    owner=services.worker_id,
                    until=services.clock() + _lease(services),
                )
        except Exception:  # the database is away: try again; the lease may lapse meanwhile
            logger.warning(
                "could not renew an allocation run's lease", extra={"run_id": str(run_id)}
            )
            continue
        if not held:
            return


async def _hand_back(services: Services, run_id: uuid.UUID) -> None:
    try:
        async with unit_of_work(services.database) as session:
            await hand_back_run(session, run_id, owner=services.worker_id)
    except Exception:  # its lease lapses instead, and another process takes it over
        logger.exception("could not hand back an allocation run", extra={"run_id": str(run_id)})


async def _run(
    services: Services,
    *,
    run_id: uuid.UUID,
    candidates: CandidateSource,
    t0: float,
) -> None:
    async with unit_of_work(services.database) as session:  # the primary: just claimed
        row = await AllocationRunRepository(SqlAlchemyReader(session)).get(run_id)
    if row is None:
        return
    async with services.database.read() as reader:
        rows = await open_requests(reader, district_code=row["district_code"], now=services.clock())
    demands = [
        Demand(r["id"], quantity_left(r["quantity"], [r["committed_quantity"], int(r["held"])]))
        for r in rows
    ]
    demands = [demand for demand in demands if demand.quantity > 0]
    wanted = {demand.request_id for demand in demands}
    found = await _candidates_of(
        services, [row for row in rows if row["id"] in wanted], candidates=candidates
    )
    arcs, capacities = candidate_arcs(found)
    allocation = await asyncio.to_thread(allocate, demands, arcs, capacities)

    scores = {
        (request, c.provider_type, c.provider_id): c.score
        for request, listed in found.items()
        for c in listed
    }
    rows_to_add = [
        {
            "id": uuid.uuid4(),
            "run_id": run_id,
            "request_id": a.request_id,
            "provider_type": a.provider[0],
            "provider_id": a.provider[1],
            "quantity": a.quantity,
            "score": a.score,
            "explanation": explanation_rows(
                (part.component.value, part.value, part.weight)
                for part in scores[a.request_id, *a.provider].parts
            ),
        }
        for a in allocation.assignments
    ]
    async with unit_of_work(services.database) as session:
        finished = await move_run(
            session,
            run_id,
            expected=RunStatus.RUNNING,
            owner=services.worker_id,
            values={
                "status": RunStatus.SUCCEEDED.value,
                "request_count": len(demands),
                "candidate_count": len(arcs),
                "assignment_count": len(rows_to_add),
                "total_score": allocation.total_score,
                "solver_seconds": allocation.solver_seconds,
                "total_seconds": time.perf_counter() - t0,
                "finished_at": services.clock(),
                "lease_owner": None,
                "lease_expires_at": None,
            },
        )
        if not finished:
            raise _LeaseLost  # rolls back: its new holder stores the assignments
        await add_assignments(session, rows_to_add)
    logger.info(
        "allocation run succeeded",
        extra={
            "run_id": str(run_id),
            "requests": len(demands),
            "candidates": len(arcs),
            "assignments": len(rows_to_add),
            "solver_seconds": round(allocation.solver_seconds, 4),
        },
    )


async def _candidates_of(
    services: Services, requests: Sequence[Row], *, candidates: CandidateSource
) -> dict[uuid.UUID, Sequence[Candidate]]:
    """Each request's candidates (none for one nobody can serve), searched in chunks, a few
    chunks at a time."""
    gate = asyncio.Semaphore(SEARCH_CONCURRENCY)

    async def chunk(part: Sequence[Row]) -> Mapping[uuid.UUID, Sequence[Candidate]]:
        async with gate:
            return await candidates(services, requests=part, limit=CANDIDATES_PER_REQUEST)

    # A task group: one search failing stops the others, and the run fails as a whole.
    async with asyncio.TaskGroup() as group:
        searches = [
            group.create_task(chunk(requests[start : start + SEARCH_CHUNK]))
            for start in range(0, len(requests), SEARCH_CHUNK)
        ]
    found: dict[uuid.UUID, Sequence[Candidate]] = {}
    for task in searches:
        found |= task.result()
    return {request["id"]: found.get(request["id"], ()) for request in requests}


def _error_text(exc: BaseException) -> str:
    """What a failed run says about why: our own errors in full, anything else by kind only
    (the log has the rest, under the run's id)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:  # from the search task group
        exc = exc.exceptions[0]
    if isinstance(exc, asyncio.CancelledError):
        return "the service stopped while the run was going on; start a new run"
    if isinstance(exc, TimeoutError):
        return f"the run took longer than {RUN_TIMEOUT_SECONDS:.0f} s and was stopped"
    if isinstance(exc, AllocationInputError | SolverFailed | DomainError):
        return f"{type(exc).__name__}: {exc}"[:2000]
    return f"unexpected {type(exc).__name__}; the service log has the details under this run's id"


async def _record_failure(
    services: Services, run_id: uuid.UUID, exc: BaseException, *, seconds: float
) -> None:
    try:
        async with unit_of_work(services.database) as session:
            await fail_run(
                session,
                run_id,
                {
                    "error": _error_text(exc),
                    "total_seconds": seconds,
                    "finished_at": services.clock(),
                    "lease_owner": None,
                    "lease_expires_at": None,
                },
                owner=services.worker_id,
            )
    except Exception:
        logger.exception(
            "could not record the failure of an allocation run", extra={"run_id": str(run_id)}
        )


ABANDONED = (
    "the processes running it stopped before it finished, {attempts} times (restarts or"
    " crashes); start a new run"
)


async def recover_runs(services: Services) -> int:
    """Take over the runs no live process is running (their process died, or stopped and
    handed them back): each is started here in the background, or failed once it has been
    tried MAX_ATTEMPTS times; how many. Safe beside other processes: a run is claimed by one."""
    now = services.clock()
    async with unit_of_work(services.database) as session:
        orphans = await orphaned_runs(
            session, now=now, queued_before=now - _lease(services), limit=RECOVER_BATCH
        )
        for orphan in orphans:
            if orphan["attempts"] >= MAX_ATTEMPTS:
                await fail_run(
                    session,
                    orphan["id"],
                    {
                        "error": ABANDONED.format(attempts=orphan["attempts"]),
                        "finished_at": now,
                        "lease_owner": None,
                        "lease_expires_at": None,
                    },
                )
    for orphan in orphans:
        if orphan["attempts"] < MAX_ATTEMPTS:
            logger.warning("taking over an allocation run", extra={"run_id": str(orphan["id"])})
            _in_background(
                execute_run(services, run_id=orphan["id"]), name=f"allocation-run-{orphan['id']}"
            )
    return len(orphans)


async def get_allocation_run(
    services: Services, *, caller: Caller, run_id: uuid.UUID
) -> View[AllocationRunDetail]:
    """One run with its proposed assignments."""
    check_may_allocate(caller)
    async with services.database.read() as reader:
        runs = AllocationRunRepository(reader)
        row = await runs.get(run_id)
        if row is None:
            raise NotFound(f"no allocation run with id {run_id}")
        assignments = await runs.assignments(run_id)
    return run_detail_view(row, assignments)


async def list_allocation_runs(
    services: Services, *, caller: Caller, where: RunFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of runs, newest first, as the values AllocationRunRead shows."""
    check_may_allocate(caller)
    async with services.database.read() as reader:
        rows = await AllocationRunRepository(reader).list(where, key=after, limit=limit + 1)
    return KeysetPage.of(
        [run_view(row).values for row in rows],
        limit=limit,
        key=lambda item: encode_key(item["created_at"].isoformat(), item["id"]),
    )


async def apply_allocation_run(
    services: Services,
    *,
    caller: Caller,
    run_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Turn a succeeded run's assignments into offers, once, as far as they still fit.

    Each request is locked and checked again: one no longer open (or whose window has ended)
    gets none; the others get what is still free of them (neither committed nor held by a live
    proposal), best score first; a provider that holds an offer for the request is skipped.
    The provider's capacity is checked again when the offer is accepted.
    """
    check_may_allocate(caller)

    async def apply(session: AsyncSession) -> Created:
        runs = AllocationRunRepository(SqlAlchemyReader(session))
        row = await runs.get(run_id)
        if row is None:
            raise NotFound(f"no allocation run with id {run_id}")
        check_applicable(RunStatus(row["status"]))
        now = services.clock()
        values = {"status": RunStatus.APPLIED.value, "applied_at": now}
        if not await move_run(session, run_id, expected=RunStatus.SUCCEEDED, values=values):
            check_applicable(RunStatus.APPLIED)  # a concurrent apply got there first
        offer_ids, skipped = await _offer(
            session, services, caller=caller, run_id=run_id, rows=await runs.assignments(run_id)
        )
        body = AllocationApplyResult(
            run=run_read(await runs.get(run_id) or row),
            offer_ids=offer_ids,
            offers_created=len(offer_ids),
            skipped=[skipped_read(item) for item in skipped],
            skipped_count=len(skipped),
        )
        return Created(body=body, location=f"/v1/allocation-runs/{run_id}", status_code=200)

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=apply)


async def _offer(
    session: AsyncSession,
    services: Services,
    *,
    caller: Caller,
    run_id: uuid.UUID,
    rows: list[dict[str, Any]],
) -> tuple[list[uuid.UUID], list[Skipped]]:
    """Offers for what of each request's assignments still fits it; what was skipped."""
    now = services.clock()
    planned: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for row in rows:
        planned.setdefault(row["request_id"], []).append(row)
    requests = await requests_for_update(session, sorted(planned))
    # Every provider the run would offer, locked in the one fixed order before any is judged
    # again: a concurrent POST …/offers naming them waits, or is waited for (issue 8).
    await providers_for_update(
        session, [(ProviderType(row["provider_type"]), row["provider_id"]) for row in rows]
    )
    offers: dict[uuid.UUID, list[LiveOffer]] = {}
    for live in await live_offers(session, sorted(planned), now=now):
        accepted = live["status"] == OfferStatus.ACCEPTED.value
        provider = (live["provider_type"], live["provider_id"])
        offers.setdefault(live["request_id"], []).append(
            LiveOffer(provider, live["quantity"], accepted=accepted)
        )
    offer_ids: list[uuid.UUID] = []
    skipped: list[Skipped] = []
    for request_id, assigned in sorted(planned.items()):
        request = requests.get(request_id)
        state = None
        if request is not None:
            state = RequestNow(
                offerable=RequestStatus(request.status) in OFFERABLE and request.ends_at > now,
                quantity=request.quantity,
                committed=request.committed_quantity,
                offers=tuple(offers.get(request_id, ())),
            )
        kept, left_out = still_fitting([_assignment(row) for row in assigned], state)
        skipped += left_out
        if request is None or not kept:
            continue
        why = {(row["provider_type"], row["provider_id"]): row["explanation"] for row in assigned}
        proposals = [
            Proposal(
                ProviderType(a.provider[0]),
                a.provider[1],
                a.quantity,
                a.score,
                tuple(why[a.provider]),
            )
            for a in kept
        ]
        expires_at = hold_until(
            now, hours=services.offer_hold_hours, request_ends_at=request.ends_at
        )
        try:
            proposals, taken = await still_eligible(
                session, services, caller=caller, request_id=request_id, proposals=proposals
            )
            gone = {(p.provider_type.value, p.provider_id) for p in taken}
            skipped += [
                Skipped(
                    a,
                    "provider_not_eligible",
                    "the provider no longer passes matching's hard filters",
                )
                for a in kept
                if (a.provider[0], a.provider[1]) in gone
            ]
            records = await propose_offers(
                session,
                services,
                request=request,
                proposals=proposals,
                caller=caller,
                allocation_run_id=run_id,
                expires_at=expires_at,
            )
        except DomainError as exc:
            skipped += [Skipped(a, exc.code, exc.detail) for a in kept]
        else:
            offer_ids += [record.id for record in records]
    return offer_ids, skipped


def _assignment(row: dict[str, Any]) -> Assignment:
    provider = (row["provider_type"], row["provider_id"])
    return Assignment(row["request_id"], provider, row["quantity"], row["score"])
