"""Property: matching passes exactly the providers that pass every hard filter.

Hypothesis draws a handful of volunteers, each passing or failing each filter its own way (status,
area by service area or by distance – a point inside the radius's bounding box but beyond the
radius among them –, slots that cover the window whole, in part or together, a date exception
either way, the required skill, an overlapping booking), and a plain-Python oracle says which
of them may serve. The explained search and the lean one batch
allocation runs use must both return exactly those: a provider that fails a filter never appears,
and none that passes is lost; asked about one at a time (an offer to named providers), each
is eligible exactly when the oracle says so.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from service.db.tables import OfferRecord, ResourceRequestRecord, VolunteerRecord
from service.domain.access import Caller, Scope
from service.domain.requests import ProviderType
from service.usecases.matching import load_request, search
from tests.factories.registry import BEISHAN, create_station
from tests.factories.volunteers import create_volunteer

VOLUNTEER = ProviderType.VOLUNTEER
COMMUNITY = "330106002051"  # 北山街道 上保社区
HERE = {"lat": 30.2634, "lon": 120.1371}  # the request's place
FAR = {"lat": 30.05, "lon": 119.96}  # 富阳: some 30 km away
# Saturday 5 December 2026, 09:30–11:30 in Hangzhou
STARTS, ENDS = datetime(2026, 12, 5, 1, 30, tzinfo=UTC), datetime(2026, 12, 5, 3, 30, tzinfo=UTC)

SLOTS = {  # a weekly slot, and the minutes of the window (09:30–11:30 Saturday) it covers
    "saturday_morning": ({"weekday": 6, "start": "09:00", "end": "12:00"}, range(570, 690)),
    "saturday_afternoon": ({"weekday": 6, "start": "14:00", "end": "17:00"}, range(0)),
    "tuesday_morning": ({"weekday": 2, "start": "09:00", "end": "12:00"}, range(0)),
    "saturday_early": ({"weekday": 6, "start": "08:00", "end": "10:30"}, range(570, 630)),
    "saturday_late": ({"weekday": 6, "start": "10:30", "end": "11:30"}, range(630, 690)),
}
WINDOW_MINUTES = set(range(570, 690))
EXCEPTIONS = {  # a date exception for the request's Saturday, and what it makes of that day
    "none": (None, None),
    "off": ({"date": "2026-12-05", "available": False}, False),
    "on": ({"date": "2026-12-05", "available": True}, True),
    "other_day": ({"date": "2026-12-06", "available": True}, None),
}
SKILLS = {"home_visits": (["home_visits", "driving"], True), "driving": (["driving"], False)}
AREAS = {  # service area, and whether it covers the request's community
    "township": (["330106002"], True),
    "district": (["330106"], True),
    "city": (["3301"], True),
    "other_district": (["330102"], False),
}
CORNER = {"lat": 30.29, "lon": 120.16}  # inside the 3 km radius's box, 3.7 km away


def law_of_cosines_km(a: dict, b: dict) -> float:
    """Great-circle distance by the spherical law of cosines (not the service's haversine)."""
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl = math.radians(b["lon"] - a["lon"])
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(min(1.0, cosine))


PLACES = {  # a home, and whether it lies within the radius (3 km) of the request's place
    "here": (HERE, True),
    "far": (FAR, False),
    "corner": (CORNER, law_of_cosines_km(HERE, CORNER) <= 3.0),
    "unknown": (None, False),
}


@dataclasses.dataclass(frozen=True)
class Profile:
    active: bool
    area: str
    place: str
    slots: tuple[str, ...]
    booked: bool
    exception: str = "none"
    skills: str = "home_visits"

    def may_serve(self) -> bool:
        """The oracle: every hard filter, written out plainly."""
        in_area = AREAS[self.area][1] or PLACES[self.place][1]
        covered = set().union(*(SLOTS[slot][1] for slot in self.slots)) >= WINDOW_MINUTES
        decided = EXCEPTIONS[self.exception][1]
        available = covered if decided is None else decided
        skilled = SKILLS[self.skills][1]
        return self.active and in_area and available and skilled and not self.booked


def apart(slots: list[str]) -> bool:
    """A volunteer's slots never overlap (the registry refuses them): the whole morning does
    not go with its early or late part."""
    return "saturday_morning" not in slots or not {"saturday_early", "saturday_late"} & set(slots)


profiles = st.builds(
    Profile,
    active=st.booleans(),
    area=st.sampled_from(sorted(AREAS)),
    place=st.sampled_from(sorted(PLACES)),
    slots=st.lists(st.sampled_from(sorted(SLOTS)), min_size=1, max_size=2, unique=True)
    .filter(apart)
    .map(tuple),
    booked=st.booleans(),
    exception=st.sampled_from(sorted(EXCEPTIONS)),
    skills=st.sampled_from(sorted(SKILLS)),
)


async def add_request(services, station_id: uuid.UUID, **values) -> uuid.UUID:
    defaults = {
        "id": uuid.uuid4(),
        "station_id": station_id,
        "district_code": "330106",
        "division_code": COMMUNITY,
        "title": "独居老人上门探访",
        "category": "volunteer_service",
        "required_skills": ["home_visits"],
        "target_groups": ["elderly"],
        "quantity": 3,
        "unit": "people",
        "lat": HERE["lat"],
        "lon": HERE["lon"],
        "starts_at": STARTS,
        "ends_at": ENDS,
        "urgency": "normal",
        "status": "open",
        "created_at": services.clock(),
        "updated_at": services.clock(),
    }
    record = ResourceRequestRecord(**(defaults | values))
    async with services.database.session() as session:
        session.add(record)
        await session.commit()
    return record.id


async def book(services, volunteer_id: str, request_id: uuid.UUID, station_id: uuid.UUID):
    async with services.database.session() as session:
        session.add(
            OfferRecord(
                request_id=request_id,
                station_id=station_id,
                provider_type="volunteer",
                provider_id=uuid.UUID(volunteer_id),
                quantity=1,
                status="accepted",
                starts_at=STARTS + timedelta(minutes=30),  # overlaps the request's window
                ends_at=ENDS + timedelta(hours=1),
                expires_at=STARTS,
                created_at=services.clock(),
                updated_at=services.clock(),
            )
        )
        await session.commit()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(profiles, min_size=1, max_size=6))
