"""The reports benchmark's city: the matching benchmark's seeder, extended with the registry
the reports read – station profiles as `bench/seed.py` registers them, community offices,
universities, social workers at the stations, and the linkage graph. Big tables go in by COPY."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from matching import Seeder, new_id  # the matching benchmark's seeding
from seed import station_body  # the station profiles the load benchmark registers

from service.db.tables import DivisionRecord, StationRecord
from service.domain.identity import mask_resident_id

TODAY = datetime.now(UTC).date()
NOW = datetime.now(UTC)


def day_within(days: int) -> date:
    """A day in the `days` before today."""
    return TODAY - timedelta(days=random.randint(0, days))


class CitySeeder(Seeder):
    """The matching seeder, extended with what the reports read."""

    async def copy(
        self, name: str, columns: list[str], records: list[tuple[Any, ...]], *, after: str = ""
    ) -> None:
        """Rows in bulk through COPY (the big tables), then `after` (SQL) if given."""
        connection = await self._connect()
        try:
            for start in range(0, len(records), 50_000):
                await connection.copy_records_to_table(
                    name, records=records[start : start + 50_000], columns=columns
                )
            if after:
                await connection.execute(after)
        finally:
            await connection.close()

    async def execute(self, sql: str) -> None:
        """SQL on its own connection."""
        connection = await self._connect()
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def _connect(self) -> Any:
        """A bare asyncpg connection to the database."""
        url = self.database.engine.url.set(drivername="postgresql")
        return await asyncpg.connect(url.render_as_string(hide_password=False))

    async def city_stations(self, districts: dict[str, str]) -> list[dict[str, Any]]:
        """Every township's station, with the profile bench/seed.py would register."""
        rng = random.Random(random.getrandbits(32))
        rows = []
        for township in self.townships:
            body = station_body(rng, DivisionRecord.model_validate(township), year=TODAY.year)
            district = township["district_code"]
            location = body.pop("location")
            rows.append(
                {
                    "id": new_id(),
                    "district_code": township["district_code"],
                    "name": f"杭州市{districts[district]}{township['name']}社会工作站",
                    "lat": location["lat"],
                    "lon": location["lon"],
                    "operating_mode": None,
                    "is_demonstration": False,
                    "demonstration_year": None,
                    "facilities": [],
                    "management_systems": [],
                    "specialties": [],
                    "focus_groups": [],
                    "service_items": [],
                    **body,
                    **self.stamps(),
                }
            )
        await self.insert(StationRecord, rows)
        return rows

    async def offices(
        self, stations: list[dict[str, Any]], communities: list[dict[str, Any]], count: int
    ) -> list[dict[str, Any]]:
        """Community offices under the stations of their townships."""
        by_township = {s["township_code"]: s for s in stations}
        chosen = random.sample([c for c in communities if c["parent_code"] in by_township], count)
        rows = [
            (
                new_id(),
                c["code"],
                by_township[c["parent_code"]]["id"],
                c["district_code"] or c["code"][:6],
                f"{c['name']}特色社会工作室",
                random.random() < 0.15,
                1,
                NOW,
                NOW,
            )
            for c in chosen
        ]
        await self.copy(
            "office",
            (
                "id community_code station_id district_code name is_demonstration "
                "version created_at updated_at"
            ).split(),
            rows,
        )
        return [{"id": r[0], "station_id": r[2]} for r in rows]

    async def universities(self, count: int) -> list[uuid.UUID]:
        """Universities that supervise and train."""
        rows = [
            (
                new_id(),
                f"大学{n:03d}",
                f"12330100MB{n:07d}X"[:18],
                '["supervision", "training"]',
                '["practice_base", "supervision"]',
                '["3301"]',
                "active",
                1,
                NOW,
                NOW,
            )
            for n in range(count)
        ]
        await self.copy(
            "university",
            "id name uscc schools offers service_area status version created_at updated_at".split(),
            rows,
        )
        return [row[0] for row in rows]

    async def workers(
        self, stations: list[dict[str, Any]], offices: list[dict[str, Any]], count: int
    ) -> list[tuple[uuid.UUID, str]]:
        """Social workers at the running stations (some at an office)."""
        offices_of: dict[uuid.UUID, list[uuid.UUID]] = {}
        for office in offices:
            offices_of.setdefault(office["station_id"], []).append(office["id"])
        running = [s for s in stations if s["status"] in ("operating", "suspended")]
        rows, workers = [], []
        for n in range(count):
            station = random.choice(running)
            level = random.choices(
                ("none", "assistant", "intermediate", "senior"), weights=(25, 45, 25, 5)
            )[0]
            number = self._id_number()
            office = random.choice(offices_of.get(station["id"], [None]) + [None] * 3)
            worker = new_id()
            rows.append(
                (
                    worker,
                    f"社工{n:05d}",
                    self.vault.encrypt(number, field="id_number"),
                    self.vault.blind_index(number, field="id_number"),
                    mask_resident_id(number),
                    level,
                    None if level == "none" else f"ZJ{n:08d}",
                    random.choices(("full_time", "part_time"), weights=(80, 20))[0],
                    station["id"],
                    office,
                    random.choices(
                        ("none", "municipal", "provincial", "national"), weights=(90, 7, 2, 1)
                    )[0],
                    "[]",
                    "[]",
                    "active" if random.random() < 0.93 else "inactive",
                    1,
                    NOW,
                    NOW,
                )
            )
            workers.append((worker, level))
        await self.copy(
            "social_worker",
            (
                "id name id_number_ciphertext id_number_index id_number_masked "
                "certificate_level certificate_number employment station_id office_id "
                "supervisor_level skills service_area status version created_at "
                "updated_at"
            ).split(),
            rows,
        )
        return workers

    async def linkages(
        self,
        stations: list[dict[str, Any]],
        organisations: list[uuid.UUID],
        universities: list[uuid.UUID],
    ) -> None:
        """Contracts, supervision, partners, practice bases and urban–rural pairings."""
        rows = []

        def link(
            station: uuid.UUID,
            kind: str,
            partner_type: str,
            partner: uuid.UUID,
            starts: date,
            ends: date | None,
            status: str = "active",
        ) -> None:
            """One linkage row."""
            rows.append(
                (new_id(), station, kind, partner_type, partner, starts, ends, status, 1, NOW, NOW)
            )

        for station in stations:
            if station.get("operating_mode") == "purchased_service" and random.random() < 0.9:
                starts = day_within(900)
                link(
                    station["id"],
                    "operating_contract",
                    "organisation",
                    random.choice(organisations),
                    starts,
                    starts + timedelta(days=1095),
                )
            if random.random() < 0.85:
                starts = day_within(2200)
                link(
                    station["id"],
                    "supervision",
                    "university",
                    random.choice(universities),
                    starts,
                    random.choice(
                        (None, starts + timedelta(days=random.choice((730, 1095, 1826))))
                    ),
                )
            for partner in random.sample(organisations, random.randint(3, 12)):
                link(
                    station["id"],
                    "resource_partner",
                    "organisation",
                    partner,
                    day_within(1000),
                    None,
                    random.choice(("active",) * 6 + ("ended",)),
                )
            link(
                station["id"],
                "practice_base",
                "university",
                random.choice(universities),
                day_within(1000),
                None,
            )
        urban = [s for s in stations if s["district_code"] not in ("330122", "330127", "330182")]
        rural = [s for s in stations if s["district_code"] in ("330122", "330127", "330182")]
        for station in random.sample(urban, min(len(rural), 40)):
            link(
                station["id"],
                "pairing",
                "station",
                random.choice(rural)["id"],
                day_within(700),
                None,
            )
        await self.copy(
            "linkage",
            (
                "id station_id kind partner_type partner_id starts_on ends_on status "
                "version created_at updated_at"
            ).split(),
            rows,
        )
