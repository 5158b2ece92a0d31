"""Bulk upsert: NDJSON and CSV lines keyed by the caller's external_id, a per-line report, bad
lines rejected without spoiling the others, idempotent, the access model respected."""

from __future__ import annotations

import asyncio
import csv
import io
import time

import orjson
import pytest

from service.domain.access import Scope
from tests.factories.partners import organisation_body, uscc
from tests.factories.registry import (
    BEISHAN,
    QINGBO,
    communities_of,
    create_station,
    station_body,
)

NDJSON = {"Content-Type": "application/x-ndjson"}
CSV = {"Content-Type": "text/csv"}


def ndjson(*records: dict) -> bytes:
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


def line(external_id: str, **overrides) -> dict:
    return {"external_id": external_id, **organisation_body(**overrides)}


def as_csv(*records: dict) -> bytes:
    names = sorted({name for record in records for name in record})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for record in records:
        row = []
        for name in names:
            value = record.get(name)
            if value is None:
                row.append("")
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            elif isinstance(value, (list, dict)):
                row.append(orjson.dumps(value).decode())
            else:
                row.append(str(value))
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


async def post(client, body: bytes, headers=NDJSON, resource="organisations", **extra):
    return await client.post(f"/v1/bulk/{resource}", content=body, headers=headers | extra)


def outcomes(job: dict) -> list[str]:
    return [entry["outcome"] for entry in job["report"]]


async def test_mixed_good_and_bad_lines_each_get_their_outcome(admin):
    body = (
        ndjson(line("a-1"), line("a-2", uscc="52330106MA00000000"))  # wrong check digit
        + b"{not json\n"
        + ndjson(
            line("a-3", service_area=["999999"]),
            {"name": "no external id"},
            line("a-1"),  # the same external id twice in one file
            line("a-4", kind="spaceship"),
            line("a-5"),
        )
    )
    response = await post(admin, body)
    assert response.status_code == 201, response.text
    job = response.json()
    assert outcomes(job) == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
    ]
    report = {entry["line"]: entry for entry in job["report"]}
    assert report[2]["problems"][0] == {
        "field": "uscc",
        "code": "invalid_uscc",
        "detail": report[2]["problems"][0]["detail"],
    }
    assert report[3]["problems"][0]["code"] == "bulk_line_not_json"
    assert report[4]["problems"][0]["field"].startswith("service_area")
    assert report[5]["problems"][0]["code"] == "bulk_external_id_missing"
    assert report[6]["problems"][0]["code"] == "bulk_duplicate_external_id"
    assert report[7]["problems"][0]["field"] == "kind"
    assert (job["created"], job["rejected"], job["lines"]) == (2, 6, 8)

    listed = (await admin.get("/v1/organisations")).json()["items"]
    assert sorted(o["id"] for o in listed) == sorted([report[1]["id"], report[8]["id"]])
    again = await admin.get(response.headers["Location"])
    assert again.status_code == 200 and again.json() == job


async def test_a_second_load_updates_what_changed_and_leaves_the_rest(admin):
    first, second = line("x-1"), line("x-2")
    created = (await post(admin, ndjson(first, second))).json()
    assert outcomes(created) == ["created", "created"]

    renamed = first | {"name": "杭州市西湖区新名字社会工作服务中心"}
    job = (await post(admin, ndjson(renamed, second))).json()
    assert outcomes(job) == ["updated", "unchanged"]
    assert [e["id"] for e in job["report"]] == [e["id"] for e in created["report"]]

    stored = (await admin.get(f"/v1/organisations/{job['report'][0]['id']}")).json()
    assert stored["name"] == renamed["name"] and stored["version"] == 2

    moved = (await post(admin, ndjson(renamed | {"uscc": uscc()}))).json()
    assert moved["report"][0]["problems"][0]["code"] == "uscc_immutable"


