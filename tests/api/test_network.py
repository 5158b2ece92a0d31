"""GET /v1/stations/{id}/network: a station's five-society picture, in a bounded number of reads."""

from __future__ import annotations

import uuid

from service.domain.access import Scope
from tests.factories.graph import (
    add_charity_resource,
    add_social_worker,
    add_university,
    add_volunteer_team,
    create_linkage,
)
from tests.factories.partners import create_organisation
from tests.factories.registry import BEISHAN, QINGBO, communities_of, create_office, create_station

TONGJUN = "330122003"  # 桐庐县 桐君街道
XIXI = "330106004"  # 西湖区 西溪街道
KINDS = [
    "operating_contract",
    "supervision",
    "practice_base",
    "research_base",
    "teaching_base",
    "case_base",
    "resource_partner",
    "pairing",
]
TYPES = [
    "organisation",
    "university",
    "volunteer_team",
    "charity_resource",
    "social_worker",
    "station",
]


async def organisation(client, name: str, **overrides) -> str:
    created = await create_organisation(client, name=name, **overrides)
    return str(created["id"])


def group(network: dict, partner_type: str) -> dict:
    return next(g for g in network["partners"] if g["partner_type"] == partner_type)


async def test_the_network_groups_partners_counts_linkages_staff_and_offices(admin, services):
    beishan = await create_station(admin, BEISHAN)
    tongjun = await create_station(admin, TONGJUN)
    qingbo = await create_station(admin, QINGBO)
    xixi = await create_station(admin, XIXI)
    sid = beishan["id"]
    agency = await organisation(admin, "阳光社工")
    charity = await organisation(
        admin, "乙慈善会", kind="charity", is_charity=True, is_social_work_agency=False
    )
    university = await add_university(services, name="浙江工业大学")
    supervisor = await add_social_worker(services, name="督导甲", supervisor_level="provincial")
    team = await add_volunteer_team(services, name="北山志愿队")
    goods = await add_charity_resource(services, organisation_id=charity, title="爱心物资")

    contract = await create_linkage(admin, sid, "organisation", agency, "operating_contract")
    await create_linkage(admin, sid, "social_worker", supervisor, "supervision")
    await create_linkage(admin, sid, "university", university, "practice_base")
    await create_linkage(admin, sid, "university", university, "research_base")
    await create_linkage(admin, sid, "organisation", charity, "resource_partner")
    await create_linkage(admin, sid, "charity_resource", goods, "resource_partner")
    await create_linkage(admin, sid, "volunteer_team", team, "resource_partner")
    await create_linkage(admin, sid, "station", tongjun["id"], "pairing")
    theirs = await create_linkage(admin, qingbo["id"], "station", sid, "pairing")  # other side
    suspended = await create_linkage(
        admin, sid, "university", university, "teaching_base", status="suspended"
    )
    ended = await create_linkage(admin, sid, "station", xixi["id"], "pairing", status="ended")
    await create_linkage(admin, qingbo["id"], "university", university, "case_base")  # not ours

    for level, employment, status in [
        ("intermediate", "full_time", "active"),
        ("assistant", "full_time", "active"),
        ("senior", "full_time", "active"),
        ("assistant", "part_time", "active"),
        ("none", "full_time", "active"),
        ("senior", "full_time", "withdrawn"),  # no longer serving
    ]:
        await add_social_worker(
            services,
            station_id=sid,
            certificate_level=level,
            employment=employment,
            status=status,
        )
    await add_social_worker(services, station_id=qingbo["id"])  # another station's
    for community in communities_of(BEISHAN)[:2]:
        await create_office(admin, community["code"])

    response = await admin.get(f"/v1/stations/{sid}/network")

    assert response.status_code == 200, response.text
    network = response.json()
    assert network["station"] == {"id": sid, "name": beishan["name"]}
    assert [g["partner_type"] for g in network["partners"]] == TYPES
    assert {g["partner_type"]: g["count"] for g in network["partners"]} == {
        "organisation": 2,
        "university": 1,
        "volunteer_team": 1,
        "charity_resource": 1,
        "social_worker": 1,
        "station": 2,
    }
    assert group(network, "organisation")["items"] == [
        {
            "partner_id": charity,
            "partner_type": "organisation",
            "name": "乙慈善会",
            "kinds": ["resource_partner"],
            "urban_rural": None,
        },
        {
            "partner_id": agency,
            "partner_type": "organisation",
            "name": "阳光社工",
            "kinds": ["operating_contract"],
            "urban_rural": None,
        },
    ]
    [uni] = group(network, "university")["items"]
    assert (uni["name"], uni["kinds"]) == ("浙江工业大学", ["practice_base", "research_base"])
    assert group(network, "charity_resource")["items"][0]["name"] == "爱心物资"
    assert group(network, "volunteer_team")["items"][0]["name"] == "北山志愿队"
    assert group(network, "social_worker")["items"][0]["name"] == "督*甲"  # no pii:read
    stations = {item["partner_id"]: item for item in group(network, "station")["items"]}
    assert stations[tongjun["id"]]["urban_rural"] is True
    assert stations[tongjun["id"]]["name"] == tongjun["name"]
    assert stations[qingbo["id"]] == {
        "partner_id": qingbo["id"],
        "partner_type": "station",
        "name": qingbo["name"],
        "kinds": ["pairing"],
        "urban_rural": False,
    }

    assert {c["kind"]: c["count"] for c in network["active_linkages_by_kind"]} == dict.fromkeys(
        KINDS, 0
    ) | {
        "operating_contract": 1,
        "supervision": 1,
        "practice_base": 1,
        "research_base": 1,
        "resource_partner": 3,
        "pairing": 2,
    }
    active_ids = {linkage["id"] for linkage in network["active_linkages"]}
    assert len(active_ids) == 9
    assert contract["id"] in active_ids and theirs["id"] in active_ids
    assert suspended["id"] not in active_ids and ended["id"] not in active_ids
    assert network["social_workers"] == {
        "count": 5,
        "certified": 4,
        "full_time_certified": 3,
        "r3_compliant": True,
    }
    assert network["offices"] == {"count": 2}


