"""Making offers under real parallel requests over sockets (issue 8): six POST …/offers on
overlapping requests naming the same three volunteers hold each of them once, not six times.

The offering unit of work locks the request, then the named providers in one fixed order, and
only then judges them: the second to come waits for the first and sees its holds. PostgreSQL
only: SQLite serialises every writer anyway, so it could not show the race."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from service.db.tables import OfferRecord, VolunteerRecord
from tests.factories.offers import add_request
from tests.factories.partners import mobile
from tests.live.test_offer_concurrency import station_client

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

REQUESTS = 6
EVERY_DAY = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(1, 8)]


async def volunteers_free_all_week(services, count: int) -> list[str]:
    """Volunteers of 北山街道 with the factory requests' skill, free at any hour."""
    records = [
        VolunteerRecord(
            id=uuid.uuid4(),
            name=f"随时{n}",
            phone_ciphertext=services.vault.encrypt(mobile(), field="phone"),
            phone_masked="138****0000",
            skills=["home_visits"],
            service_area=["330106002"],
            weekly_availability=EVERY_DAY,
            availability_exceptions=[],
            hours_per_week=4,
            version=1,
            created_at=services.clock(),
            updated_at=services.clock(),
        )
        for n in range(count)
    ]
    async with services.database.session() as session:
        session.add_all(records)
        await session.commit()
    return [str(record.id) for record in records]


async def live_holds(services, volunteer_ids: list[str]) -> int:
    async with services.database.session() as session:
        return int(
            await session.scalar(
                select(func.count()).where(
                    OfferRecord.provider_id.in_([uuid.UUID(v) for v in volunteer_ids]),
                    OfferRecord.status.in_(["proposed", "accepted"]),
                )
            )
            or 0
        )


async def post_all(base_url: str, bodies: list[tuple[str, dict]], headers: dict) -> list:
    """POST every offer batch at once, each on its own connection."""
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"/v1/resource-requests/{request_id}/offers", json=body, headers=headers
                )
                for request_id, body in bodies
            )
        )


async def test_six_parallel_offers_naming_three_volunteers_hold_each_once(live_server, services):
    station, headers = await station_client(live_server, services)
    three = await volunteers_free_all_week(services, 3)
    requests = [await add_request(services, station["id"], quantity=3) for _ in range(REQUESTS)]
    named = {"providers": [{"provider_type": "volunteer", "provider_id": v} for v in three]}

    responses = await asyncio.wait_for(
        post_all(live_server, [(str(r.id), named) for r in requests], headers), timeout=120
    )

    tally = Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else "offered")
        for r in responses
    )
    assert tally == Counter({(201, "offered"): 1, (422, "provider_not_eligible"): REQUESTS - 1}), [
        r.text for r in responses
    ]
    assert await live_holds(services, three) == 3


async def test_six_parallel_offers_to_the_top_three_hold_each_once(live_server, services):
    station, headers = await station_client(live_server, services)
    three = await volunteers_free_all_week(services, 3)
    requests = [await add_request(services, station["id"], quantity=3) for _ in range(REQUESTS)]

    responses = await asyncio.wait_for(
        post_all(live_server, [(str(r.id), {"top": 3}) for r in requests], headers), timeout=120
    )

    assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
    offered = sum(len(r.json()["items"]) for r in responses if r.status_code == 201)
    assert offered == 3
    assert await live_holds(services, three) == 3
