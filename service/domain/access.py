"""Who may do what: machine clients, their scopes and their station binding."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """Permissions a machine client can hold; `admin` implies every other."""

    REGISTRY_READ = "registry:read"
    REGISTRY_WRITE = "registry:write"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"  # post requests, make and manage offers for a station
    OFFERS_RESPOND = "offers:respond"  # a provider accepting or declining its own offers
    ALLOCATION_RUN = "allocation:run"  # batch allocation over a district or the city
    PII_READ = "pii:read"  # unmasked phones and ID numbers, each read audited
    AUDIT = "audit"  # the audit trail of personal-data reads
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated machine client, as the rules see it."""

    client_id: uuid.UUID
    name: str
    scopes: frozenset[Scope]
    station_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None

    def has(self, scope: Scope) -> bool:
        """Whether the client holds the scope, directly or through `admin`."""
        return scope in self.scopes or Scope.ADMIN in self.scopes

    @property
    def is_station_bound(self) -> bool:
        """A station-bound client acts for one station only."""
        return self.station_id is not None

    def speaks_for_organisation(self, organisation_id: uuid.UUID) -> bool:
        """A client bound to an organisation answers that organisation's offers."""
        return self.organisation_id is not None and self.organisation_id == organisation_id

    def may_change_station(self, station_id: uuid.UUID) -> bool:
        """A station-bound client changes only its own station and what belongs to it."""
        return self.station_id is None or self.station_id == station_id