async def test_exactly_the_providers_that_pass_every_hard_filter_are_candidates(
    admin, services, drawn
):
    async with services.database.session() as session:  # each example starts afresh
        await session.execute(delete(OfferRecord))
        await session.execute(delete(ResourceRequestRecord))
        await session.execute(delete(VolunteerRecord))
        await session.commit()
    station = (await admin.get("/v1/stations", params={"township_code": BEISHAN})).json()["items"]
    station_id = uuid.UUID((station[0] if station else await create_station(admin))["id"])
    other_request = await add_request(services, station_id, title="另一场")
    request_id = await add_request(services, station_id)

    expected, everyone = set(), []
    for n, profile in enumerate(drawn):
        volunteer = await create_volunteer(
            admin,
            name=f"志愿者{n}",
            status="active" if profile.active else "inactive",
            service_area=AREAS[profile.area][0],
            home_location=PLACES[profile.place][0],
            availability={
                "weekly": [SLOTS[s][0] for s in profile.slots],
                "exceptions": [e] if (e := EXCEPTIONS[profile.exception][0]) else [],
            },
            skills=SKILLS[profile.skills][0],
        )
        if profile.booked:
            await book(services, volunteer["id"], other_request, station_id)
        everyone.append(uuid.UUID(volunteer["id"]))
        if profile.may_serve():
            expected.add(everyone[-1])

    caller = Caller(client_id=admin.client_id, name="admin", scopes=frozenset({Scope.ADMIN}))
    async with services.database.read() as reader:
        row = await load_request(reader, request_id, caller)
        explained = await search(reader, services, row, limit=20)
        lean = await search(reader, services, row, limit=20, counted=False)
        named = {  # offers to named providers ask about one at a time
            volunteer
            for volunteer in everyone
            if (
                await search(reader, services, row, limit=1, only=(VOLUNTEER, volunteer))
            ).candidates
        }

    for found in (explained, lean):
        assert {c.provider_id for c in found.candidates if c.provider_type == "volunteer"} == (
            expected
        ), drawn
    assert named == expected, drawn
    removed = sum(
        count.removed
        for count in explained.removed
        if count.provider_type == "volunteer" and count.filter.value != "kind"
    )
    assert removed == len(drawn) - len(expected)  # every one left out is accounted for
