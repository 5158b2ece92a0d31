"""A small seeded city for the report tests: stations in four districts (a county's among them),
their offices, social workers, linkages, supervision sessions, training, requests, offers and
volunteer hours – inserted as rows, and kept as plain Python lists so that each test can work
out the expected figures itself, without the service's SQL."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from service.db.tables import (
    LinkageRecord,
    OfferRecord,
    OfficeRecord,
    OrganisationRecord,
    ResourceRequestRecord,
    ServiceRecordRecord,
    SocialWorkerRecord,
    StationRecord,
    SupervisionSessionRecord,
    TrainingRecordRecord,
    UniversityRecord,
    VolunteerRecord,
)
from service.domain.identity import mask_phone, mask_resident_id
from service.domain.offerings import ServiceCategory, Skill
from service.domain.requests import Urgency
from service.domain.vocabulary import Facility, ManagementSystem, ServiceItemCategory
from service.usecases.common import Services
from tests.factories.partners import resident_id, uscc
from tests.factories.registry import communities_of, divisions, townships

AS_OF = date(2026, 6, 30)
DISTRICTS = ("330102", "330106", "330110", "330122")  # 上城, 西湖, 余杭 (urban), 桐庐县 (rural)
LEVELS = ("none", "assistant", "intermediate", "senior")
STATUSES = ("operating",) * 8 + ("suspended", "building")
REQUEST_STATUSES = ("open", "partially_committed", "committed", "fulfilled", "closed", "cancelled")
SKILLS = [skill.value for skill in Skill][:6]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


@dataclass
class World:
    """The rows seeded, as dicts of the columns the tests read."""

    stations: list[dict[str, Any]] = field(default_factory=list)
    offices: list[dict[str, Any]] = field(default_factory=list)
    workers: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    universities: list[dict[str, Any]] = field(default_factory=list)
    linkages: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    training: list[dict[str, Any]] = field(default_factory=list)
    volunteers: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)

    def station(self, station_id: uuid.UUID) -> dict[str, Any]:
        return next(s for s in self.stations if s["id"] == station_id)


def _stamps() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"version": 1, "created_at": now, "updated_at": now}


def _district_names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in divisions() if row["level"] == "district"}


class Seeder:
    """Builds the world's rows with one seeded generator."""

    def __init__(self, services: Services, seed: int) -> None:
        self.services = services
        self.rng = random.Random(seed)
        self.world = World()

    def stations(self) -> None:
        rng, names = self.rng, _district_names()
        for district in DISTRICTS:
            for township in [t for t in townships() if t["parent_code"] == district][:3]:
                status = rng.choice(STATUSES)
                running = status != "building"
                demonstration = running and rng.random() < 0.4
                self.world.stations.append(
                    {
                        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "township_code": township["code"],
                        "district_code": district,
                        "name": f"杭州市{names[district]}{township['name']}社会工作站",
                        "status": status,
                        "operating_mode": rng.choice(("purchased_service", "township_posts")),
                        "is_demonstration": demonstration,
                        "demonstration_year": rng.choice((2021, 2022, 2024, 2025))
                        if demonstration
                        else None,
                        "facilities": [f.value for f in Facility if rng.random() < 0.85],
                        "management_systems": [
                            s.value for s in ManagementSystem if rng.random() < 0.85
                        ],
                        "specialties": [],
                        "focus_groups": [],
                        "service_items": [
                            {"title": c.label_zh, "category": c.value}
                            for c in ServiceItemCategory
                            if c is not ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS
                            and rng.random() < 0.6
                        ],
                        **_stamps(),
                    }
                )

    def offices(self) -> None:
        for station in self.world.stations:
            for community in communities_of(station["township_code"])[: self.rng.randint(0, 2)]:
                self.world.offices.append(
                    {
                        "id": uuid.uuid4(),
                        "community_code": community["code"],
                        "station_id": station["id"],
                        "district_code": station["district_code"],
                        "name": f"{community['name']}特色社会工作室",
                        "is_demonstration": self.rng.random() < 0.5,
                        **_stamps(),
                    }
                )

    def workers(self) -> None:
        rng = self.rng
        for station in self.world.stations:
            offices = [o for o in self.world.offices if o["station_id"] == station["id"]]
            for _ in range(rng.randint(0, 6)):
                level = rng.choice(LEVELS)
                number = resident_id()
                office = rng.choice([None, *offices]) if offices else None
                self.world.workers.append(
                    {
                        "id": uuid.uuid4(),
                        "name": f"社工{len(self.world.workers):03d}",
                        "id_number_ciphertext": self.services.vault.encrypt(
                            number, field="id_number"
                        ),
                        "id_number_index": self.services.vault.blind_index(
                            number, field="id_number"
                        ),
                        "id_number_masked": mask_resident_id(number),
                        "certificate_level": level,
                        "certificate_number": None
                        if level == "none"
                        else f"ZJ-W{len(self.world.workers):04d}",
                        "employment": rng.choice(("full_time", "full_time", "part_time")),
                        "station_id": station["id"],
                        "office_id": office["id"] if office else None,
                        "supervisor_level": rng.choice(
                            ("none", "none", "none", "municipal", "provincial")
                        ),
                        "status": rng.choice(("active",) * 6 + ("inactive",)),
                        **_stamps(),
                    }
                )

    def partners(self) -> None:
        for n in range(4):
            self.world.organisations.append(
                {
                    "id": uuid.uuid4(),
                    "name": f"社工机构{n}",
                    "uscc": uscc("52"),
                    "registration_category": "52",
                    "kind": "social_work_agency",
                    "is_social_work_agency": True,
                    **_stamps(),
                }
            )
        for n in range(2):
            self.world.universities.append(
                {
                    "id": uuid.uuid4(),
                    "name": f"大学{n}",
                    "uscc": uscc("12"),
                    "offers": ["supervision"],
                    **_stamps(),
                }
            )

    def linkages(self) -> None:
        rng, world = self.rng, self.world
        for station in world.stations:
            for kind, partners, partner_type in (
                ("operating_contract", world.organisations, "organisation"),
                ("supervision", world.universities, "university"),
                ("resource_partner", world.organisations, "organisation"),
            ):
                if rng.random() < 0.75:
                    starts = _day(rng, date(2020, 1, 1), date(2026, 6, 1))
                    ends = rng.choice([None, starts + timedelta(days=rng.randint(300, 2400))])
                    world.linkages.append(
                        self._linkage(
                            station, kind, partner_type, rng.choice(partners)["id"], starts, ends
                        )
                    )
        others = list(world.stations)
        for station in world.stations[::2]:
            partner = rng.choice([s for s in others if s["id"] != station["id"]])
            world.linkages.append(
                self._linkage(station, "pairing", "station", partner["id"], date(2025, 1, 1), None)
            )

    def _linkage(
        self,
        station: dict[str, Any],
        kind: str,
        partner_type: str,
        partner_id: uuid.UUID,
        starts: date,
        ends: date | None,
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "station_id": station["id"],
            "kind": kind,
            "partner_type": partner_type,
            "partner_id": partner_id,
            "starts_on": starts,
            "ends_on": ends,
            "status": self.rng.choice(("active",) * 5 + ("suspended", "ended")),
            **_stamps(),
        }

    def records_of_r10_r11(self) -> None:
        rng, world = self.rng, self.world
        for station in world.stations:
            for _ in range(rng.randint(0, 3)):
                world.sessions.append(
                    {
                        "id": uuid.uuid4(),
                        "station_id": station["id"],
                        "supervisor_type": "university",
                        "supervisor_id": world.universities[0]["id"],
                        "held_on": _day(rng, date(2025, 12, 1), date(2026, 7, 31)),
                        "duration_minutes": 90,
                        "form": "group",
                        "topics": ["督导"],
                        "attendees": [],
                        "summary": "记录",
                        "status": rng.choice(("recorded", "recorded", "withdrawn")),
                        "recorded_by_client_id": uuid.uuid4(),
                        **_stamps(),
                    }
                )
        for worker in world.workers:
            for n in range(rng.randint(0, 4)):
                world.training.append(
                    {
                        "id": uuid.uuid4(),
                        "social_worker_id": worker["id"],
                        "kind": "continuing_education",
                        "course_title": f"课程{n}",
                        "completed_on": _day(rng, date(2025, 5, 1), date(2026, 8, 31)),
                        "hours": rng.choice((8, 12, 16, 24, 32, 40)),
                        "batch_id": uuid.uuid4(),
                        "status": rng.choice(("recorded",) * 5 + ("voided",)),
                        "recorded_by_client_id": uuid.uuid4(),
                        **_stamps(),
                    }
                )

    def activity(self) -> None:
        rng, world = self.rng, self.world
        for n in range(25):
            phone = f"139{n:08d}"
            world.volunteers.append(
                {
                    "id": uuid.uuid4(),
                    "name": f"志愿者{n}",
                    "phone_ciphertext": self.services.vault.encrypt(phone, field="phone"),
                    "phone_masked": mask_phone(phone),
                    **_stamps(),
                }
            )
        for station in world.stations:
            for _ in range(rng.randint(0, 6)):
                created = datetime(2025, 6, 1, tzinfo=UTC) + timedelta(
                    minutes=rng.randint(0, 60 * 24 * 420)
                )
                request = {
                    "id": uuid.uuid4(),
                    "station_id": station["id"],
                    "district_code": station["district_code"],
                    "division_code": station["township_code"],
                    "title": f"需求{len(world.requests)}",
                    "category": rng.choice([c.value for c in ServiceCategory][:4]),
                    "required_skills": rng.sample(SKILLS, rng.randint(0, 2)),
                    "target_groups": [],
                    "quantity": 3,
                    "unit": "people",
                    "starts_at": created + timedelta(days=3),
                    "ends_at": created + timedelta(days=3, hours=3),
                    "urgency": rng.choice([u.value for u in Urgency]),
                    "status": rng.choice(REQUEST_STATUSES),
                    **_stamps(),
                    "created_at": created,
                }
                world.requests.append(request)
                for _ in range(rng.randint(0, 3)):
                    self._offer(request)

    def _offer(self, request: dict[str, Any]) -> None:
        rng, world = self.rng, self.world
        status = rng.choice(
            ("proposed", "accepted", "completed", "completed", "declined", "withdrawn")
        )
        responded = None
        if status != "proposed":
            responded = request["created_at"] + timedelta(minutes=rng.randint(10, 60 * 24 * 5))
        volunteer = rng.choice(world.volunteers)
        offer = {
            "id": uuid.uuid4(),
            "request_id": request["id"],
            "station_id": request["station_id"],
            "provider_type": "volunteer",
            "provider_id": volunteer["id"],
            "quantity": 1,
            "status": status,
            "starts_at": request["starts_at"],
            "ends_at": request["ends_at"],
            "expires_at": request["starts_at"],
            "explanation": [],
            "responded_at": responded,
            "responded_on_behalf": False,
            **_stamps(),
        }
        world.offers.append(offer)
        if status == "completed":
            for served in rng.sample(world.volunteers, rng.randint(1, 2)):
                world.records.append(
                    {
                        "id": uuid.uuid4(),
                        "volunteer_id": served["id"],
                        "offer_id": offer["id"],
                        "organisation_name": "站点",
                        "project": request["title"],
                        "service_date": _day(rng, date(2025, 6, 1), date(2026, 8, 31)),
                        "hours": rng.choice((1.5, 2.0, 3.0, 4.25)),
                        "content": "服务",
                        "recorder": "站点",
                        "created_at": datetime.now(UTC),
                    }
                )

    async def insert(self) -> World:
        world = self.world
        batches = [
            (StationRecord, world.stations),
            (OfficeRecord, world.offices),
            (OrganisationRecord, world.organisations),
            (UniversityRecord, world.universities),
            (SocialWorkerRecord, world.workers),
            (LinkageRecord, world.linkages),
            (SupervisionSessionRecord, world.sessions),
            (TrainingRecordRecord, world.training),
            (VolunteerRecord, world.volunteers),
            (ResourceRequestRecord, world.requests),
            (OfferRecord, world.offers),
            (ServiceRecordRecord, world.records),
        ]
        async with self.services.database.session() as session:
            for model, rows in batches:  # the table classes fill in their defaults
                session.add_all(model(**row) for row in rows)
                await session.flush()
            await session.commit()
        return world


async def seed_world(services: Services, seed: int = 20261203) -> World:
    """Seed the city and return what was seeded."""
    seeder = Seeder(services, seed)
    seeder.stations()
    seeder.offices()
    seeder.workers()
    seeder.partners()
    seeder.linkages()
    seeder.records_of_r10_r11()
    seeder.activity()
    return await seeder.insert()
