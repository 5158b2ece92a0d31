"""/v1/evaluations and /v1/satisfaction-surveys: the bureau's (R17); a station reads its own."""

from __future__ import annotations

import pytest

from service.domain.access import Scope
from tests.factories.compliance import evaluation_body, posted, survey_body
from tests.factories.graph import agency
from tests.factories.registry import BEISHAN, QINGBO, create_station


@pytest.fixture
async def beishan(admin) -> dict:
    return await create_station(admin, BEISHAN)


async def test_the_bureau_records_an_evaluation(admin, beishan):
    response = await admin.post("/v1/evaluations", json=evaluation_body(beishan["id"]))

    assert response.status_code == 201, response.text
    evaluation = response.json()
    assert response.headers["location"] == f"/v1/evaluations/{evaluation['id']}"
    assert evaluation["overall_score"] == 87.5
    assert evaluation["satisfaction"] == {
        "very_satisfied": 40,
        "satisfied": 45,
        "neutral": 10,
        "dissatisfied": 4,
        "very_dissatisfied": 1,
        "respondents": 100,
        "satisfaction_rate": 0.85,
    }
    assert evaluation["scores"] == {"facilities": 90, "services": 85}


async def test_one_evaluation_per_station_and_period(admin, beishan):
    await posted(admin, "/v1/evaluations", evaluation_body(beishan["id"]))
    again = await admin.post("/v1/evaluations", json=evaluation_body(beishan["id"]))
    assert again.status_code == 409
    assert again.json()["code"] == "evaluation_exists"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"period_to": "2024-12-31"}, "window_ends_before_start"),
        ({"period_from": "2099-01-01", "period_to": "2099-12-31"}, "date_in_future"),
        ({"scores": {}}, "validation_failed"),
        ({"scores": {"facilities": 101}}, "validation_failed"),
        ({"scores": {"charisma": 50}}, "validation_failed"),
        ({"satisfaction": {"very_satisfied": -1}}, "validation_failed"),
        ({"station_id": "00000000-0000-4000-8000-000000000003"}, "unknown_station"),
    ],
)
async def test_bad_evaluations_are_refused(admin, beishan, change, code):
    response = await admin.post("/v1/evaluations", json=evaluation_body(beishan["id"]) | change)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


async def test_r17_a_station_that_does_not_run_is_not_recommended(admin):
    building = await create_station(admin, QINGBO, status="building")
    response = await admin.post(
        "/v1/evaluations",
        json=evaluation_body(building["id"], outcome="recommended_demonstration"),
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["rule"]) == (
        "demonstration_needs_operation",
        "R17",
    )


async def test_changes_need_the_current_version(admin, beishan):
    evaluation = await posted(admin, "/v1/evaluations", evaluation_body(beishan["id"]))
    path = f"/v1/evaluations/{evaluation['id']}"

    changed = await admin.patch(
        path,
        json={"scores": {"facilities": 70}, "satisfaction": None, "outcome": "needs_improvement"},
        headers={"If-Match": '"1"'},
    )
    stale = await admin.patch(path, json={"note": "复核"}, headers={"If-Match": '"1"'})

    assert changed.status_code == 200, changed.text
    assert (changed.json()["overall_score"], changed.json()["satisfaction"]) == (70, None)
    assert changed.json()["outcome"] == "needs_improvement"
    assert stale.status_code == 412


async def test_evaluations_are_the_bureau_s_and_a_station_reads_its_own(
    admin, make_client, beishan
):
    qingbo = await create_station(admin, QINGBO)
    ours = await posted(admin, "/v1/evaluations", evaluation_body(beishan["id"]))
    theirs = await posted(admin, "/v1/evaluations", evaluation_body(qingbo["id"]))
    scopes = (Scope.REGISTRY_READ, Scope.REGISTRY_WRITE)
    station = await make_client(*scopes, station_id=beishan["id"])
    organisation = await make_client(*scopes, organisation_id=await agency(admin))

    for client, binding in ((station, "station"), (organisation, "organisation")):
        posted_by_bound = await client.post(
            "/v1/evaluations", json=evaluation_body(beishan["id"], period_from="2024-01-01")
        )
        assert posted_by_bound.status_code == 403
        assert posted_by_bound.json()["code"] == f"outside_{binding}_binding"
    assert (await station.get(f"/v1/evaluations/{ours['id']}")).status_code == 200
    assert (await station.get(f"/v1/evaluations/{theirs['id']}")).status_code == 404
    assert [e["id"] for e in (await station.get("/v1/evaluations")).json()["items"]] == [ours["id"]]
    assert (await organisation.get(f"/v1/evaluations/{ours['id']}")).status_code == 404
    assert (await organisation.get("/v1/evaluations")).json()["items"] == []
    patched = await station.patch(
        f"/v1/evaluations/{ours['id']}", json={"note": "自评"}, headers={"If-Match": "*"}
    )
    assert patched.status_code == 403


async def test_filters_by_district_outcome_and_period(admin, beishan):
    qingbo = await create_station(admin, QINGBO)
    await posted(admin, "/v1/evaluations", evaluation_body(beishan["id"]))
    await posted(
        admin,
        "/v1/evaluations",
        evaluation_body(
            qingbo["id"], period_from="2024-01-01", period_to="2024-12-31", outcome="excellent"
        ),
    )

    west_lake = await admin.get("/v1/evaluations", params={"district_code": "330106"})
    excellent = await admin.get("/v1/evaluations", params={"outcome": "excellent"})
    this_year = await admin.get("/v1/evaluations", params={"from": "2025-06-01"})

    assert [e["station_id"] for e in west_lake.json()["items"]] == [beishan["id"]]
    assert [e["station_id"] for e in excellent.json()["items"]] == [qingbo["id"]]
    assert [e["station_id"] for e in this_year.json()["items"]] == [beishan["id"]]


async def test_surveys_are_posted_as_counts(admin, make_client, beishan):
    response = await admin.post("/v1/satisfaction-surveys", json=survey_body(beishan["id"]))
    station = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=beishan["id"])

    assert response.status_code == 201, response.text
    survey = response.json()
    assert survey["satisfaction"]["respondents"] == 40
    assert survey["satisfaction"]["satisfaction_rate"] == 0.8
    assert (await station.get(f"/v1/satisfaction-surveys/{survey['id']}")).status_code == 200
    refused = await station.post("/v1/satisfaction-surveys", json=survey_body(beishan["id"]))
    assert refused.status_code == 403
    reversed_period = await admin.post(
        "/v1/satisfaction-surveys", json=survey_body(beishan["id"], period_to="2025-01-01")
    )
    assert reversed_period.status_code == 422
    listed = await admin.get("/v1/satisfaction-surveys", params={"station_id": beishan["id"]})
    assert [s["id"] for s in listed.json()["items"]] == [survey["id"]]
