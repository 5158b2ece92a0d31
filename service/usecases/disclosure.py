"""Purpose-bound personal data: which persons a caller may read, and names as it may see them.

Without `pii:read` every natural person's name is masked (`王*明`); with it, an unbound client
reads everyone and a bound one reads the persons it has a reason to (`Caller.may_read_person`).
Phones and ID numbers are masked in every response but the audited contact endpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.db.reader import Reader
from service.db.repositories.disclosure import readable_persons, served_station, ties_of
from service.domain.access import Caller, PersonFacts, PersonKind, Scope, Steward
from service.domain.identity import mask_name

Person = tuple[PersonKind, uuid.UUID]


@dataclass(frozen=True, slots=True)
class Disclosure:
    """Which of the persons in one response the caller may read."""

    readable: frozenset[Person]

    def reveals(self, kind: PersonKind, person_id: uuid.UUID) -> bool:
        """Whether the caller may read this person."""
        return (kind, person_id) in self.readable

    def name(self, kind: PersonKind, person_id: uuid.UUID, name: str) -> str:
        """The person's name as the caller may see it."""
        return name if self.reveals(kind, person_id) else mask_name(name)

    def contact_name(self, kind: PersonKind, partner_id: uuid.UUID, name: str | None) -> str | None:
        """A partner's contact person's name as the caller may see it."""
        return None if name is None else self.name(kind, partner_id, name)


NOTHING = Disclosure(frozenset())


def facts_of(row: Mapping[str, Any], *, served: bool = False) -> PersonFacts:
    """A person's ties as the rules see them."""
    return PersonFacts(
        station_id=row.get("station_id"),
        employer_organisation_id=row.get("employer_organisation_id"),
        steward=Steward(row.get("steward_station_id"), row.get("steward_organisation_id")),
        offered_to_station=served,
    )


async def disclosure(
    reader: Reader, caller: Caller, persons: Iterable[Person], *, now: datetime
) -> Disclosure:
    """Which of these persons the caller may read: one query for a bound client with
    `pii:read`, none otherwise."""
    wanted = set(persons)
    if not wanted or not caller.has(Scope.PII_READ):
        return NOTHING
    if not caller.is_bound:
        return Disclosure(frozenset(wanted))
    served: set[tuple[str, uuid.UUID]] = set()
    if caller.station_id is not None:
        served = await served_station(reader, caller.station_id, now=now)
    readable: set[Person] = set()
    for kind in {kind for kind, _ in wanted}:
        ids = [person_id for k, person_id in wanted if k is kind]
        for row in await ties_of(reader, kind, ids):
            person_id = uuid.UUID(str(row["id"]))
            facts = facts_of(row, served=(kind.value, person_id) in served)
            if caller.may_read_person(facts):
                readable.add((kind, person_id))
    return Disclosure(frozenset(readable))


async def may_read_person(
    reader: Reader, caller: Caller, kind: PersonKind, person_id: uuid.UUID, *, now: datetime
) -> bool:
    """Whether the caller may read this one person (contacts, searches)."""
    return (await disclosure(reader, caller, [(kind, person_id)], now=now)).reveals(kind, person_id)


def readable_condition(caller: Caller, kind: PersonKind, *, now: datetime) -> Any:
    """SQL narrowing a query of `kind` to the persons a bound caller may read (None: no need)."""
    if not caller.is_bound:
        return None
    return readable_persons(
        kind, station_id=caller.station_id, organisation_id=caller.organisation_id, now=now
    )
