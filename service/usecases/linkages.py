"""Use cases of the linkage graph (五社联动): create, read, list and change linkages."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.linkages import (
    LinkageRepository,
    add_linkage,
    linkage_for_update,
    stations_for_update,
)
from service.db.tables import LinkageRecord
from service.domain.access import Caller, check_may_change_station
from service.domain.errors import Conflict, FieldProblem, NotFound, a, rule_violation
from service.domain.linkages import (
    DatedLinkage,
    LinkageFilter,
    LinkageKind,
    LinkageStatus,
    PartnerFacts,
    PartnerType,
    ProposedLinkage,
    Tie,
    duplicate_of,
    linkage_problems,
    partner_type_problems,
    period_problems,
    transition_allowed,
)
from service.domain.partners import PartnerStatus, SupervisorLevel, UniversityOffer, is_supervisor
from service.domain.vocabulary import OperatingMode
from service.schemas.encoding import View
from service.schemas.linkages import (
    LinkageCreate,
    LinkageRead,
    LinkageUpdate,
    linkage_read,
    linkage_view,
)
from service.usecases.common import KeysetPage, Services, check_version, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once


def _tie_of(values: Any) -> Tie:
    return Tie(
        station_id=values.station_id,
        partner_type=PartnerType(values.partner_type),
        partner_id=values.partner_id,
    )


def _tie_of_row(row: dict[str, Any]) -> Tie:
    return Tie(row["station_id"], PartnerType(row["partner_type"]), row["partner_id"])


def _dated(row: dict[str, Any]) -> DatedLinkage:
    return DatedLinkage(
        id=row["id"],
        tie=_tie_of_row(row),
        kind=LinkageKind(row["kind"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        status=LinkageStatus(row["status"]),
    )


class _Checks:
    """The rules a linkage is held to, checked with its station(s) locked in the unit of work."""

    def __init__(self, session: AsyncSession, tie: Tie) -> None:
        self.repository = LinkageRepository(SqlAlchemyReader(session))
        self.session = session
        self.tie = tie
        self._stations: dict[uuid.UUID, dict[str, Any]] | None = None

    async def lock(self) -> dict[uuid.UUID, dict[str, Any]]:
        """Lock the station (both stations of a pairing), so that changes to its linkages
        happen one after another; the rows found, by id."""
        if self._stations is None:
            ids = {self.tie.station_id}
            if self.tie.partner_type is PartnerType.STATION:
                ids.add(self.tie.partner_id)
            rows = await stations_for_update(self.session, ids)
            self._stations = {row["id"]: row for row in rows}
        return self._stations

    async def facts(self) -> tuple[dict[str, Any], PartnerFacts]:
        """The locked station and what the rules need to know about the partner; 422 naming
        each end that does not exist."""
        stations = await self.lock()
        problems = []
        if self.tie.station_id not in stations:
            problems.append(
                FieldProblem(
                    "station_id",
                    f"no station with id {self.tie.station_id}",
                    code="unknown_station",
                )
            )
        partner = await self._partner_facts(stations)
        if partner is None:
            problems.append(
                FieldProblem(
                    "partner_id",
                    f"no {self.tie.partner_type} with id {self.tie.partner_id}",
                    code="unknown_partner",
                )
            )
        if problems or partner is None:
            raise rule_violation(problems)
        return stations[self.tie.station_id], partner

    async def _partner_facts(self, stations: dict[uuid.UUID, Any]) -> PartnerFacts | None:
        kind = self.tie.partner_type
        if kind is PartnerType.STATION:
            if self.tie.partner_id not in stations:
                return None
            return PartnerFacts(kind, is_same_station=self.tie.partner_id == self.tie.station_id)
        row = await self.repository.partner(kind, self.tie.partner_id)
        if row is None:
            return None
        return PartnerFacts(
            kind,
            is_social_work_agency=bool(row.get("is_social_work_agency", False)),
            is_supervisor="supervisor_level" in row
            and is_supervisor(SupervisorLevel(row["supervisor_level"])),
            offers_supervision=UniversityOffer.SUPERVISION.value in row.get("offers", ()),
            is_withdrawn=row["status"] == PartnerStatus.WITHDRAWN.value,
        )

    async def enforce(self, proposed: ProposedLinkage, *, linkage_id: uuid.UUID | None) -> None:
        """The policy rules (R9, R10, R15, R16), then R9's one active operating contract."""
        if wrong_type := partner_type_problems(proposed.kind, self.tie.partner_type):
            raise rule_violation(period_problems(proposed.starts_on, proposed.ends_on) + wrong_type)
        station, partner = await self.facts()
        mode = station["operating_mode"]
        problems = linkage_problems(
            proposed, partner, station_mode=OperatingMode(mode) if mode is not None else None
        )
        if problems:
            raise rule_violation(problems)
        if (
            proposed.kind is LinkageKind.OPERATING_CONTRACT
            and proposed.status is LinkageStatus.ACTIVE
        ):
            existing = await self.repository.active_operating_contract(self.tie.station_id)
            if existing is not None and existing != linkage_id:
                raise Conflict(
                    "the station has an active operating contract already; end or suspend it first",
                    code="operating_contract_exists",
                    rule="R9",
                    extra={"existing_linkage_id": str(existing)},
                )

    async def refuse_duplicate(self, candidate: DatedLinkage) -> None:
        """409 when a live linkage of the same kind between the same ends shares a day."""
        rows = await self.repository.live_with_same_ends(candidate.tie, candidate.kind)
        duplicate = duplicate_of(candidate, (_dated(row) for row in rows))
        if duplicate is not None:
            raise Conflict(
                f"{a(candidate.kind)} linkage between these ends covers some of the same days",
                code="linkage_overlaps",
                extra={"existing_linkage_id": str(duplicate.id)},
            )


