"""What a provider has left: the one rule candidates, offers, acceptance and allocation share.

A provider's capacity is counted against the *holds* on it: its live offers (proposed and not
expired, or accepted). Which holds count depends on what is given:

- **consumables** – funds and goods – are used up whatever the window: every hold counts, a
  Tuesday acceptance of 60 leaves 220 of 280 for Thursday too;
- **people and places** – volunteers, social workers, teams, organisations' staff, venues – are
  held for a window only: holds in windows that overlap the request's count, others do not;
- **one person** (a volunteer, a social worker) is booked whole: any hold in an overlapping
  window leaves nothing, whatever the unit.

Candidates count every live hold (proposed and accepted) and acceptance only the accepted ones
other than the offer itself, so a quantity a candidate shows left can always be accepted when
nothing else changes (tests/domain/test_capacity_properties.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.errors import Conflict
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import ProviderType

CONSUMABLE = frozenset({ServiceCategory.FUNDS, ServiceCategory.GOODS})
ONE_PERSON = frozenset({ProviderType.VOLUNTEER, ProviderType.SOCIAL_WORKER})


def consumable(category: ServiceCategory) -> bool:
    """Whether what the request asks for is used up (every hold counts, whatever its window)."""
    return category in CONSUMABLE


def hold_counts(category: ServiceCategory, *, overlaps: bool) -> bool:
    """Whether a hold on a provider counts against what it has left for a request."""
    return overlaps or consumable(category)


def left(provider_type: ProviderType, capacity: int | None, held: int) -> int | None:
    """What the provider has left, given what counting holds hold of it; None if unlimited.

    One person is booked whole: anything held in the window leaves nothing."""
    if capacity is None:
        return None
    if provider_type in ONE_PERSON and held > 0:
        return 0
    return max(0, capacity - held)


def fits(provider_type: ProviderType, capacity: int | None, held: int, wanted: int) -> bool:
    """Whether `wanted` more can be promised on top of `held`."""
    remaining = left(provider_type, capacity, held)
    return remaining is None or wanted <= remaining


def check_capacity(
    provider_type: ProviderType, capacity: int | None, held: int, wanted: int
) -> None:
    """409 `provider_capacity_exhausted` when the provider cannot take `wanted` more."""
    if not fits(provider_type, capacity, held, wanted):
        raise Conflict(
            f"the {provider_type} can give {left(provider_type, capacity, held)} more;"
            f" {wanted} is too much",
            code="provider_capacity_exhausted",
            extra={"remaining_quantity": capacity, "held_quantity": held},
        )


def stated(provider_type: ProviderType, unit: QuantityUnit, row: Mapping[str, Any]) -> int | None:
    """What the provider can give at once in the request's unit, from its registry row; None
    if unlimited. The same figures as matching's SQL (service/db/repositories/candidates.py):

    - a volunteer or social worker: one person or one session; hours, their weekly hours;
    - a team: its stated headcount, else its members (people only);
    - an organisation: its stated capacity in that unit (unlimited when it states none);
    - a charity resource: what it has left, in its own unit;
    - a university: unlimited."""
    match provider_type:
        case ProviderType.VOLUNTEER | ProviderType.SOCIAL_WORKER:
            if unit in (QuantityUnit.PEOPLE, QuantityUnit.SESSIONS):
                return 1
            hours = row.get("hours_per_week", row.get("weekly_hours"))
            return (None if hours is None else int(hours)) if unit is QuantityUnit.HOURS else 0
        case ProviderType.VOLUNTEER_TEAM:
            if unit is not QuantityUnit.PEOPLE:
                return 0
            people = row.get("capacity_people")
            return int(people if people is not None else row.get("members") or 0)
        case ProviderType.ORGANISATION:
            if row.get("capacity_amount") is None:
                return None
            return int(row["capacity_amount"]) if row.get("capacity_unit") == unit.value else 0
        case ProviderType.CHARITY_RESOURCE:
            return int(row["remaining_quantity"]) if row.get("unit") == unit.value else 0
        case _:
            return None
