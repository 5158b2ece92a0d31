"""The README's picture of the station page: a plausible station of 清波街道, drawn by the test
at 1280 px into var/browser-artefacts/station-page.png (docs/station-page.png is a copy of it)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, Watched, screenshot
from tests.factories.graph import linkage_body
from tests.factories.partners import organisation_body
from tests.factories.people import social_worker_body, university_body
from tests.factories.registry import QINGBO, communities_of, station_body
from tests.factories.requests import request_body


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_station_page_as_the_readme_shows_it(watched: Watched, server: Server):
    communities = communities_of(QINGBO)
    with server.api() as admin:
        station = _created(admin.post("/v1/stations", json=station_body(QINGBO)))
        _created(admin.post("/v1/offices", json={"community_code": communities[0]["code"]}))
        for name, level in (
            ("陈静怡", "intermediate"),
            ("周海涛", "assistant"),
            ("吴晓燕", "assistant"),
        ):
            _created(
                admin.post(
                    "/v1/social-workers",
                    json=social_worker_body(
                        name=name,
                        certificate_level=level,
                        station_id=station["id"],
                        service_area=["330102"],
                    ),
                )
            )
        agency = _created(
            admin.post(
                "/v1/organisations",
                json=organisation_body(
                    name="杭州市上城区清波社会工作服务中心", service_area=["330102"]
                ),
            )
        )
        university = _created(admin.post("/v1/universities", json=university_body()))
        _created(
            admin.post(
                "/v1/linkages",
                json=linkage_body(
                    station["id"], "organisation", agency["id"], "operating_contract"
                ),
            )
        )
        _created(
            admin.post(
                "/v1/linkages",
                json=linkage_body(station["id"], "university", university["id"], "practice_base"),
            )
        )
    key = server.issue(
        "qingbo-web", "registry:read", "requests:read", "requests:write", station=station["id"]
    )
    with server.api(key) as own:
        for title, quantity in (("独居老人入户探访", 5), ("青少年暑期课业辅导", 3)):
            _created(
                own.post(
                    "/v1/resource-requests",
                    json=request_body(
                        station["id"],
                        title=title,
                        quantity=quantity,
                        division_code=communities[1]["code"],
                    ),
                )
            )

    page = watched.page
    page.goto(f"{server.base_url}/app/")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_label("工作站编号").fill(station["id"])
    page.get_by_role("button", name="进入").click()
    page.locator("#compliance-title + p").wait_for()

    assert page.locator("#station-name").inner_text() == station["name"]
    assert page.get_by_text("独居老人入户探访").count() == 1
    screenshot(page, "station-page")
