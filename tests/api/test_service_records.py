"""The volunteer-hour ledger (志愿服务记录, 民政部令第67号): per volunteer, and as CSV for Excel."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.domain.access import Scope
from tests.factories.offers import add_offer, add_request, url
from tests.factories.registry import QINGBO, create_station
from tests.factories.volunteers import create_team, create_volunteer

CHINA = timezone(timedelta(hours=8))
NOBODY = "00000000-0000-4000-8000-000000000000"
HEADER = [
    "志愿者姓名",
    "志愿服务组织",
    "志愿服务项目",
    "服务日期",
    "服务时长(小时)",
    "服务内容",
    "记录人",
]


async def served(admin, services, station, volunteer, *, days_ago: int, hours: float, **extra):
    """A completed offer of the volunteer, served `days_ago` days ago (China time)."""
    starts = datetime.now(UTC) - timedelta(days=days_ago, hours=1)
    request = await add_request(
        services, station["id"], starts_at=starts, lasts=timedelta(hours=4), **extra
    )
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    assert (await admin.post(url(offer, "accept"))).status_code == 200
    day = starts.astimezone(CHINA).date()
    response = await admin.post(
        url(offer, "complete"),
        json={"actual_quantity": 1, "volunteer_hours": hours, "service_date": day.isoformat()},
    )
    assert response.status_code == 200, response.text
    return day


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


@pytest.fixture
async def volunteer(admin) -> dict:
    return await create_volunteer(admin, name="李晓华")


def records_url(volunteer: dict | str) -> str:
    identifier = volunteer if isinstance(volunteer, str) else volunteer["id"]
    return f"/v1/volunteers/{identifier}/service-records"


async def test_a_volunteers_records_in_date_order_with_the_mca_fields(
    admin, services, make_client, station, volunteer
):
    older = await served(admin, services, station, volunteer, days_ago=5, hours=3, title="助餐")
    newer = await served(admin, services, station, volunteer, days_ago=2, hours=1.5, title="探访")
    bureau = await make_client(Scope.REQUESTS_READ, Scope.PII_READ)

    response = await bureau.get(records_url(volunteer))

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["service_date"], i["project"], i["hours"]) for i in items] == [
        (older.isoformat(), "助餐", 3.0),
        (newer.isoformat(), "探访", 1.5),
    ]
    assert items[0]["volunteer_name"] == "李晓华"
    assert items[0]["organisation_name"] == station["name"]
    assert items[0]["recorder"] == "admin"
    assert items[0]["station_id"] == station["id"]
    masked = (await admin.get(records_url(volunteer))).json()["items"]
    assert [item["volunteer_name"] for item in masked] == ["李*华", "李*华"]  # no pii:read


async def test_dates_filter_and_pages_follow(admin, services, station, volunteer):
    days = [
        await served(admin, services, station, volunteer, days_ago=n, hours=1) for n in (9, 6, 3)
    ]

    async def dates(**params) -> list[str]:
        response = await admin.get(records_url(volunteer), params=params)
        assert response.status_code == 200, response.text
        return [item["service_date"] for item in response.json()["items"]]

    assert await dates(**{"from": days[1].isoformat()}) == [d.isoformat() for d in days[1:]]
    assert await dates(to=days[1].isoformat()) == [d.isoformat() for d in days[:2]]
    first = (await admin.get(records_url(volunteer), params={"page_size": 2})).json()
    rest = (
        await admin.get(
            records_url(volunteer), params={"page_size": 2, "page_token": first["next_page_token"]}
        )
    ).json()
    assert [i["service_date"] for i in first["items"] + rest["items"]] == [
        d.isoformat() for d in days
    ]
    assert rest["next_page_token"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "query.to"),
        ({"from": "20260301"}, "query.from"),
        ({"from": "1767225600"}, "query.from"),
        ({"to": "2026-02-30"}, "query.to"),
        ({"volunteer": "x"}, None),
    ],
)
async def test_bad_parameters_are_400_naming_the_field(admin, volunteer, params, field):
    response = await admin.get(records_url(volunteer), params=params)

    assert response.status_code == 400, response.text
    if field:
        assert field in [error["field"] for error in response.json()["errors"]]


async def test_an_unknown_volunteer_is_404(admin):
    response = await admin.get(records_url(NOBODY))
    assert (response.status_code, response.json()["code"]) == (404, "volunteer_not_found")


async def test_a_station_reads_the_records_of_its_own_offers(
    admin, services, make_client, station, volunteer
):
    other = await create_station(admin, QINGBO)
    await served(admin, services, station, volunteer, days_ago=2, hours=1, title="北山")
    await served(admin, services, other, volunteer, days_ago=1, hours=2, title="清波")
    client = await make_client(Scope.REQUESTS_READ, station_id=other["id"])

    items = (await client.get(records_url(volunteer))).json()["items"]

    assert [item["project"] for item in items] == ["清波"]
    exported = (await client.get("/v1/service-records.csv")).content.decode("utf-8-sig")
    assert "清波" in exported and "北山" not in exported


async def test_reading_the_ledger_needs_requests_read(make_client, volunteer):
    client = await make_client(Scope.REGISTRY_READ)
    assert (await client.get(records_url(volunteer))).status_code == 403
    assert (await client.get("/v1/service-records.csv")).status_code == 403


async def test_the_csv_opens_in_excel_with_the_mca_header(
    admin, services, make_client, station, volunteer
):
    day = await served(
        admin, services, station, volunteer, days_ago=1, hours=2.25, title="=HYPERLINK(1)"
    )
    bureau = await make_client(Scope.REQUESTS_READ, Scope.PII_READ)

    response = await bureau.get("/v1/service-records.csv")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert rows[1] == [
        "李晓华",
        station["name"],
        "'=HYPERLINK(1)",  # never run as a formula
        day.isoformat(),
        "2.25",
        "'=HYPERLINK(1)",
        "admin",
    ]
    assert response.content.count(b"\r\n") == 2
    masked = await admin.get("/v1/service-records.csv")
    assert "李*华" in masked.content.decode("utf-8-sig")  # the name is masked without pii:read


async def test_the_csv_filters_by_volunteer_station_and_dates(admin, services, station, volunteer):
    other_volunteer = await create_volunteer(admin, name="王芳")
    other_station = await create_station(admin, QINGBO)
    early = await served(admin, services, station, volunteer, days_ago=5, hours=1)
    late = await served(admin, services, station, volunteer, days_ago=1, hours=2)
    await served(admin, services, station, other_volunteer, days_ago=1, hours=3)
    await served(admin, services, other_station, volunteer, days_ago=1, hours=4)

    async def hours(**params) -> list[str]:
        response = await admin.get("/v1/service-records.csv", params=params)
        assert response.status_code == 200, response.text
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
        return sorted(row[4] for row in rows)

    assert await hours() == ["1", "2", "3", "4"]
    assert await hours(volunteer_id=volunteer["id"]) == ["1", "2", "4"]
    assert await hours(station_id=other_station["id"]) == ["4"]
    assert await hours(**{"from": late.isoformat(), "to": late.isoformat()}) == ["2", "3", "4"]
    assert await hours(to=early.isoformat()) == ["1"]
    assert await hours(volunteer_id=NOBODY) == []
    bad = await admin.get("/v1/service-records.csv", params={"station_id": "x"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "query.station_id"


async def test_the_ledger_shows_names_but_never_phones_or_id_numbers(admin, services, station):
    volunteer = await create_volunteer(admin, phone="13912345678", id_number=None)
    await served(admin, services, station, volunteer, days_ago=1, hours=1)

    listed = (await admin.get(records_url(volunteer))).text
    exported = (await admin.get("/v1/service-records.csv")).content.decode("utf-8-sig")

    for text in (listed, exported):
        assert volunteer["name"] in text
        assert "13912345678" not in text and "139****5678" not in text


# 09:00–13:00 on Saturday 14 March 2026 in Hangzhou; the clock stands at 15:00 that day.
SATURDAY_MORNING = datetime(2026, 3, 14, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock_on_saturday(app, services):
    """The service's clock stands two hours after SATURDAY_MORNING's window ended."""
    app.state.services = dataclasses.replace(
        services, clock=lambda: SATURDAY_MORNING + timedelta(hours=6)
    )
    try:
        yield
    finally:
        app.state.services = services


async def test_a_teams_ledger_and_csv_for_mixed_hours_are_pinned(
    admin, services, make_client, station, clock_on_saturday
):
    team = await create_team(admin, name="北山街道邻里守望志愿服务队")
    members = {}
    for name in ("甲", "乙", "丙", "丁"):
        members[name] = (await create_volunteer(admin, name=name))["id"]
        joined = f"/v1/volunteer-teams/{team['id']}/members/{members[name]}"
        assert (await admin.put(joined, json={"role": "member"})).status_code == 201
    request = await add_request(
        services,
        station["id"],
        quantity=4,
        title="助老助餐",
        starts_at=SATURDAY_MORNING,
        lasts=timedelta(hours=4),
    )
    offer = await add_offer(services, request, "volunteer_team", team["id"], quantity=4)
    assert (await admin.post(url(offer, "accept"))).status_code == 200

    completed = await admin.post(
        url(offer, "complete"),
        json={
            "actual_quantity": 3,
            "outcome_note": "送餐12户",
            "member_hours": [
                {"volunteer_id": members["甲"], "hours": 2.5},
                {"volunteer_id": members["乙"], "hours": 0.004},  # 0.00 to two places: no record
                {"volunteer_id": members["丙"], "hours": 1.25},
                {"volunteer_id": members["丁"], "hours": 0.333},  # two decimals: 0.33
            ],
        },
    )

    assert completed.status_code == 200, completed.text
    assert completed.json()["volunteer_hours"] == 4.09  # 2.5 + 0.004 + 1.25 + 0.333 = 4.087
    bureau = await make_client(Scope.REQUESTS_READ, Scope.PII_READ)  # names shown in full
    ledger = (await bureau.get("/v1/service-records.csv")).content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(ledger))
    assert header == HEADER
    assert sorted(rows) == [  # one date: the order within it is the records' ids'
        ["丁", station["name"], "助老助餐", "2026-03-14", "0.33", "送餐12户", "admin"],
        ["丙", station["name"], "助老助餐", "2026-03-14", "1.25", "送餐12户", "admin"],
        ["甲", station["name"], "助老助餐", "2026-03-14", "2.5", "送餐12户", "admin"],
    ]
    for name, hours in (("甲", 2.5), ("乙", None), ("丙", 1.25), ("丁", 0.33)):
        items = (await admin.get(records_url(members[name]))).json()["items"]
        assert [item["hours"] for item in items] == ([] if hours is None else [hours])
