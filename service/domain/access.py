"""Who may do what: machine clients, their scopes, and the binding that narrows every scope.

A client holds scopes and at most one binding. Unbound clients act for the bureau, city-wide.
A station-bound client acts for one station: it changes that station, its offices, its requests
and their offers, its social workers, linkages where it is the station, and the partner records it
stewards. An organisation-bound client changes its own organisation's record, the teams it leads,
its charity resources and the partner records it stewards, and answers its own offers.

Personal data is purpose-bound: a natural person's name, phone and ID number are shown only to a
client with `pii:read` that has a reason to read that person (`may_read_person`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from service.domain.errors import Forbidden


class Scope(StrEnum):
    """Permissions a machine client can hold; `admin` implies all but `pii:read` and `audit`."""

    REGISTRY_READ = "registry:read"
    REGISTRY_WRITE = "registry:write"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"  # post requests, make and manage offers for a station
    OFFERS_RESPOND = "offers:respond"  # a provider accepting or declining its own offers
    ALLOCATION_RUN = "allocation:run"  # batch allocation over a district or the city
    PII_READ = "pii:read"  # unmasked names, phones and ID numbers, each disclosure audited
    AUDIT = "audit"  # the audit trail of personal-data disclosures and searches
    EVENTS_READ = "events:read"  # the change feed (GET /v1/events), narrowed by the binding
    WEBHOOKS_MANAGE = "webhooks:manage"  # webhook subscriptions of the client's binding
    ADMIN = "admin"


# Separation of duties (GB/T 22239-2019, level 3): the administrator implies neither reading
# personal data nor auditing it, and whoever reads personal data is not the one who audits it.
NOT_IMPLIED_BY_ADMIN = frozenset({Scope.PII_READ, Scope.AUDIT})
EXCLUSIVE_SCOPES: tuple[frozenset[Scope], ...] = (
    frozenset({Scope.PII_READ, Scope.AUDIT}),
    frozenset({Scope.ADMIN, Scope.AUDIT}),
)


def separation_of_duties_problem(scopes: Iterable[Scope]) -> str | None:
    """Why one client may not hold these scopes together, or None when it may."""
    held = frozenset(scopes)
    for pair in EXCLUSIVE_SCOPES:
        if pair <= held:
            first, second = sorted(pair)
            return (
                f"one client may not hold both {first.value!r} and {second.value!r}"
                " (separation of duties): issue two clients"
            )
    return None


class BindingKind(StrEnum):
    """For whom a client acts."""

    NONE = "none"  # the bureau, city-wide
    STATION = "station"
    ORGANISATION = "organisation"


@dataclass(frozen=True, slots=True)
class Steward:
    """Who keeps a partner record: a station, an organisation, or nobody (the bureau)."""

    station_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None


BUREAU = Steward()


class PersonKind(StrEnum):
    """Whose personal data a record holds: a natural person, or a partner's contact person."""

    SOCIAL_WORKER = "social_worker"
    VOLUNTEER = "volunteer"
    ORGANISATION_CONTACT = "organisation"
    UNIVERSITY_CONTACT = "university"

    @classmethod
    def natural(cls) -> tuple[PersonKind, ...]:
        """The registries of natural persons (who can be offered a request themselves)."""
        return (cls.SOCIAL_WORKER, cls.VOLUNTEER)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules need to know about a natural person to decide who may read them."""

    station_id: uuid.UUID | None = None  # where a social worker serves
    employer_organisation_id: uuid.UUID | None = None
    steward: Steward = BUREAU
    offered_to_station: bool = False  # a live, accepted or completed offer on the caller's requests


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated machine client, as the rules see it."""

    client_id: uuid.UUID
    name: str
    scopes: frozenset[Scope]
    station_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None

    def has(self, scope: Scope) -> bool:
        """Whether the client holds the scope, directly or through `admin` (which implies every
        scope but `pii:read` and `audit`)."""
        return scope in self.scopes or (
            Scope.ADMIN in self.scopes and scope not in NOT_IMPLIED_BY_ADMIN
        )

    @property
    def binding(self) -> BindingKind:
        """For whom the client acts."""
        if self.station_id is not None:
            return BindingKind.STATION
        if self.organisation_id is not None:
            return BindingKind.ORGANISATION
        return BindingKind.NONE

    @property
    def is_station_bound(self) -> bool:
        """A station-bound client acts for one station only."""
        return self.station_id is not None

    @property
    def is_bound(self) -> bool:
        """Whether a binding narrows what the client may do."""
        return self.binding is not BindingKind.NONE

    def steward(self) -> Steward:
        """The steward of a partner record this client registers."""
        return Steward(station_id=self.station_id, organisation_id=self.organisation_id)

    def speaks_for_organisation(self, organisation_id: uuid.UUID) -> bool:
        """A client bound to an organisation answers that organisation's offers."""
        return self.organisation_id is not None and self.organisation_id == organisation_id

    def may_change_station(self, station_id: uuid.UUID) -> bool:
        """Stations, offices, requests and offers: the bureau's clients, or the station's own."""
        if self.binding is BindingKind.NONE:
            return True
        return self.station_id == station_id

    def may_change_partner(
        self, steward: Steward, *, organisation_id: uuid.UUID | None = None
    ) -> bool:
        """A partner record: the bureau's clients, its steward's, or (for an organisation's own
        record, teams it leads and resources it offers) the organisation's."""
        match self.binding:
            case BindingKind.NONE:
                return True
            case BindingKind.STATION:
                return steward.station_id == self.station_id
            case BindingKind.ORGANISATION:
                return self.organisation_id in (steward.organisation_id, organisation_id)

    def may_read_person(self, person: PersonFacts) -> bool:
        """Unmasked personal data (names included): `pii:read` and a reason to read this person."""
        if not self.has(Scope.PII_READ):
            return False
        match self.binding:
            case BindingKind.NONE:
                return True
            case BindingKind.STATION:
                return (
                    person.offered_to_station
                    or person.station_id == self.station_id
                    or person.steward.station_id == self.station_id
                )
            case BindingKind.ORGANISATION:
                return self.organisation_id in (
                    person.steward.organisation_id,
                    person.employer_organisation_id,
                )

    def may_allocate(self) -> bool:
        """Batch allocation spans stations: only the bureau's clients run or apply it."""
        return self.binding is BindingKind.NONE