async def _representation(session: AsyncSession, linkage_id: uuid.UUID) -> LinkageRead:
    row = await LinkageRepository(SqlAlchemyReader(session)).get(linkage_id)
    if row is None:
        raise RuntimeError(f"linkage {linkage_id} vanished inside its own unit of work")
    return linkage_read(row)


async def create_linkage(
    services: Services,
    *,
    caller: Caller,
    data: LinkageCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Link a station to a partner: the rules of R9, R10, R15, R16, then no duplicate."""
    check_may_change_station(caller, data.station_id, f"the linkages of station {data.station_id}")

    async def create(session: AsyncSession) -> Created:
        checks = _Checks(session, _tie_of(data))
        await checks.enforce(
            ProposedLinkage(data.kind, data.starts_on, data.ends_on, data.status), linkage_id=None
        )
        await checks.refuse_duplicate(
            DatedLinkage(None, checks.tie, data.kind, data.starts_on, data.ends_on, data.status)
        )
        now = services.clock()
        record = LinkageRecord(
            id=uuid.uuid4(),
            station_id=data.station_id,
            kind=data.kind.value,
            partner_type=data.partner_type.value,
            partner_id=data.partner_id,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            status=data.status.value,
            agreement_reference=data.agreement_reference,
            version=1,
            created_at=now,
            updated_at=now,
        )
        add_linkage(session, record)
        await session.flush()
        return Created(
            body=await _representation(session, record.id),
            location=f"/v1/linkages/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_linkage(
    services: Services, *, caller: Caller, linkage_id: uuid.UUID
) -> View[LinkageRead]:
    """One linkage; a bound client sees those its station or organisation is an end of."""
    async with services.database.read() as reader:
        row = await LinkageRepository(reader).get(linkage_id)
    if row is None or not _tie_of_row(row).seen_by(caller):
        raise NotFound(f"no linkage with id {linkage_id}")
    return linkage_view(row)


async def list_linkages(
    services: Services, *, caller: Caller, where: LinkageFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of linkages in start-date order (a bound client: those its station or organisation
    is an end of), as the values LinkageRead shows."""
    where = dataclasses.replace(
        where, visible_to=caller.station_id, visible_to_organisation=caller.organisation_id
    )
    async with services.database.read() as reader:
        rows = await LinkageRepository(reader).list(where, key=after, limit=limit + 1)
    return KeysetPage.of(
        [linkage_view(row).values for row in rows],
        limit=limit,
        key=lambda linkage: encode_key(linkage["starts_on"].isoformat(), linkage["id"]),
    )


async def update_linkage(
    services: Services,
    *,
    caller: Caller,
    linkage_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: LinkageUpdate,
) -> LinkageRead:
    """Change the status, last day or agreement under optimistic concurrency; re-check the rules
    a linkage is held to whenever it becomes active again or its period grows."""
    async with unit_of_work(services.database) as session:
        record = await linkage_for_update(session, linkage_id)
        if record is None or not _tie_of(record).seen_by(caller):
            raise NotFound(f"no linkage with id {linkage_id}")
        check_may_change_station(caller, record.station_id, f"linkage {linkage_id}")
        check_version("linkage", current=record.version, expected=expected_version)
        sent = changes.model_dump(include=changes.model_fields_set)
        current: dict[str, Any] = {
            "status": LinkageStatus(record.status),
            "ends_on": record.ends_on,
            "agreement_reference": record.agreement_reference,
        }
        if all(current[name] == value for name, value in sent.items()):
            return await _representation(session, record.id)
        merged = current | sent
        old_status, new_status = current["status"], LinkageStatus(merged["status"])
        if not transition_allowed(old_status, new_status):
            raise Conflict(
                f"an {old_status} linkage cannot become {new_status}; register a new one",
                code="illegal_status_transition",
                extra={"current_status": old_status.value},
            )
        if problems := period_problems(record.starts_on, merged["ends_on"]):
            raise rule_violation(problems)
        proposed = ProposedLinkage(
            LinkageKind(record.kind), record.starts_on, merged["ends_on"], new_status
        )
        checks = _Checks(session, _tie_of(record))
        if new_status is LinkageStatus.ACTIVE and old_status is not LinkageStatus.ACTIVE:
            await checks.enforce(proposed, linkage_id=record.id)  # held to today's rules again
        if new_status is not LinkageStatus.ENDED and merged["ends_on"] != record.ends_on:
            await checks.lock()
            await checks.refuse_duplicate(
                DatedLinkage(
                    record.id,
                    checks.tie,
                    proposed.kind,
                    record.starts_on,
                    proposed.ends_on,
                    new_status,
                )
            )
        record.status = new_status.value
        record.ends_on = merged["ends_on"]
        record.agreement_reference = merged["agreement_reference"]
        record.version += 1
        record.updated_at = services.clock()
        await session.flush()
        return await _representation(session, record.id)
