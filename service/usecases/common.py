"""What every use case shares: the unit of work and the mapping of constraint clashes."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.engine import Database
from service.db.errors import violated_constraint
from service.db.repositories.keyset import sync_key
from service.domain.errors import Conflict, DomainError, RuleViolation, StaleVersion
from service.domain.fulfilment import DEFAULT_HOLD_HOURS
from service.domain.matching import DEFAULT_WEIGHTS, Component
from service.domain.partners import CertificateLevel
from service.domain.supervision import DEFAULT_THRESHOLDS
from service.pii import PiiVault
from service.usecases.webhook_policy import WebhookPolicy

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The system clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Services:
    """What use cases run against, built once per process (tests build their own)."""

    database: Database
    vault: PiiVault
    clock: Clock = field(default=utc_now)
    match_weights: Mapping[Component, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    match_radius_km: float = 3.0
    match_totals_cache_seconds: float = 0.0
    offer_hold_hours: int = DEFAULT_HOLD_HOURS
    training_thresholds: Mapping[CertificateLevel, float] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS)
    )
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)
    # Background work: who this process is to its peers, and how long its claims hold.
    worker_id: str = field(default_factory=lambda: worker_name())
    run_lease_seconds: float = 60.0


def worker_name() -> str:
    """This process among the service's replicas: host, pid and a random part (a pid may be
    reused by a restarted container)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# Constraints that concurrent requests can still collide on after the use case's own checks.
CONSTRAINT_CONFLICTS: dict[str, tuple[str, str]] = {
    "uq_station_township_code": ("station_exists", "the township already has a station"),
    "uq_office_community_code": ("office_exists", "the community already has an office"),
    "uq_organisation_uscc": ("organisation_exists", "an organisation with this USCC exists"),
    "uq_university_uscc": ("university_exists", "a university with this USCC exists"),
    "uq_social_worker_id_number_index": (
        "social_worker_exists",
        "a social worker with this ID number is registered already",
    ),
    "uq_volunteer_id_number_index": (
        "volunteer_exists",
        "a volunteer with this ID number is registered already",
    ),
    "uq_volunteer_team_member_one_leader": ("team_has_leader", "the team has a leader already"),
    "pk_volunteer_team_member": ("already_a_member", "the volunteer is in the team already"),
    "ck_resource_request_committed": (
        "request_fully_committed",
        "the request is committed in full already",
    ),
    "uq_linkage_one_active_operating_contract": (
        "operating_contract_exists",
        "the station has an active operating contract already (R9)",
    ),
    "uq_training_record_once": (
        "training_record_exists",
        "this social worker's completion of this course on this day is recorded already",
    ),
    "uq_evaluation_station_id_period_from_period_to": (
        "evaluation_exists",
        "the station has an evaluation of this period already",
    ),
    "uq_idempotency_record_client_id_key": (
        "idempotency_key_in_use",
        "another request with this Idempotency-Key is being processed; retry it shortly",
    ),
}


def _as_domain_error(exc: IntegrityError) -> DomainError:
    name = violated_constraint(exc)
    if name in CONSTRAINT_CONFLICTS:
        code, detail = CONSTRAINT_CONFLICTS[name]
        return Conflict(detail, code=code)
    # A foreign key or check constraint the use case did not foresee: the input is at fault.
    return RuleViolation(
        f"the change breaks a data constraint ({name or 'unknown'})", code="constraint_violated"
    )


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KeysetPage(Generic[T]):
    """One page of a collection and the key to continue after, when there is more."""

    items: list[T]
    next_after: str | None

    @classmethod
    def of(cls, rows: list[T], *, limit: int, key: Callable[[T], str]) -> KeysetPage[T]:
        """From `limit + 1` fetched rows: the extra row only says that another page exists."""
        items = rows[:limit]
        if len(rows) <= limit:
            return cls(items=items, next_after=None)
        return cls(items=items, next_after=sync_key(items[-1]) or key(items[-1]))


class Versioned(Protocol):
    """A stored resource under optimistic concurrency."""

    version: int
    updated_at: datetime


def apply_changes(record: Versioned, columns: Mapping[str, Any], *, now: datetime) -> None:
    """Write changed columns onto a loaded record and move it to its next version."""
    for column, value in columns.items():
        setattr(record, column, value)
    record.version += 1
    record.updated_at = now


def check_version(kind: str, *, current: int, expected: frozenset[int] | None) -> None:
    """Optimistic concurrency: the caller changes a version it read (If-Match names the
    versions it accepts, compared strongly), or any (`*`, None)."""
    if expected is not None and current not in expected:
        named = ", ".join(str(version) for version in sorted(expected)) or "no version of it"
        raise StaleVersion(
            f"the {kind} is at version {current}; If-Match names {named}",
            extra={"current_version": current},
        )


@asynccontextmanager
async def unit_of_work(database: Database) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends normally, rolled back otherwise."""
    async with database.session() as session:
        try:
            yield session
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise _as_domain_error(exc) from exc