def outside_binding(caller: Caller, what: str) -> Forbidden:
    """The 403 of a change the caller's binding does not cover, naming the binding:
    `outside_station_binding` or `outside_organisation_binding`."""
    bound_to = caller.station_id or caller.organisation_id
    return Forbidden(
        f"this client is bound to {caller.binding.value} {bound_to} and may not change {what}",
        code=f"outside_{caller.binding.value}_binding",
        extra={"binding": caller.binding.value, "bound_to": str(bound_to)},
    )


def check_may_change_station(caller: Caller, station_id: uuid.UUID, what: str) -> None:
    """Raise 403 unless the caller may change what belongs to this station."""
    if not caller.may_change_station(station_id):
        raise outside_binding(caller, what)


def check_may_change_partner(
    caller: Caller, steward: Steward, what: str, *, organisation_id: uuid.UUID | None = None
) -> None:
    """Raise 403 unless the caller may change this partner record."""
    if not caller.may_change_partner(steward, organisation_id=organisation_id):
        raise outside_binding(caller, what)


def check_unbound(caller: Caller, what: str) -> None:
    """Raise 403 for a bound client: this is the bureau's to do."""
    if caller.is_bound:
        raise outside_binding(caller, what)


def check_may_search_names(caller: Caller) -> None:
    """Finding persons by name is reading names: it needs `pii:read`."""
    if not caller.has(Scope.PII_READ):
        raise Forbidden(
            "searching persons by name (`q`) reads their names: it needs the scope 'pii:read'",
            code="insufficient_scope",
            extra={"required_scope": Scope.PII_READ.value},
        )
