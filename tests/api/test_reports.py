"""The targets, linkage and volunteer-hours reports against figures worked out here in plain
Python from the seeded rows, and every report as CSV and .xlsx."""

from __future__ import annotations

import csv
import io
import statistics
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from service.domain.access import Scope
from tests.factories.registry import townships
from tests.factories.world import World, seed_world

PERIOD = {"from": "2025-07-01", "to": "2026-06-30"}
START = datetime(2025, 6, 30, 16, tzinfo=UTC)  # 2025-07-01 00:00 in Hangzhou
END = datetime(2026, 6, 30, 16, tzinfo=UTC)  # the midnight after 2026-06-30 in Hangzhou
LAST_DAY = date(2026, 6, 30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORTS = ["compliance", "targets", "linkage", "volunteer-hours", "workforce"]


@pytest.fixture
async def world(services) -> World:
    return await seed_world(services)


def active_on(link: dict[str, Any], day: date) -> bool:
    ends = link["ends_on"]
    return link["status"] == "active" and link["starts_on"] <= day and (ends is None or day <= ends)


def district_of(world: World, station_id: Any) -> str:
    return str(world.station(station_id)["district_code"])


# --- targets -----------------------------------------------------------------------------------


async def test_targets_per_district_and_year(admin, world):
    response = await admin.get("/v1/reports/targets")
    assert response.status_code == 200, response.text
    report = response.json()

    needing = defaultdict(int)
    for township in townships():
        needing[township["parent_code"]] += 1
    assert len(report["districts"]) == 13
    for row in report["districts"]:
        code = row["district_code"]
        mine = [s for s in world.stations if s["district_code"] == code]
        offices = [o for o in world.offices if o["district_code"] == code]
        assert row["townships_needing_station"] == needing[code]
        assert row["stations"] == len(mine)
        assert row["operating_stations"] == sum(s["status"] == "operating" for s in mine)
        assert row["demonstration_stations"] == sum(s["is_demonstration"] for s in mine)
        assert row["offices"] == len(offices)
        assert row["demonstration_offices"] == sum(o["is_demonstration"] for o in offices)
        for year in ("2021", "2023", "2025"):
            assert row["demonstration_stations_by_year"][year] == sum(
                s["is_demonstration"] and s["demonstration_year"] <= int(year) for s in mine
            )
    operating = sum(s["status"] == "operating" for s in world.stations)
    years = {y["year"]: {t["metric"]: t for t in y["targets"]} for y in report["years"]}
    assert years[2021]["operating_stations"]["actual"] == operating
    assert years[2021]["operating_stations"]["target"] == 60
    assert years[2023]["township_coverage"]["target"] == 191
    by_2023 = sum(s["is_demonstration"] and s["demonstration_year"] <= 2023 for s in world.stations)
    assert years[2023]["demonstration_stations"]["actual"] == by_2023
    assert years[2025]["offices"]["actual"] == len(world.offices)
    assert [y["due"] for y in report["years"]] == [True, True, date.today() > date(2025, 12, 31)]


async def test_targets_narrow_to_a_district_but_stay_the_city_s(admin, world):
    code = world.stations[0]["district_code"]
    report = (await admin.get("/v1/reports/targets", params={"district_code": code})).json()
    assert [d["district_code"] for d in report["districts"]] == [code]
    assert report["total"]["stations"] == sum(s["district_code"] == code for s in world.stations)
    city = {t["metric"]: t["actual"] for t in report["years"][0]["targets"]}
    assert city["operating_stations"] == sum(s["status"] == "operating" for s in world.stations)


# --- linkage -----------------------------------------------------------------------------------


def ends(world: World, day: date) -> list[tuple[Any, str, Any, dict[str, Any]]]:
    """(station, partner type, partner, linkage) for every active linkage, from both ends of a
    pairing."""
    found = []
    for link in world.linkages:
        if not active_on(link, day):
            continue
        found.append((link["station_id"], link["partner_type"], link["partner_id"], link))
        if link["partner_type"] == "station":
            found.append((link["partner_id"], "station", link["station_id"], link))
    return found


def posted(world: World) -> list[dict[str, Any]]:
    return [r for r in world.requests if START <= r["created_at"] < END]


def first_commitment(world: World, request: dict[str, Any]) -> datetime | None:
    moments = [
        o["responded_at"]
        for o in world.offers
        if o["request_id"] == request["id"]
        and o["status"] in ("accepted", "completed")
        and o["responded_at"] is not None
    ]
    return min(moments, default=None)


def request_figures(world: World, requests: list[dict[str, Any]]) -> dict[str, Any]:
    committed = sum(first_commitment(world, r) is not None for r in requests)
    fulfilled = sum(r["status"] in ("fulfilled", "closed") for r in requests)
    return {
        "posted": len(requests),
        "committed": committed,
        "fulfilled": fulfilled,
        "fulfilment_rate": round(fulfilled / len(requests), 4) if requests else None,
    }


def median_hours(world: World, requests: list[dict[str, Any]]) -> float | None:
    waits = [
        (moment - r["created_at"]).total_seconds() / 3600
        for r in requests
        if (moment := first_commitment(world, r)) is not None
    ]
    return round(statistics.median(waits), 2) if waits else None


async def test_the_linkage_report(admin, world):
    response = await admin.get("/v1/reports/linkage", params=PERIOD)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["period_from"], report["period_to"]) == (PERIOD["from"], PERIOD["to"])
    assert report["linkages_active_on"] == PERIOD["to"]

    active = ends(world, LAST_DAY)
    requests = posted(world)
    for row in report["stations"]:
        sid = uuid.UUID(row["station_id"])
        for partner_type, count in row["partners_by_type"].items():
            expected = {p for s, t, p, _ in active if s == sid and t == partner_type}
            assert count == len(expected), (row["station_name"], partner_type)
        mine = [r for r in requests if r["station_id"] == sid]
        assert row["requests"] == request_figures(world, mine)
    assert len(report["stations"]) == len(world.stations)
    areas = [("city", report["total"], None)] + [
        ("district", d, d["district_code"]) for d in report["districts"]
    ]
    for _, figures, code in areas:
        in_area = [r for r in requests if code is None or r["district_code"] == code]
        expected = request_figures(world, in_area) | {
            "median_hours_to_first_commitment": median_hours(world, in_area)
        }
        got = figures["requests"]
        assert {k: v for k, v in got.items() if k != "median_hours_to_first_commitment"} == {
            k: v for k, v in expected.items() if k != "median_hours_to_first_commitment"
        }
        if expected["median_hours_to_first_commitment"] is None:
            assert got["median_hours_to_first_commitment"] is None
        else:
            assert got["median_hours_to_first_commitment"] == pytest.approx(
                expected["median_hours_to_first_commitment"], abs=0.011
            )
        for partner_type, count in figures["partners_by_type"].items():
            partners = {
                p
                for s, t, p, _ in active
                if t == partner_type and (code is None or district_of(world, s) == code)
            }
            assert count == len(partners), (code, partner_type)
        for kind, count in figures["active_linkages_by_kind"].items():
            assert count == sum(
                link["kind"] == kind
                and active_on(link, LAST_DAY)
                and (code is None or district_of(world, link["station_id"]) == code)
                for link in world.linkages
            ), (code, kind)
    cells = defaultdict(list)
    for r in requests:
        cells[(r["category"], r["urgency"])].append(r)
    assert {
        (c["category"], c["urgency"]): (c["posted"], c["fulfilled"]) for c in report["fulfilment"]
    } == {
        key: (len(rs), sum(r["status"] in ("fulfilled", "closed") for r in rs))
        for key, rs in cells.items()
    }


