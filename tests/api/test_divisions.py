"""/v1/divisions and /v1/vocabularies: the reference data, paginated and filtered."""

from __future__ import annotations

import pytest


async def collect(client, **params) -> list[dict]:
    items: list[dict] = []
    token = None
    while True:
        query = dict(params, page_size=200) | ({"page_token": token} if token else {})
        response = await client.get("/v1/divisions", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        token = page["next_page_token"]
        if token is None:
            return items


@pytest.mark.parametrize(
    ("level", "count"), [("district", 13), ("township", 196), ("community", 3320)]
)
async def test_every_division_of_hangzhou_is_served_across_pages(admin, level, count):
    items = await collect(admin, level=level)

    assert len(items) == count
    codes = [item["code"] for item in items]
    assert codes == sorted(codes)
    assert len(set(codes)) == count


async def test_townships_needing_a_station(admin):
    townships = await collect(admin, level="township")
    assert sum(item["needs_station"] for item in townships) == 191
    kinds = {item["kind"] for item in townships}
    assert kinds == {"street", "town", "township", "non_township_unit"}


async def test_filters_by_parent_and_name(admin):
    west_lake = await collect(admin, parent_code="330106")
    assert all(item["parent_code"] == "330106" for item in west_lake)
    assert "330106002" in [item["code"] for item in west_lake]

    named = await collect(admin, q="北山")
    assert "330106002" in [item["code"] for item in named]
    assert all("北山" in item["name"] for item in named)

    assert await collect(admin, q="%") == []  # a LIKE wildcard is text, not a pattern


async def test_a_division_comes_with_its_parent_chain(admin):
    response = await admin.get("/v1/divisions/330106002")
    assert response.status_code == 200
    division = response.json()
    assert division["name"] == "北山街道"
    assert division["kind"] == "street"
    assert [parent["code"] for parent in division["parents"]] == ["3301", "330106"]
    assert [parent["name"] for parent in division["parents"]] == ["杭州市", "西湖区"]


@pytest.mark.parametrize("code", ["330106999", "1101", "abc", "3301060020019"])
async def test_unknown_codes_are_404(admin, code):
    response = await admin.get(f"/v1/divisions/{code}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_page_tokens_are_opaque_and_checked(admin):
    first = (await admin.get("/v1/divisions", params={"level": "district", "page_size": 5})).json()
    token = first["next_page_token"]
    assert len(first["items"]) == 5 and token

    following = await admin.get(
        "/v1/divisions", params={"level": "district", "page_size": 5, "page_token": token}
    )
    assert following.status_code == 200
    assert following.json()["items"][0]["code"] > first["items"][-1]["code"]

    forged = await admin.get("/v1/divisions", params={"page_token": "not-a-token"})
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_page_token"

    other_filters = await admin.get(
        "/v1/divisions", params={"level": "township", "page_token": token}
    )
    assert other_filters.status_code == 400
    assert other_filters.json()["code"] == "page_token_filter_mismatch"


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 0},
        {"page_size": 201},
        {"page_size": "ten"},
        {"level": "province"},
        {"parent_code": "x"},
        {"colour": "red"},
    ],
)
async def test_bad_query_parameters_are_400(admin, params):
    response = await admin.get("/v1/divisions", params=params)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_parameter", "unknown_query_parameter"}


async def test_vocabularies_carry_chinese_labels(admin):
    response = await admin.get("/v1/vocabularies")
    assert response.status_code == 200
    vocabularies = response.json()["vocabularies"]
    facilities = {term["code"]: term["label_zh"] for term in vocabularies["facility"]}
    assert facilities == {
        "casework_room": "个案工作室",
        "group_activity_room": "小组活动室",
        "multifunction_room": "多功能室",
        "archive_room": "档案室",
        "service_window": "为民服务窗口",
    }
    assert {"focus_group", "specialty", "service_item_category", "operating_mode"} <= set(
        vocabularies
    )
    verdicts = {term["code"]: term["label_zh"] for term in vocabularies["verdict"]}
    assert verdicts["advisory"] == "建议改进"
    assert {"training_kind", "supervision_form", "evaluation_outcome", "rule"} <= set(vocabularies)