async def test_csv_with_a_bom_loads_like_ndjson(admin):
    body = b"\xef\xbb\xbf" + as_csv(line("c-1"), line("c-2", is_charity=True))
    response = await post(admin, body, CSV)
    assert response.status_code == 201, response.text
    assert outcomes(response.json()) == ["created", "created"]
    assert [e["line"] for e in response.json()["report"]] == [2, 3]


async def test_csv_errors_name_line_and_column(admin):
    body = as_csv(line("c-1"), line("c-2", kind="spaceship")) + b"too,few\n"
    job = (await post(admin, body, CSV)).json()
    assert outcomes(job) == ["created", "rejected", "rejected"]
    assert job["report"][1]["line"] == 3 and job["report"][1]["problems"][0]["field"] == "kind"
    assert job["report"][2]["line"] == 4
    assert job["report"][2]["problems"][0]["code"] == "bulk_line_not_csv"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
async def test_gb18030_is_refused_with_a_clear_problem(admin, encoding):
    body = ndjson(line("g-1")).decode().encode(encoding)
    response = await post(admin, body)
    assert response.status_code == 415
    problem = response.json()
    assert problem["code"] == "bulk_not_utf8"
    assert problem["detected_encoding"] == "GB18030/GBK"
    assert (await admin.get("/v1/organisations")).json()["items"] == []


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "text/plain", "application/octet-stream", "text/csv; charset=gbk"],
)
async def test_other_media_types_are_415(admin, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await admin.post(
        "/v1/bulk/organisations", content=ndjson(line("m-1")), headers=headers
    )
    assert response.status_code == 415
    assert response.json()["code"] == "bulk_unsupported_media_type"


async def test_an_unknown_resource_is_refused(admin):
    response = await post(admin, ndjson(line("r-1")), resource="spaceships")
    assert response.status_code in (404, 422)


async def test_idempotency_key_replays_the_first_job(admin):
    body = ndjson(line("i-1"), line("i-2"))
    first = await post(admin, body, **{"Idempotency-Key": "load-1"})
    replay = await post(admin, body, **{"Idempotency-Key": "load-1"})
    assert first.status_code == 201 and replay.status_code == 200
    assert replay.json() == first.json()
    other = await post(admin, ndjson(line("i-3")), **{"Idempotency-Key": "load-1"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    # Without a key a repeat is harmless too: an upsert by external id.
    assert outcomes((await post(admin, body)).json()) == ["unchanged", "unchanged"]


async def test_external_ids_belong_to_the_calling_system(make_client):
    one = await make_client(Scope.REGISTRY_WRITE, Scope.REGISTRY_READ, name="system-one")
    two = await make_client(Scope.REGISTRY_WRITE, Scope.REGISTRY_READ, name="system-two")
    body = line("shared-1")
    assert outcomes((await post(one, ndjson(body))).json()) == ["created"]
    clash = (await post(two, ndjson(body))).json()  # same id, other system: a new record…
    assert clash["report"][0]["problems"][0]["code"] == "organisation_exists"  # …same USCC


async def test_a_station_bound_client_only_changes_its_stations_records(admin, make_client):
    beishan = await create_station(admin, BEISHAN)
    qingbo = await create_station(admin, QINGBO)
    mine = await make_client(Scope.REGISTRY_WRITE, station_id=beishan["id"], name="beishan")
    theirs = await make_client(Scope.REGISTRY_WRITE, station_id=qingbo["id"], name="qingbo")
    record = line("s-1")
    created = (await post(mine, ndjson(record))).json()
    assert outcomes(created) == ["created"]
    org = (await admin.get(f"/v1/organisations/{created['report'][0]['id']}")).json()
    assert org["steward"] == {"type": "station", "id": beishan["id"]}

    # The other station's client cannot reach it, not even through the same external id.
    changed = record | {"name": "杭州市上城区改名社会工作服务中心"}
    blocked = (await post(theirs, ndjson(changed))).json()
    assert outcomes(blocked) == ["rejected"]
    assert (await admin.get(f"/v1/organisations/{org['id']}")).json()["name"] == record["name"]
    assert outcomes((await post(mine, ndjson(changed))).json()) == ["updated"]


async def test_an_organisation_bound_client_may_not_bulk_load(admin, make_client):
    org_id = (await post(admin, ndjson(line("o-1")))).json()["report"][0]["id"]
    bound = await make_client(Scope.REGISTRY_WRITE, organisation_id=org_id, name="bound")
    response = await post(bound, ndjson(line("o-2")))
    assert response.status_code == 403


async def test_concurrent_loads_of_one_external_id_make_one_record(admin):
    body = ndjson(line("race-1"))
    results = await asyncio.gather(*(post(admin, body) for _ in range(4)))
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    assert sorted(outcomes(r.json())[0] for r in results) == ["created"] + ["unchanged"] * 3
    assert len({r.json()["report"][0]["id"] for r in results}) == 1
    listed = (await admin.get("/v1/organisations")).json()["items"]
    assert len(listed) == 1


async def test_ten_thousand_lines_well_under_a_minute(admin):
    body = ndjson(*(line(f"big-{n}") for n in range(10_000)))
    started = time.perf_counter()
    response = await post(admin, body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text[:500]
    assert response.json()["created"] == 10_000
    assert elapsed < 30, elapsed


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"-67910", NDJSON),  # what a fuzzer sends for "not a string"
        (b"[1, 2]\n", NDJSON),
        (b"", NDJSON),
        (b"-67910", CSV),
        (b"name,uscc\nx,y\n", CSV),  # no external_id column
        (b'"a\nb",external_id\n1,2\n', CSV),  # the column only on the header's second line
    ],
)
async def test_a_body_not_framed_as_declared_is_422(admin, body, headers):
    response = await post(admin, body, headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "bulk_not_framed"


async def test_hostile_lines_are_rejected_not_500(admin):
    deep = b"{" + b'"a":' * 1 + b"[" * 50_000 + b"]" * 50_000 + b"}\n"
    body = (
        deep
        + b'{"external_id": "h-1", "name": "\\ud800"}\n'  # a lone surrogate
        + b'{"external_id": ["not", "text"]}\n'
        + b'{"external_id": "'
        + b"x" * 200
        + b'"}\n'
        + b'{"external_id": "h-2", "capacity": {"amount": 1e400, "unit": "people"}}\n'
        + b'{"external_id": "\\ud800"}\n'
        + b'{"external_id": "nul\\u0000"}\n'
    )
    response = await post(admin, body)
    assert response.status_code == 201, response.text
    assert outcomes(response.json()) == ["rejected"] * 7


def station_line(external_id: str, township: str = BEISHAN, **overrides) -> dict:
    return {"external_id": external_id, **station_body(township, **overrides)}


async def test_stations_load_with_the_station_rules(admin):
    body = ndjson(
        station_line("st-1"),
        station_line("st-2", QINGBO),
        station_line("st-3", BEISHAN),  # R2: 北山街道 has a station already (line 1)
        station_line("st-4", "330106999"),  # not a township of Hangzhou
    )
    job = (await post(admin, body, resource="stations")).json()
    assert outcomes(job) == ["created", "created", "rejected", "rejected"]
    assert job["report"][2]["problems"][0]["code"] == "station_exists"
    stored = (await admin.get(f"/v1/stations/{job['report'][0]['id']}")).json()
    assert stored["name"] == "杭州市西湖区北山街道社会工作站"

    changed = station_line("st-1", contact_phone="0571-88886666")
    again = await post(admin, ndjson(changed, station_line("st-2", QINGBO)), resource="stations")
    assert outcomes(again.json()) == ["updated", "unchanged"]
    moved = (await post(admin, ndjson(station_line("st-1", QINGBO)), resource="stations")).json()
    assert moved["report"][0]["problems"][0]["code"] == "township_immutable"


async def test_a_station_bound_client_registers_no_station_but_keeps_its_own(admin, make_client):
    bound = await make_client(Scope.REGISTRY_WRITE, station_id=(await create_station(admin))["id"])
    job = (await post(bound, ndjson(station_line("b-1", QINGBO)), resource="stations")).json()
    assert outcomes(job) == ["rejected"]
    assert job["report"][0]["problems"][0]["code"] == "outside_station_binding"


async def test_offices_load_under_their_township_station(admin, make_client):
    station = await create_station(admin, BEISHAN)
    first, second = (c["code"] for c in communities_of(BEISHAN)[:2])
    orphan = communities_of(QINGBO)[0]["code"]  # 清波街道 has no station yet (R5)
    lines = [
        {"external_id": "of-1", "community_code": first, "featured_service": "老年人关爱"},
        {"external_id": "of-2", "community_code": second},
        {"external_id": "of-3", "community_code": orphan},
    ]
    job = (await post(admin, ndjson(*lines), resource="offices")).json()
    assert outcomes(job) == ["created", "created", "rejected"]
    assert job["report"][2]["problems"][0]["code"] == "township_has_no_station"
    office = (await admin.get(f"/v1/offices/{job['report'][0]['id']}")).json()
    assert office["station_id"] == station["id"]

    lines[0] = lines[0] | {"is_demonstration": True}
    again = (await post(admin, ndjson(*lines[:2]), resource="offices")).json()
    assert outcomes(again) == ["updated", "unchanged"]
    moved = [lines[1] | {"community_code": first}]
    refused = (await post(admin, ndjson(*moved), resource="offices")).json()
    assert refused["report"][0]["problems"][0]["code"] == "community_immutable"

    other = await make_client(
        Scope.REGISTRY_WRITE, station_id=(await create_station(admin, QINGBO))["id"]
    )
    third = communities_of(BEISHAN)[2]["code"]
    blocked = (
        await post(other, ndjson({"external_id": "x", "community_code": third}), resource="offices")
    ).json()
    assert blocked["report"][0]["problems"][0]["code"] == "outside_station_binding"


async def test_a_chunk_that_fails_is_replayed_line_by_line(admin, monkeypatch):
    """A clash the batched checks could not see (here: another writer's USCC, hidden from the
    lookup as a race would hide it) rejects its line alone; the chunk's others are created."""
    from service.usecases import bulk

    taken = (await admin.post("/v1/organisations", json=organisation_body())).json()["uscc"]
    real_lookup = bulk._lookup

    async def racing_lookup(session, query, values):
        if values and all(isinstance(v, str) and len(v) == 18 for v in values):
            return []  # the USCC check ran before the other writer committed
        return await real_lookup(session, query, values)

    monkeypatch.setattr(bulk, "_lookup", racing_lookup)
    job = (await post(admin, ndjson(line("r-1"), line("r-2", uscc=taken), line("r-3")))).json()
    assert outcomes(job) == ["created", "rejected", "created"]
    assert job["report"][1]["problems"][0]["code"] == "constraint_violated"
    assert job["report"][1]["id"] is None
    listed = (await admin.get("/v1/organisations")).json()["items"]
    assert len(listed) == 3


async def test_bulk_changes_are_events_like_the_single_endpoints(admin, make_client):
    from tests.api.test_events import everything

    reader = await make_client(Scope.EVENTS_READ)
    first = line("ev-1")
    created = (await post(admin, ndjson(first, line("ev-2")))).json()
    await post(admin, ndjson(first | {"name": "杭州市西湖区改名社会工作服务中心"}))
    await post(admin, ndjson(station_line("ev-s", BEISHAN)), resource="stations")
    items, _ = await everything(reader)
    seen = [(e["type"], e["subject"]["id"], e["subject"]["version"]) for e in items]
    one, two = (entry["id"] for entry in created["report"])
    assert ("organisation.created", one, 1) in seen and ("organisation.created", two, 1) in seen
    assert ("organisation.updated", one, 2) in seen
    assert any(kind == "station.created" for kind, _, _ in seen)
    assert len(seen) == 4
