"""The reports benchmark's records: supervision sessions, training, and two years of requests,
offers and volunteer service records (the hours ledger)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from typing import Any

from city import NOW, CitySeeder, day_within
from matching import new_id

BACKFILL = """
INSERT INTO volunteer_hours (request_id, service_date, station_id, hours, records)
SELECT offer.request_id, service_record.service_date, offer.station_id,
       sum(service_record.hours), count(*)
  FROM service_record JOIN offer ON offer.id = service_record.offer_id
 GROUP BY offer.request_id, service_record.service_date, offer.station_id
"""


class RecordsSeeder(CitySeeder):
    """The city, with what happened in it."""

    async def sessions_and_training(
        self,
        stations: list[dict[str, Any]],
        workers: list[tuple[uuid.UUID, str]],
        universities: list[uuid.UUID],
        training: int,
    ) -> None:
        """Supervision sessions and training records over two years."""
        sessions = []
        for station in stations:
            for _ in range(random.randint(0, 12)):
                sessions.append(
                    (
                        new_id(),
                        station["id"],
                        "university",
                        random.choice(universities),
                        day_within(450),
                        90,
                        "group",
                        '["个案督导"]',
                        "[]",
                        "督导记录",
                        "recorded",
                        uuid.uuid4(),
                        1,
                        NOW,
                        NOW,
                    )
                )
        await self.copy(
            "supervision_session",
            (
                "id station_id supervisor_type supervisor_id held_on duration_minutes "
                "form topics attendees summary status recorded_by_client_id version "
                "created_at updated_at"
            ).split(),
            sessions,
        )
        kinds = ("pre_job", "supervision", "continuing_education", "practice", "policy")
        rows = []
        for n in range(training):
            worker, _ = random.choice(workers)
            rows.append(
                (
                    new_id(),
                    worker,
                    random.choice(kinds),
                    f"课程{n % 997:03d}-{n}",
                    day_within(730),
                    float(random.choice((4, 8, 12, 16, 24, 32))),
                    new_id(),
                    "recorded" if random.random() < 0.98 else "voided",
                    uuid.uuid4(),
                    1,
                    NOW,
                    NOW,
                )
            )
        await self.copy(
            "training_record",
            (
                "id social_worker_id kind course_title completed_on hours batch_id "
                "status recorded_by_client_id version created_at updated_at"
            ).split(),
            rows,
        )

    async def ledger(
        self,
        stations: list[dict[str, Any]],
        volunteers: list[uuid.UUID],
        requests: int,
        offers: int,
        records: int,
    ) -> None:
        """Requests, offers and their service records over two years."""
        categories = ("volunteer_service",) * 6 + (
            "professional_service",
            "goods",
            "funds",
            "training",
        )
        statuses = ("closed",) * 5 + (
            "fulfilled",
            "committed",
            "partially_committed",
            "open",
            "cancelled",
            "expired",
        )
        skills = (
            "home_visits",
            "companionship",
            "meal_assistance",
            "elderly_care",
            "child_tutoring",
            "casework",
            "event_support",
            "digital_skills",
        )
        request_rows = []
        for n in range(requests):
            station = random.choice(stations)
            created = NOW - timedelta(minutes=random.randint(0, 60 * 24 * 730))
            starts = created + timedelta(days=random.randint(1, 14))
            request_rows.append(
                (
                    new_id(),
                    station["id"],
                    station["district_code"],
                    station["township_code"],
                    f"往期需求{n:05d}",
                    random.choice(categories),
                    json.dumps(random.sample(skills, random.randint(0, 3))),
                    "[]",
                    10,
                    "people",
                    starts,
                    starts + timedelta(hours=3),
                    random.choice(("low", "normal", "normal", "high", "critical")),
                    random.choice(statuses),
                    0,
                    0,
                    1,
                    created,
                    created,
                )
            )
        await self.copy(
            "resource_request",
            (
                "id station_id district_code division_code title category "
                "required_skills target_groups quantity unit starts_at ends_at urgency "
                "status committed_quantity fulfilled_quantity version created_at "
                "updated_at"
            ).split(),
            request_rows,
        )
        await self.execute("ALTER TABLE service_record DISABLE TRIGGER volunteer_hours_keep")
        offer_rows, ledger_rows = [], []
        completed = 0.85  # the share of offers completed, each with its team's service records
        per_offer, extra = divmod(records, int(offers * completed))
        for _ in range(offers):
            request = random.choice(request_rows)
            status = random.choices(
                ("completed", "accepted", "declined", "withdrawn"),
                weights=(completed * 100, 5, 6, 4),
            )[0]
            responded = request[17] + timedelta(minutes=random.randint(5, 60 * 24 * 4))
            offer = new_id()
            offer_rows.append(
                (
                    offer,
                    request[0],
                    request[1],
                    "volunteer_team",
                    new_id(),
                    1,
                    status,
                    request[10],
                    request[11],
                    request[10],
                    "[]",
                    responded,
                    False,
                    1,
                    request[17],
                    request[17],
                )
            )
            if status == "completed" and len(ledger_rows) < records:
                service_date = (request[10] + timedelta(hours=8)).date()
                served = per_offer + (1 if random.random() < extra / (offers * completed) else 0)
                for volunteer in random.sample(volunteers, min(served, records - len(ledger_rows))):
                    ledger_rows.append(
                        (
                            new_id(),
                            volunteer,
                            offer,
                            "站点",
                            request[4],
                            service_date,
                            random.choice((1.0, 1.5, 2.0, 3.0, 4.0)),
                            "服务",
                            "站点",
                            NOW,
                        )
                    )
        await self.copy(
            "offer",
            (
                "id request_id station_id provider_type provider_id quantity status "
                "starts_at ends_at expires_at explanation responded_at "
                "responded_on_behalf version created_at updated_at"
            ).split(),
            offer_rows,
        )
        # A million rows one trigger call at a time is slow: the summary is summed once after,
        # as migration 0011 backfills it.
        await self.copy(
            "service_record",
            (
                "id volunteer_id offer_id organisation_name project service_date hours "
                "content recorder created_at"
            ).split(),
            ledger_rows,
            after=f"ALTER TABLE service_record ENABLE TRIGGER volunteer_hours_keep; {BACKFILL}",
        )
        print(
            f"  ledger: {len(request_rows)} requests, {len(offer_rows)} offers,"
            f" {len(ledger_rows)} service records"
        )
