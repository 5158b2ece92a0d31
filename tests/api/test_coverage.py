"""/v1/reports/coverage: R14 coverage and targets, aggregated in SQL."""

from __future__ import annotations

import pytest

from tests.factories.registry import (
    BEISHAN,
    QINGBO,
    communities_of,
    create_office,
    create_station,
    townships,
)


def district(report: dict, code: str) -> dict:
    return next(row for row in report["districts"] if row["district_code"] == code)


async def test_an_empty_network_against_the_2023_targets(admin):
    response = await admin.get("/v1/reports/coverage", params={"year": 2023})

    assert response.status_code == 200
    report = response.json()
    assert report["year"] == 2023
    assert len(report["districts"]) == 13
    assert report["city"]["townships_needing_station"] == 191
    assert sum(row["townships_needing_station"] for row in report["districts"]) == 191
    assert report["city"]["stations"] == 0
    targets = {target["metric"]: target for target in report["targets"]}
    assert targets["township_coverage"]["target"] == 191
    assert targets["demonstration_stations"]["target"] == 30
    assert targets["offices"]["target"] == 300
    assert targets["offices"]["label_zh"] == "社区特色社会工作室"
    assert not any(target["met"] for target in report["targets"])


async def test_counts_follow_the_registry(admin):
    await create_station(admin, BEISHAN, is_demonstration=True, demonstration_year=2022)
    await create_station(admin, QINGBO, status="building", facilities=[])
    for community in communities_of(BEISHAN)[:3]:
        await create_office(admin, community["code"])
    await create_office(admin, communities_of(QINGBO)[0]["code"], is_demonstration=True)

    report = (await admin.get("/v1/reports/coverage", params={"year": 2021})).json()

    west_lake = district(report, "330106")
    assert west_lake["district_name"] == "西湖区"
    assert (west_lake["stations"], west_lake["operating_stations"]) == (1, 1)
    assert (west_lake["demonstration_stations"], west_lake["offices"]) == (1, 3)
    assert west_lake["coverage_ratio"] == round(1 / west_lake["townships_needing_station"], 4)
    shangcheng = district(report, "330102")
    assert (shangcheng["stations"], shangcheng["operating_stations"]) == (1, 0)
    assert (shangcheng["offices"], shangcheng["demonstration_offices"]) == (1, 1)
    assert report["city"]["stations"] == 2
    assert report["city"]["operating_stations"] == 1
    targets = {target["metric"]: target for target in report["targets"]}
    assert set(targets) == {"operating_stations", "demonstration_stations", "demonstration_offices"}
    assert (targets["operating_stations"]["target"], targets["operating_stations"]["actual"]) == (
        60,
        1,
    )
    assert targets["demonstration_offices"]["actual"] == 1
    assert targets["demonstration_stations"]["ratio"] == 0.1


async def test_full_coverage_of_a_district_meets_nothing_citywide_but_shows_in_the_district(admin):
    fuyang = [row["code"] for row in townships() if row["parent_code"] == "330111"]
    for code in fuyang:
        await create_station(admin, code)

    report = (await admin.get("/v1/reports/coverage")).json()

    assert report["year"] == 2023
    row = district(report, "330111")
    assert row["operating_stations"] == row["townships_needing_station"] == len(fuyang)
    assert row["coverage_ratio"] == 1.0
    assert report["city"]["operating_stations"] == len(fuyang)


@pytest.mark.parametrize("year", ["2022", "2024", "twenty", "2021.5"])
async def test_only_target_years_are_accepted(admin, year):
    response = await admin.get("/v1/reports/coverage", params={"year": year})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "query.year"


async def test_the_report_is_one_aggregate_query_whatever_the_size(admin, count_queries):
    for code in [row["code"] for row in townships()][:20]:
        await create_station(admin, code)

    counter = count_queries()
    response = await admin.get("/v1/reports/coverage")

    assert response.status_code == 200
    report_queries = [s for s in counter.statements if "api_client" not in s]
    assert len(report_queries) == 1
    assert "GROUP BY" in report_queries[0]
