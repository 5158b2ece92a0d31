"""The stations' client end to end in headless Chromium: key entry, a request posted (one field
wrong first), candidates with their reasons, offers, an acceptance made elsewhere showing up,
completion with hours, a rating, the ledger's CSV; accessibility, hostile names, a phone's width.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Server, Watched, axe_violations, screenshot
from tests.factories.graph import linkage_body
from tests.factories.partners import organisation_body, uscc
from tests.factories.registry import station_body
from tests.factories.requests import request_body
from tests.factories.volunteers import volunteer_body

HANGZHOU = ZoneInfo("Asia/Shanghai")
HOSTILE = '阳光社工<img src=x onerror="window.__pwned=1">\u202etxt.exe'
READY = 'main[aria-busy="false"]'  # a view that has drawn all it loads
STATION_SCOPES = ("registry:read", "registry:write", "requests:read", "requests:write")


@dataclass(frozen=True)
class World:
    server: Server
    station: dict[str, Any]
    organisation: dict[str, Any]
    station_key: str
    organisation_key: str


@pytest.fixture(scope="package")
def world(server: Server) -> World:
    """A station of 北山街道, an agency with a hostile name linked to it, a volunteer free every
    day, and the clients a district would issue to both."""
    with server.api() as admin:
        station = admin.post("/v1/stations", json=station_body()).json()
        organisation = admin.post(
            "/v1/organisations",
            json=organisation_body(
                name=HOSTILE,
                uscc=uscc("52"),
                skills=["home_visits", "elderly_care"],
                capacity={"amount": 1, "unit": "people"},  # one place of two
            ),
        )
        assert organisation.status_code == 201, organisation.text
        linked = admin.post(
            "/v1/linkages",
            json=linkage_body(
                station["id"], "organisation", organisation.json()["id"], "operating_contract"
            ),
        )
        assert linked.status_code == 201, linked.text
        every_day = [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(1, 8)]
        volunteer = admin.post(
            "/v1/volunteers",
            json=volunteer_body(
                availability={"weekly": every_day, "exceptions": []}, hours_per_week=40
            ),
        )
        assert volunteer.status_code == 201, volunteer.text
    return World(
        server,
        station,
        organisation.json(),
        server.issue("beishan-web", *STATION_SCOPES, station=station["id"]),
        server.issue(
            "agency-web", "requests:read", "offers:respond", organisation=organisation.json()["id"]
        ),
    )


def sign_in(watched: Watched, world: World) -> Any:
    page = watched.page
    page.goto(f"{world.server.base_url}/app/")
    page.get_by_label("API 密钥").fill(world.station_key)
    page.get_by_label("工作站编号").fill(world.station["id"])
    page.get_by_role("button", name="进入").click()
    page.locator(f'{READY}[data-view="#/station"]').wait_for()
    return page


def window_now() -> tuple[str, str]:
    """A window that has begun (so the work can be completed) and ends later the same day,
    as a Hangzhou datetime-local value."""
    now = datetime.now(UTC).astimezone(HANGZHOU).replace(second=0, microsecond=0)
    midnight = now.replace(hour=0, minute=0)
    starts = max(now - timedelta(minutes=10), midnight)
    ends = min(starts + timedelta(hours=1), midnight + timedelta(hours=23, minutes=59))
    return starts.strftime("%Y-%m-%dT%H:%M"), ends.strftime("%Y-%m-%dT%H:%M")


def only_own_origin(watched: Watched, base_url: str) -> None:
    foreign = [
        url for url in watched.requests if not url.startswith((base_url + "/", "blob:", "data:"))
    ]
    assert foreign == [], foreign


def test_a_station_posts_a_request_and_follows_it_to_the_ledger(watched: Watched, world: World):
    page = sign_in(watched, world)
    assert page.locator("#station-name").inner_text() == world.station["name"]
    screenshot(page, "station-1280")

    page.get_by_role("link", name="发布需求").first.click()
    page.get_by_label("需求标题").fill("独居老人上门探访")
    page.get_by_label("需求类别").select_option("volunteer_service")
    page.get_by_label("数量").fill("2")
    page.get_by_label("单位").select_option("people")
    page.locator('input[name="required_skills"][value="home_visits"]').check()
    starts, ends = window_now()
    page.get_by_label("开始时间（杭州时间）").fill(starts)
    page.get_by_label("结束时间（杭州时间）").fill(starts)  # wrong: the window is empty
    page.get_by_role("button", name="发布需求").click()

    problem = page.locator('[data-field="window.ends_at"] .error')
    problem.wait_for(state="visible")
    assert problem.inner_text().strip()
    assert page.get_by_label("结束时间（杭州时间）").get_attribute("aria-invalid") == "true"
    screenshot(page, "post-problem-1280")

    page.get_by_label("结束时间（杭州时间）").fill(ends)
    page.get_by_role("button", name="发布需求").dblclick()  # a double click posts once
    page.locator("#candidates-title").wait_for()
    with world.server.api(world.station_key) as station:
        posted = station.get(
            "/v1/resource-requests", params={"station_id": world.station["id"]}
        ).json()["items"]
    assert [r["title"] for r in posted] == ["独居老人上门探访"]
    request_id = posted[0]["id"]
    assert page.url.endswith(f"#/requests/{request_id}")

    candidates = page.locator(".candidate")
    candidates.first.wait_for()
    assert candidates.count() == 2
    assert page.locator(".candidate").filter(has_text="李*华").count() == 1, "names masked"
    assert page.locator(".reasons .bar > span").count() >= 2 * 7
    screenshot(page, "candidates-1280")

    for index in range(2):
        page.locator(f"#c-{index}").check()
    page.get_by_role("button", name="邀请选中的服务方").click()
    statuses = page.locator(".offer-status")
    statuses.nth(1).wait_for()
    assert sorted(statuses.all_inner_texts()) == ["待答复", "待答复"]

    # The agency answers from its own system; the page sees it by polling.
    with world.server.api(world.organisation_key) as agency:
        offers = agency.get("/v1/offers", params={"request_id": request_id}).json()["items"]
        assert len(offers) == 1
        assert agency.post(f"/v1/offers/{offers[0]['id']}/accept").status_code == 200
    page.locator('.offer-status[data-status="accepted"]').wait_for(timeout=15_000)

    # The station accepts on the volunteer's behalf, records the work, rates it.
    page.get_by_role("button", name="代为接受").click()
    page.get_by_label("服务时长（小时）").wait_for()
    page.get_by_label("服务时长（小时）").fill("1")
    page.get_by_label("实际数量").first.fill("1")
    volunteer_form = page.locator("form").filter(has=page.get_by_label("服务时长（小时）"))
    volunteer_form.get_by_label("服务成效").fill("探访两户独居老人")
    volunteer_form.get_by_role("button", name="登记完成").click()
    page.get_by_role("button", name="提交评价").wait_for()
    page.get_by_label("评分").select_option("5")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("评分 5").wait_for()
    screenshot(page, "follow-up-1280")

    page.get_by_role("link", name="志愿服务时长").click()
    page.locator("#download-csv").wait_for()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "探访两户独居老人" in rows.first.inner_text()
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("志愿者姓名")
    assert "探访两户独居老人" in csv

    only_own_origin(watched, world.server.base_url)
    failures = [s for s in watched.statuses if not s.startswith("2")]
    assert failures == [f"422 POST {world.server.base_url}/v1/resource-requests"], failures
    assert [e for e in watched.console_errors if "Failed to load resource" not in e] == []


def test_hostile_names_and_titles_are_shown_as_text(watched: Watched, world: World):
    title = '<img src=x onerror="window.__pwned=2">\u202e探访'
    with world.server.api(world.station_key) as station:
        posted = station.post(
            "/v1/resource-requests",
            json=request_body(world.station["id"], title=title),
        )
        assert posted.status_code == 201, posted.text
    page = sign_in(watched, world)

    requests = page.locator("section[aria-labelledby='requests-title']")
    assert title in requests.inner_text()
    assert requests.locator("img").count() == 0
    requests.get_by_role("link", name=title).click()
    page.locator("#request-title").wait_for()
    assert page.locator("#request-title").inner_text() == title
    page.get_by_role("link", name="工作站").click()
    page.locator('main[aria-busy="false"][data-view="#/station"]').wait_for()

    network = page.locator("section[aria-labelledby='network-title']")
    assert HOSTILE in network.inner_text()
    assert network.locator("img").count() == 0
    assert network.locator("bdi", has_text="阳光社工").count() == 1, (
        "isolated from the text around it"
    )
    assert page.evaluate("() => window.__pwned") is None
    assert watched.console_errors == []


PAGES = ["#/station", "#/post", "#/ledger", "#/reports"]


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_is_accessible_and_fits(watched: Watched, world: World, width: int):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{world.server.base_url}/app/")
    page.locator("#sign-in").wait_for()
    assert axe_violations(page) == []
    sign_in(watched, world)
    with world.server.api(world.station_key) as station:
        requests = station.get(
            "/v1/resource-requests", params={"station_id": world.station["id"]}
        ).json()["items"]
    hashes = PAGES + [f"#/requests/{r['id']}" for r in requests[:1]]
    for fragment in hashes:
        page.goto(f"{world.server.base_url}/app/{fragment}")
        page.locator(f'{READY}[data-view="{fragment}"]').wait_for()
        name = fragment.strip("#/").split("/")[0]
        screenshot(page, f"{name}-{width}")
        assert axe_violations(page) == [], fragment
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width + 1, (fragment, overflow)
    only_own_origin(watched, world.server.base_url)
    assert watched.console_errors == []


def test_the_key_lives_in_the_tab_only(watched: Watched, world: World, browser: Any):
    page = sign_in(watched, world)

    assert page.evaluate("() => document.cookie") == ""
    assert page.evaluate("() => localStorage.length") == 0
    assert world.station_key in page.evaluate("() => JSON.stringify(sessionStorage)")
    assert not any(world.station_key in url for url in watched.requests)

    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(f"{world.server.base_url}/app/#/station")
        fresh.locator("#sign-in").wait_for()
    finally:
        other.close()

    page.get_by_role("button", name="退出").click()
    page.locator("#sign-in").wait_for()
    assert page.evaluate("() => sessionStorage.length") == 0


def test_the_page_works_from_the_keyboard(watched: Watched, world: World):
    page = watched.page
    page.goto(f"{world.server.base_url}/app/")
    page.locator("#sign-in").wait_for()

    page.keyboard.type(world.station_key)  # the key field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(world.station["id"])
    page.keyboard.press("Enter")
    page.locator(f'{READY}[data-view="#/station"]').wait_for()

    page.keyboard.press("Tab")  # the focus moved to the view: its first link
    assert page.evaluate("() => document.activeElement.textContent") == "发布资源需求"
    visited = []
    while len(visited) < 8 and (not visited or visited[-1] != "志愿服务时长"):
        page.keyboard.press("Shift+Tab")  # back into the navigation
        visited.append(page.evaluate("() => document.activeElement.textContent"))
    assert visited[-3:] == ["退出", "报表", "志愿服务时长"], visited
    page.keyboard.press("Enter")
    page.locator('main[aria-busy="false"][data-view="#/ledger"]').wait_for()


def test_when_nobody_fits_the_page_says_why(watched: Watched, world: World):
    with world.server.api(world.station_key) as station:
        posted = station.post(
            "/v1/resource-requests",
            json=request_body(
                world.station["id"],
                title="助餐点场地",
                category="venue",
                unit="square_metres",
                quantity=80,
                required_skills=[],
            ),
        )
        assert posted.status_code == 201, posted.text
    page = sign_in(watched, world)
    page.goto(f"{world.server.base_url}/app/#/requests/{posted.json()['id']}")
    page.locator('main[aria-busy="false"]').wait_for()

    removed = page.locator("#removed")
    assert "没有合适的服务方" in removed.inner_text()
    assert page.locator(".candidate").count() == 0


def test_offers_go_to_the_top_n(watched: Watched, world: World):
    with world.server.api(world.station_key) as station:
        posted = station.post(
            "/v1/resource-requests",
            json=request_body(
                world.station["id"], title="社区议事会会务", quantity=1, required_skills=[]
            ),
        )
        assert posted.status_code == 201, posted.text
    page = sign_in(watched, world)
    page.goto(f"{world.server.base_url}/app/#/requests/{posted.json()['id']}")
    page.locator(".candidate").first.wait_for()

    page.get_by_label("或前").fill("1")
    page.get_by_role("button", name="邀请前 N 名").click()
    page.locator(".offer-status").first.wait_for()

    assert page.locator(".offer-status").all_inner_texts() == ["待答复"]
    with world.server.api(world.station_key) as station:
        offers = station.get("/v1/offers", params={"request_id": posted.json()["id"]}).json()
    assert len(offers["items"]) == 1


def test_a_revoked_key_returns_to_key_entry(watched: Watched, world: World):
    key = world.server.issue("short-lived", *STATION_SCOPES, station=world.station["id"])
    page = watched.page
    page.goto(f"{world.server.base_url}/app/")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_label("工作站编号").fill(world.station["id"])
    page.get_by_role("button", name="进入").click()
    page.locator("#station-name").wait_for()
    client_id = next(
        c["id"]
        for c in json.loads(
            subprocess.run(
                [sys.executable, "-m", "service", "clients", "list", "--json"],
                env=world.server.env,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
        )
        if c["name"] == "short-lived"
    )
    subprocess.run(
        [sys.executable, "-m", "service", "clients", "revoke", client_id],
        env=world.server.env,
        capture_output=True,
        timeout=60,
        check=True,
    )

    with world.server.api(key) as revoked:  # in-process caches forget a revoked key within 5 s
        deadline = time.monotonic() + 20
        while revoked.get("/v1/vocabularies").status_code != 401:
            assert time.monotonic() < deadline, "the key still works"
            time.sleep(0.2)
    page.get_by_role("link", name="报表").click()
    page.locator("#sign-in").wait_for()
    assert page.evaluate("() => sessionStorage.length") == 0
