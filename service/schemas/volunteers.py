"""Bodies of /v1/volunteers and /v1/volunteer-teams."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from service.domain.offerings import Skill
from service.domain.partners import PartnerStatus, TeamRole
from service.schemas.common import (
    PERSON_NAME_DESCRIPTION,
    SINGLE_LINE,
    STEWARD_DESCRIPTION,
    CalendarDate,
    Input,
    Location,
    LocationIn,
    Name,
    Output,
    Page,
    PersonName,
    ServiceArea,
    StewardRead,
    fold_steward,
    shown_name,
)
from service.schemas.encoding import View
from service.schemas.partners import Skills
from service.schemas.stations import absent

Day = CalendarDate
ResidentId = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{16}[0-9Xx]$", to_upper=True),
    Field(
        description="18-character resident identity number (GB 11643): the birth date and the"
        " MOD 11-2 check character (`X` may be sent lower-case) are verified. Shown masked"
        " (`330106********1234`)."
    ),
]
MobilePhone = Annotated[
    str,
    StringConstraints(pattern=r"^1[3-9][0-9]{9}$"),
    Field(description="Mainland mobile number (11 digits); shown masked (`139****5678`)."),
]
ClockTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="Local time, `HH:MM` (00:00–23:59).", examples=["09:00"]),
]
Note = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE)]
HoursPerWeek = Annotated[int, Field(ge=0, le=168, description="Hours a week they offer.")]
CapacityPeople = Annotated[
    int, Field(ge=0, le=1_000_000, description="How many people the team can send at once.")
]


class WeeklyWindowIn(Input):
    """A recurring slot: ISO weekday (1 Monday … 7 Sunday) from `start` to `end`, local time."""

    weekday: int = Field(ge=1, le=7)
    start: ClockTime
    end: ClockTime = Field(description="After `start`, the same day.")


class DateExceptionIn(Input):
    """A date on which the weekly pattern does not hold."""

    date: Day
    available: bool = Field(description="Available that day although not usually, or not.")
    note: Note | None = None


class AvailabilityIn(Input):
    """When a volunteer can serve: a weekly pattern and the dates that differ from it."""

    weekly: list[WeeklyWindowIn] = Field(default_factory=list, max_length=28)
    exceptions: list[DateExceptionIn] = Field(default_factory=list, max_length=366)


class WeeklyWindow(Output):
    """A recurring slot, ISO weekday and local times."""

    weekday: int
    start: str
    end: str


class DateException(Output):
    """A date on which the weekly pattern does not hold."""

    date: dt.date = Field(examples=["2026-03-01"])  # stored as validated: no re-validation
    available: bool
    note: str | None = None


class Availability(Output):
    """A weekly pattern (by weekday, then start) and its exceptions (by date)."""

    weekly: list[WeeklyWindow]
    exceptions: list[DateException]


HomeLocation = Annotated[
    LocationIn | None,
    Field(
        description="Approximate home, inside Hangzhou: stored rounded to 0.01° (about 1 km),"
        " so the exact address is never kept. `null` clears it."
    ),
]


class VolunteerFields(Input):
    """What a volunteer's record says, apart from who they are."""

    skills: Skills = Field(default_factory=list)
    service_area: ServiceArea = Field(default_factory=list)
    home_location: HomeLocation = None
    availability: AvailabilityIn = Field(
        default_factory=AvailabilityIn,
        description="When they can serve. An active volunteer needs at least one weekly slot or"
        " a date on which they are available: matching offers a volunteer only work inside"
        " their availability, so one without is refused (422 `availability_required`) rather"
        " than never matched. An inactive volunteer needs none.",
    )
    hours_per_week: HoursPerWeek = 0
    status: PartnerStatus = PartnerStatus.ACTIVE


class VolunteerCreate(VolunteerFields):
    """A new community volunteer (社区志愿者)."""

    name: PersonName
    phone: MobilePhone
    id_number: ResidentId | None = Field(
        default=None, description="Optional; a second volunteer with the same number is 409."
    )


class VolunteerUpdate(Input):
    """A partial update (merge-patch): only the fields sent change; `null` clears the optional
    ones (ID number, home location)."""

    name: PersonName = absent()
    phone: MobilePhone = absent()
    id_number: ResidentId | None = None
    skills: Skills = absent()
    service_area: ServiceArea = absent()
    home_location: HomeLocation = None
    availability: AvailabilityIn = absent()
    hours_per_week: HoursPerWeek = absent()
    status: PartnerStatus = absent()