async def test_the_paired_station_sees_the_pairing_too(admin):
    beishan = await create_station(admin, BEISHAN)
    tongjun = await create_station(admin, TONGJUN)
    pairing = await create_linkage(admin, beishan["id"], "station", tongjun["id"], "pairing")

    network = (await admin.get(f"/v1/stations/{tongjun['id']}/network")).json()

    assert [item["partner_id"] for item in group(network, "station")["items"]] == [beishan["id"]]
    assert group(network, "station")["items"][0]["urban_rural"] is True
    assert [linkage["id"] for linkage in network["active_linkages"]] == [pairing["id"]]


async def test_an_empty_network_and_r3_short_of_staff(admin, services):
    station = await create_station(admin, BEISHAN)
    for _ in range(2):
        await add_social_worker(services, station_id=station["id"])

    network = (await admin.get(f"/v1/stations/{station['id']}/network")).json()

    assert all(g["count"] == 0 and g["items"] == [] for g in network["partners"])
    assert all(c["count"] == 0 for c in network["active_linkages_by_kind"])
    assert network["active_linkages"] == []
    assert network["social_workers"] == {
        "count": 2,
        "certified": 2,
        "full_time_certified": 2,
        "r3_compliant": False,
    }
    assert network["offices"] == {"count": 0}


async def test_unknown_stations_and_other_stations_for_a_bound_client_are_404(admin, make_client):
    own = await create_station(admin, BEISHAN)
    other = await create_station(admin, QINGBO)
    bound = await make_client(Scope.REGISTRY_READ, station_id=own["id"])
    writer = await make_client(Scope.REGISTRY_WRITE)

    assert (await admin.get(f"/v1/stations/{uuid.uuid4()}/network")).status_code == 404
    assert (await admin.get("/v1/stations/x/network")).status_code == 404
    assert (await bound.get(f"/v1/stations/{own['id']}/network")).status_code == 200
    assert (await bound.get(f"/v1/stations/{other['id']}/network")).status_code == 404
    assert (await writer.get(f"/v1/stations/{own['id']}/network")).status_code == 403
    refused = await admin.get(f"/v1/stations/{own['id']}/network", params={"depth": 2})
    assert refused.status_code == 400


async def build_network(admin, services, station_id: str, size: int) -> None:
    for index in range(size):
        await create_linkage(
            admin,
            station_id,
            "university",
            await add_university(services),
            "practice_base",
        )
        await create_linkage(
            admin,
            station_id,
            "volunteer_team",
            await add_volunteer_team(services),
            "resource_partner",
        )
        await create_linkage(
            admin,
            station_id,
            "organisation",
            await organisation(admin, f"机构{index}"),
            "resource_partner",
        )
        await add_social_worker(services, station_id=station_id)
    paired = await create_station(admin, TONGJUN)
    await create_linkage(admin, paired["id"], "station", station_id, "pairing")


async def test_the_network_is_read_in_a_bounded_number_of_queries(admin, services, count_queries):
    small = await create_station(admin, BEISHAN)
    large = await create_station(admin, QINGBO)
    await build_network(admin, services, small["id"], 1)
    await admin.get(f"/v1/stations/{small['id']}/network")  # the API key is cached after this

    counter = count_queries()
    response = await admin.get(f"/v1/stations/{small['id']}/network")
    assert response.status_code == 200
    few = len(counter.statements)

    await create_linkage(admin, large["id"], "station", small["id"], "pairing")
    for _ in range(12):
        await create_linkage(
            admin,
            large["id"],
            "university",
            await add_university(services),
            "practice_base",
        )
        await add_social_worker(services, station_id=large["id"])
    await create_office(admin, communities_of(QINGBO)[0]["code"])
    counter = count_queries()
    response = await admin.get(f"/v1/stations/{large['id']}/network")
    assert response.status_code == 200
    assert group(response.json(), "university")["count"] == 12

    assert len(counter.statements) == few, counter.statements
    assert few <= 4  # the key, the station, its staff, its linkages with their partners' names
