"""`linkage demo`: a small sample of 西湖区 that shows candidates at once, loaded once through
the API's own rules, and removed exactly – never while other records refer to it."""

from __future__ import annotations

import pytest

from service.domain.demo import demo_uscc, is_demo_uscc
from service.domain.errors import Conflict
from service.domain.identity import uscc_problem
from service.usecases.demo import load_demo, remove_demo
from tests.factories.registry import create_office

EXPECTED = {
    "station": 3,
    "office": 3,
    "organisation": 2,
    "linkage": 3,
    "volunteer": 6,
    "resource_request": 2,
}


async def everything(admin) -> dict[str, list[dict]]:
    paths = {
        "station": "/v1/stations",
        "office": "/v1/offices",
        "organisation": "/v1/organisations",
        "linkage": "/v1/linkages",
        "volunteer": "/v1/volunteers",
        "resource_request": "/v1/resource-requests",
    }
    found = {}
    for kind, path in paths.items():
        response = await admin.get(path, params={"page_size": 200})
        assert response.status_code == 200, response.text
        found[kind] = response.json()["items"]
    return found


async def test_the_demo_shows_candidates_at_once_and_goes_without_a_trace(admin, services):
    assert await load_demo(services) == EXPECTED
    loaded = await everything(admin)
    assert {kind: len(items) for kind, items in loaded.items()} == EXPECTED
    assert {s["name"] for s in loaded["station"]} == {
        "杭州市西湖区西溪街道社会工作站",
        "杭州市西湖区翠苑街道社会工作站",
        "杭州市西湖区古荡街道社会工作站",
    }
    assert all(is_demo_uscc(o["uscc"]) for o in loaded["organisation"])

    by_title = {r["title"]: r for r in loaded["resource_request"]}
    visits = await admin.get(
        f"/v1/resource-requests/{by_title['独居老人周末上门探访']['id']}/candidates"
    )
    assert visits.status_code == 200, visits.text
    volunteers = [c for c in visits.json()["candidates"] if c["provider_type"] == "volunteer"]
    assert len(volunteers) >= 2, visits.json()
    casework = await admin.get(
        f"/v1/resource-requests/{by_title['困境家庭个案评估支持']['id']}/candidates"
    )
    assert [c["provider_type"] for c in casework.json()["candidates"]] == ["organisation"]

    removed = await remove_demo(services)
    assert removed == EXPECTED
    assert {kind: len(items) for kind, items in (await everything(admin)).items()} == dict.fromkeys(
        EXPECTED, 0
    )
    assert await remove_demo(services) == {}, "removing nothing is fine"
    assert await load_demo(services) == EXPECTED, "and it loads again"


async def test_the_demo_is_loaded_once(services):
    await load_demo(services)
    with pytest.raises(Conflict) as refused:
        await load_demo(services)
    assert refused.value.code == "demo_data_loaded"


@pytest.mark.parametrize("reference", ["offer", "office"])
async def test_removal_is_refused_while_other_records_refer_to_the_demo(admin, services, reference):
    await load_demo(services)
    loaded = await everything(admin)
    if reference == "offer":
        request = next(
            r for r in loaded["resource_request"] if r["category"] == "volunteer_service"
        )
        offered = await admin.post(f"/v1/resource-requests/{request['id']}/offers", json={"top": 1})
        assert offered.status_code == 201, offered.text
    else:
        await create_office(admin, "330106004055")  # under the demo's 西溪 station

    with pytest.raises(Conflict) as refused:
        await remove_demo(services)
    assert refused.value.code == "demo_data_in_use"
    assert reference in refused.value.detail
    after = await everything(admin)
    assert len(after["station"]) == 3 and len(after["volunteer"]) == 6, "all or nothing"


def test_demo_identifiers_are_valid_and_marked():
    for category, serial in (("52", 1), ("51", 2), ("53", 99999)):
        code = demo_uscc(category, serial)
        assert uscc_problem(code) is None, code
        assert is_demo_uscc(code)
    assert not is_demo_uscc("52330106MJ0000017B")