async def test_a_station_sees_only_its_own_row(make_client, world):
    station = world.stations[1]
    client = await make_client(Scope.REGISTRY_READ, station_id=station["id"])
    report = (await client.get("/v1/reports/linkage", params=PERIOD)).json()
    assert [row["station_id"] for row in report["stations"]] == [str(station["id"])]
    hours = (await client.get("/v1/reports/volunteer-hours", params=PERIOD)).json()
    assert {row["station_id"] for row in hours["by_station"]} <= {str(station["id"])}


# --- volunteer hours ---------------------------------------------------------------------------


def served(world: World) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(record, offer, request) for every service record in the period."""
    offers = {o["id"]: o for o in world.offers}
    requests = {r["id"]: r for r in world.requests}
    first, last = date(2025, 7, 1), LAST_DAY
    return [
        (record, offers[record["offer_id"]], requests[offers[record["offer_id"]]["request_id"]])
        for record in world.records
        if first <= record["service_date"] <= last
    ]


def figures(rows: list[tuple[dict[str, Any], Any, Any]]) -> dict[str, Any]:
    return {"hours": round(sum(record["hours"] for record, _, _ in rows), 2), "records": len(rows)}


async def test_the_volunteer_hours_report(admin, world):
    response = await admin.get("/v1/reports/volunteer-hours", params=PERIOD)
    assert response.status_code == 200, response.text
    report = response.json()
    rows = served(world)

    assert report["total"] == figures(rows)
    for district in report["by_district"]:
        code = district["district_code"]
        mine = [row for row in rows if district_of(world, row[1]["station_id"]) == code]
        assert {k: district[k] for k in ("hours", "records")} == figures(mine)
    for station in report["by_station"]:
        mine = [row for row in rows if str(row[1]["station_id"]) == station["station_id"]]
        assert {k: station[k] for k in ("hours", "records")} == figures(mine)
    months = defaultdict(list)
    for row in rows:
        months[row[0]["service_date"].strftime("%Y-%m")].append(row)
    assert {m["month"]: {k: m[k] for k in ("hours", "records")} for m in report["by_month"]} == {
        month: figures(mine) for month, mine in months.items()
    }
    skills: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        for skill in row[2]["required_skills"]:
            skills[skill].append(row)
    assert {s["skill"]: (s["hours"], s["records"]) for s in report["by_skill"]} == {
        skill: (figures(mine)["hours"], len(mine)) for skill, mine in skills.items()
    }


async def test_the_default_period_is_the_year_to_today(admin, world):
    report = (await admin.get("/v1/reports/volunteer-hours")).json()
    today = date.fromisoformat(report["period_to"])
    assert abs((today - date.today()).days) <= 1
    assert date.fromisoformat(report["period_from"]) == date(
        today.year - 1, today.month, today.day
    ) + timedelta(days=1)


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-07-01", "to": "2026-06-01"},
        {"to": "2099-01-01"},
        {"from": "1999-12-31"},
        {"from": "2026-13-01"},
        {"district_code": "3301"},
        {"labels": "fr"},
        {"township_code": "330106"},
    ],
)
async def test_bad_filters_are_400(admin, params):
    response = await admin.get("/v1/reports/volunteer-hours", params=params)
    assert response.status_code == 400, response.text


# --- formats -----------------------------------------------------------------------------------


def csv_sections(body: bytes) -> dict[str, list[list[str]]]:
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so that spreadsheets read UTF-8"
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


@pytest.mark.parametrize("report", REPORTS)
async def test_every_report_is_a_csv_and_a_workbook(admin, world, report):
    params = {**PERIOD} if report in ("linkage", "volunteer-hours") else {}
    as_csv = await admin.get(f"/v1/reports/{report}", params=params, headers={"Accept": "text/csv"})
    as_xlsx = await admin.get(f"/v1/reports/{report}", params=params, headers={"Accept": XLSX})
    in_chinese = await admin.get(
        f"/v1/reports/{report}", params={**params, "labels": "zh"}, headers={"Accept": XLSX}
    )

    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["vary"] == "Accept"
    assert as_csv.headers["content-disposition"].endswith('.csv"')
    sections = csv_sections(as_csv.content)
    assert sections and all(rows for rows in sections.values())
    assert as_xlsx.headers["content-type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    assert workbook.sheetnames == list(sections)
    for sheet in workbook.worksheets:
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert header == sections[sheet.title][0]
        assert len(rows) == len(sections[sheet.title]) - 1
    chinese = openpyxl.load_workbook(io.BytesIO(in_chinese.content))
    first = next(chinese.worksheets[0].iter_rows(values_only=True))
    assert any("\u4e00" <= str(cell)[:1] <= "\u9fff" for cell in first), first


async def test_the_csv_carries_the_json_s_figures_and_chinese_labels(admin, world):
    report = (await admin.get("/v1/reports/volunteer-hours", params=PERIOD)).json()
    english = csv_sections(
        (
            await admin.get(
                "/v1/reports/volunteer-hours", params=PERIOD, headers={"Accept": "text/csv"}
            )
        ).content
    )
    chinese = csv_sections(
        (
            await admin.get(
                "/v1/reports/volunteer-hours",
                params={**PERIOD, "labels": "zh"},
                headers={"Accept": "text/csv"},
            )
        ).content
    )

    header, total, *_ = english["districts"]
    assert header == ["area_code", "area_name", "hours", "records"]
    assert total[:2] == ["total", "合计"]
    assert float(total[2]) == report["total"]["hours"]
    assert chinese["分区县统计"][0] == [
        "地区代码",
        "地区",
        "服务时长(小时)",
        "服务记录数",
    ]
    skills = chinese["分技能统计"][1:]
    assert {row[0] for row in skills} == {s["label_zh"] for s in report["by_skill"]}


async def test_text_that_looks_like_a_formula_stays_text(admin, services, world):
    from sqlalchemy import update

    from service.db.tables import SocialWorkerRecord

    async with services.database.session() as session:
        await session.execute(update(SocialWorkerRecord).values(name="=HYPERLINK(1)"))
        await session.commit()
    as_csv = await admin.get(
        "/v1/reports/workforce", params={"as_of": "2026-06-30"}, headers={"Accept": "text/csv"}
    )
    as_xlsx = await admin.get(
        "/v1/reports/workforce", params={"as_of": "2026-06-30"}, headers={"Accept": XLSX}
    )

    below = csv_sections(as_csv.content)["below_threshold"][1:]
    assert below, "the seed has workers short of training"
    assert all(row[1].startswith("'=") for row in below)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))["below_threshold"]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in names)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/csv"),
        ("text/csv;q=0.5, application/json", "application/json"),
        ("text/csv, application/json", "text/csv"),
        ("application/xml, */*;q=0.1", "application/json"),
        (f"{XLSX};q=0.9, text/csv;q=0.2", XLSX),
    ],
)
async def test_the_format_is_negotiated(admin, accept, expected):
    headers = {} if accept is None else {"Accept": accept}
    response = await admin.get("/v1/reports/targets", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "accept", ["application/xml", "text/html", "text/csv;q=0, application/json;q=0"]
)
async def test_an_unacceptable_format_is_406(admin, accept):
    response = await admin.get("/v1/reports/targets", headers={"Accept": accept})
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


async def test_the_hours_summary_follows_the_ledger_written_by_completions(admin, services):
    from sqlalchemy import delete

    from service.db.tables import ServiceRecordRecord
    from tests.api.test_service_records import served
    from tests.factories.registry import create_station
    from tests.factories.volunteers import create_volunteer

    station = await create_station(admin)
    first = await create_volunteer(admin, name="李晓华")
    second = await create_volunteer(admin, name="王小明")
    day = await served(admin, services, station, first, days_ago=3, hours=2.5)
    await served(admin, services, station, second, days_ago=3, hours=1.25)
    window = {"from": (day - timedelta(days=1)).isoformat(), "to": day.isoformat()}

    report = (await admin.get("/v1/reports/volunteer-hours", params=window)).json()
    assert report["total"] == {"hours": 3.75, "records": 2}
    assert [m["month"] for m in report["by_month"]] == [day.strftime("%Y-%m")]

    async with services.database.session() as session:  # the ledger is append-only; if not …
        await session.execute(delete(ServiceRecordRecord).where(ServiceRecordRecord.hours == 2.5))
        await session.commit()
    after = (await admin.get("/v1/reports/volunteer-hours", params=window)).json()
    assert after["total"] == {"hours": 1.25, "records": 1}
