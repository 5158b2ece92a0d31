"""A station's five-society picture (五社联动): partners by type, linkages, staff, offices."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from service.db.reader import Row
from service.db.repositories.networks import NetworkRepository
from service.domain.access import Caller, PersonKind
from service.domain.errors import NotFound
from service.domain.linkages import LinkageKind, PartnerType, Tie, staffing
from service.domain.partners import CertificateLevel, Employment
from service.schemas.encoding import View
from service.schemas.linkages import NetworkRead, linkage_view
from service.usecases.common import Services
from service.usecases.disclosure import Disclosure, disclosure


@dataclass
class _Partner:
    partner_type: PartnerType
    partner_id: uuid.UUID
    name: str | None
    urban_rural: bool | None
    kinds: set[LinkageKind] = field(default_factory=set)


def _partner_groups(
    station_id: uuid.UUID, rows: list[Row], linkages: list[dict[str, Any]], shown: Disclosure
) -> list[dict[str, Any]]:
    """Each partner once, with every kind of active linkage; every type, in vocabulary order."""
    partners: dict[tuple[PartnerType, uuid.UUID], _Partner] = {}
    for row, linkage in zip(rows, linkages, strict=True):
        tie = Tie(
            linkage["station_id"], PartnerType(linkage["partner_type"]), linkage["partner_id"]
        )
        partner_type, partner_id = tie.other_end(station_id)
        name = row["partner_name"]
        if partner_type is PartnerType.SOCIAL_WORKER and name is not None:
            name = shown.name(PersonKind.SOCIAL_WORKER, partner_id, name)
        entry = partners.setdefault(
            (partner_type, partner_id),
            _Partner(
                partner_type,
                partner_id,
                name,
                linkage["urban_rural"] if partner_type is PartnerType.STATION else None,
            ),
        )
        entry.kinds.add(LinkageKind(linkage["kind"]))
    groups = []
    for partner_type in PartnerType:
        members = sorted(
            (p for p in partners.values() if p.partner_type is partner_type),
            key=lambda p: (p.name or "", str(p.partner_id)),
        )
        items = [
            {
                "partner_id": p.partner_id,
                "partner_type": p.partner_type,
                "name": p.name,
                "kinds": [kind for kind in LinkageKind if kind in p.kinds],
                "urban_rural": p.urban_rural,
            }
            for p in members
        ]
        groups.append({"partner_type": partner_type, "count": len(items), "items": items})
    return groups


def _kind_counts(linkages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(LinkageKind(linkage["kind"]) for linkage in linkages)
    return [{"kind": kind, "count": counts[kind]} for kind in LinkageKind]


async def station_network(
    services: Services, *, caller: Caller, station_id: uuid.UUID
) -> View[NetworkRead]:
    """The station's network; a bound client sees its own station's, or those of the stations
    its organisation is linked with."""
    if caller.station_id is not None and caller.station_id != station_id:
        raise NotFound(f"no station with id {station_id}")
    async with services.database.read() as reader:
        repository = NetworkRepository(reader)
        station = await repository.station(station_id)
        if station is None or (
            caller.organisation_id is not None
            and not await repository.linked_with(station_id, caller.organisation_id)
        ):
            raise NotFound(f"no station with id {station_id}")
        heads = await repository.staffing(station_id)
        rows = await repository.active_linkages(station_id)
        workers = [
            (PersonKind.SOCIAL_WORKER, row["partner_id"])
            for row in rows
            if row["partner_type"] == PartnerType.SOCIAL_WORKER.value
        ]
        shown = await disclosure(reader, caller, workers, now=services.clock())
    staff = staffing(
        (CertificateLevel(row["certificate_level"]), Employment(row["employment"]), row["heads"])
        for row in heads
    )
    linkages = [linkage_view(row).values for row in rows]
    return View(
        NetworkRead,
        {
            "station": {"id": station["id"], "name": station["name"]},
            "partners": _partner_groups(station_id, rows, linkages, shown),
            "active_linkages_by_kind": _kind_counts(linkages),
            "active_linkages": linkages,
            "social_workers": {
                "count": staff.count,
                "certified": staff.certified,
                "full_time_certified": staff.full_time_certified,
                "r3_compliant": staff.r3_compliant,
            },
            "offices": {"count": station["offices"]},
        },
    )