class VolunteerRead(Output):
    """A community volunteer, personal data masked."""

    id: uuid.UUID
    name: str = Field(description=PERSON_NAME_DESCRIPTION)
    phone: str = Field(description="Masked; see GET /v1/volunteers/{id}/contact.")
    id_number: str | None = Field(description="Masked, or null when none was given.")
    skills: list[Skill]
    service_area: list[str]
    home_location: Location | None = Field(description="Approximate (0.01°, about 1 km).")
    availability: Availability
    hours_per_week: int
    steward: StewardRead | None = Field(description=STEWARD_DESCRIPTION)
    status: PartnerStatus
    version: int
    created_at: datetime
    updated_at: datetime


class VolunteerPage(Page[VolunteerRead]):
    """A page of volunteers."""


class VolunteerSearch(Input):
    """An exact lookup by resident ID number, sent in the body so it never appears in a URL."""

    id_number: ResidentId


class VolunteerMatches(Output):
    """The volunteers an exact lookup found: none or one."""

    items: list[VolunteerRead]


class VolunteerContact(Output):
    """A volunteer's unmasked contact details; every read is written to the audit trail."""

    id: uuid.UUID
    name: str
    phone: str
    id_number: str | None


class VolunteerTeamFields(Input):
    """What a volunteer team's record says."""

    leading_organisation_id: uuid.UUID | None = Field(
        default=None, description="The organisation that leads the team; it must be registered."
    )
    skills: Skills = Field(default_factory=list)
    service_area: ServiceArea = Field(default_factory=list)
    capacity_people: CapacityPeople | None = None
    status: PartnerStatus = PartnerStatus.ACTIVE


class VolunteerTeamCreate(VolunteerTeamFields):
    """A new volunteer team (志愿服务队)."""

    name: Name


class VolunteerTeamUpdate(Input):
    """A partial update; `null` clears the leading organisation and the capacity."""

    name: Name = absent()
    leading_organisation_id: uuid.UUID | None = None
    skills: Skills = absent()
    service_area: ServiceArea = absent()
    capacity_people: CapacityPeople | None = None
    status: PartnerStatus = absent()


class VolunteerTeamRead(Output):
    """A volunteer team; its version also counts changes of its members."""

    id: uuid.UUID
    name: str
    leading_organisation_id: uuid.UUID | None
    skills: list[Skill]
    service_area: list[str]
    capacity_people: int | None
    steward: StewardRead | None = Field(description=STEWARD_DESCRIPTION)
    status: PartnerStatus
    version: int
    created_at: datetime
    updated_at: datetime


class VolunteerTeamPage(Page[VolunteerTeamRead]):
    """A page of volunteer teams."""


class TeamMembershipIn(Input):
    """A volunteer's place in a team; a team has one leader at most."""

    role: TeamRole


class TeamMemberRead(Output):
    """A member of a team: the volunteer's masked record, role and the day they joined."""

    volunteer: VolunteerRead
    role: TeamRole
    joined_on: date


class TeamMemberPage(Page[TeamMemberRead]):
    """A page of a team's members, in the order they joined."""


def volunteer_view(row: Mapping[str, Any], *, reveal: bool = False) -> View[VolunteerRead]:
    """A stored volunteer as the API shows it: masked copies only, nothing decrypted; the name
    in clear only when the caller may read the person (`reveal`)."""
    values = fold_steward(dict(row))
    values["name"] = shown_name(values["name"], reveal=reveal)
    lat, lon = values.pop("home_lat", None), values.pop("home_lon", None)
    values["home_location"] = None if lat is None or lon is None else {"lat": lat, "lon": lon}
    values["phone"] = values.pop("phone_masked")
    values["id_number"] = values.pop("id_number_masked", None)
    values["availability"] = {
        "weekly": values.pop("weekly_availability"),
        "exceptions": values.pop("availability_exceptions"),
    }
    for sealed in ("phone_ciphertext", "id_number_ciphertext", "id_number_index"):
        values.pop(sealed, None)
    return View(VolunteerRead, values)


def volunteer_read(row: Mapping[str, Any], *, reveal: bool = False) -> VolunteerRead:
    """A stored volunteer as its validated response model (see `volunteer_view`)."""
    return volunteer_view(row, reveal=reveal).validated()


def team_view(row: Mapping[str, Any]) -> View[VolunteerTeamRead]:
    """A stored volunteer team as the API shows it."""
    return View(VolunteerTeamRead, fold_steward(dict(row)))


def team_read(row: Mapping[str, Any]) -> VolunteerTeamRead:
    """A stored volunteer team as its validated response model."""
    return team_view(row).validated()


def team_member_view(row: Mapping[str, Any], *, reveal: bool = False) -> View[TeamMemberRead]:
    """A member row (the volunteer's columns with `role` and `joined_on`) as the API shows it."""
    values = dict(row)
    role, joined_on = values.pop("role"), values.pop("joined_on")
    volunteer = volunteer_view(values, reveal=reveal).values
    return View(TeamMemberRead, {"volunteer": volunteer, "role": role, "joined_on": joined_on})
