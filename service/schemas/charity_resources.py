"""Bodies of /v1/charity-resources."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from service.domain.offerings import QuantityUnit, TargetGroup
from service.domain.partners import CharityResourceKind, PartnerStatus, distinct
from service.domain.resources import UNITS_BY_KIND, ResourceAvailability, resource_availability
from service.schemas.common import (
    STEWARD_DESCRIPTION,
    Input,
    Name,
    Output,
    Page,
    ServiceArea,
    StewardRead,
    fold_steward,
)
from service.schemas.encoding import View
from service.schemas.stations import absent
from service.schemas.volunteers import Day

# Several lines of text: line breaks and tabs, but no other control character (NUL included).
_TEXT_CHARACTER = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
MULTI_LINE = rf"^{_TEXT_CHARACTER}*[^\s\x00-\x1f\x7f]{_TEXT_CHARACTER}*$"

Quantity = Annotated[int, Field(ge=0, le=10**12, description="Whole units, never negative.")]
TargetGroups = Annotated[list[TargetGroup], Field(max_length=16), AfterValidator(distinct)]
Restrictions = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1000, pattern=MULTI_LINE),
    Field(description="Conditions of use, as free text."),
]
_UNITS = "; ".join(
    f"{kind.value}: {', '.join(unit.value for unit in units)}"
    for kind, units in UNITS_BY_KIND.items()
)
Unit = Annotated[QuantityUnit, Field(description=f"The unit the kind is counted in ({_UNITS}).")]


class CharityResourceFields(Input):
    """What a charity resource's record says, apart from who offers it."""

    title: Name
    kind: CharityResourceKind
    total_quantity: Quantity
    unit: Unit
    valid_from: Day | None = Field(default=None, description="First day it can be drawn on.")
    valid_until: Day | None = Field(
        default=None, description="Last day it can be drawn on; on or after `valid_from`."
    )
    target_groups: TargetGroups = Field(default_factory=list)
    service_area: ServiceArea = Field(default_factory=list)
    restrictions: Restrictions | None = None
    status: PartnerStatus = PartnerStatus.ACTIVE


class CharityResourceCreate(CharityResourceFields):
    """Funds, goods, a venue or a project a registered organisation offers (社会慈善资源)."""

    organisation_id: uuid.UUID = Field(description="The offering organisation; it must exist.")
    remaining_quantity: Quantity | None = Field(
        default=None, description="What is left, at most the total; defaults to the total."
    )


class CharityResourceUpdate(Input):
    """A partial update; `null` clears the validity dates and the restrictions. The offering
    organisation does not change."""

    title: Name = absent()
    kind: CharityResourceKind = absent()
    total_quantity: Quantity = absent()
    remaining_quantity: Quantity = absent()
    unit: Unit = absent()
    valid_from: Day | None = None
    valid_until: Day | None = None
    target_groups: TargetGroups = absent()
    service_area: ServiceArea = absent()
    restrictions: Restrictions | None = None
    status: PartnerStatus = absent()


class CharityResourceRead(Output):
    """A charity resource and whether it can be drawn on today."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    title: str
    kind: CharityResourceKind
    total_quantity: int
    remaining_quantity: int
    unit: QuantityUnit
    valid_from: date | None
    valid_until: date | None
    target_groups: list[TargetGroup]
    service_area: list[str]
    restrictions: str | None
    steward: StewardRead | None = Field(description=STEWARD_DESCRIPTION)
    status: PartnerStatus
    availability: ResourceAvailability = Field(
        description="Derived as of today: `withdrawn` when not active, then `expired` or"
        " `not_yet_valid` by the validity window, then `exhausted` when nothing remains."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class CharityResourcePage(Page[CharityResourceRead]):
    """A page of charity resources."""


def charity_resource_view(row: Mapping[str, Any], *, today: date) -> View[CharityResourceRead]:
    """A stored charity resource as the API shows it, its availability as of `today`."""
    values = fold_steward(dict(row))
    values["availability"] = resource_availability(
        status=PartnerStatus(values["status"]),
        remaining=values["remaining_quantity"],
        valid_from=values["valid_from"],
        valid_until=values["valid_until"],
        today=today,
    )
    return View(CharityResourceRead, values)


def charity_resource_read(row: Mapping[str, Any], *, today: date) -> CharityResourceRead:
    """A stored charity resource as its validated response model."""
    return charity_resource_view(row, today=today).validated()
