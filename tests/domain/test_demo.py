"""The demo sample's rules: marked identifiers, windows laid out from the day it is loaded,
volunteers who can serve the request meant for them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from service.domain import demo
from service.domain.identity import uscc_problem
from service.domain.matching import CHINA_TIME, Availability


@pytest.mark.parametrize(("category", "serial"), [("52", 1), ("51", 2), ("53", 99_999)])
def test_demo_codes_are_valid_and_marked(category, serial):
    code = demo.demo_uscc(category, serial)
    assert uscc_problem(code) is None
    assert code.startswith(f"{category}330106MDEM")
    assert demo.is_demo_uscc(code)


@pytest.mark.parametrize(
    "code", ["52330106MJ0000017B", "52330106MDEM0000", "52330106XDEM00001X", ""]
)
def test_other_codes_are_not_the_demos(code):
    assert not demo.is_demo_uscc(code)


@pytest.mark.parametrize("day", range(7))
def test_the_requests_fall_on_the_next_saturday_and_monday_in_hangzhou(day):
    now = datetime(2026, 12, 7, 23, 30, tzinfo=CHINA_TIME) + timedelta(days=day)
    visits, casework = demo.requests(now)
    for request, weekday, (begins, ends) in (
        (visits, 6, (time(9, 30), time(11, 30))),
        (casework, 1, (time(14), time(17))),
    ):
        starts = datetime.fromisoformat(request.body["window"]["starts_at"])
        finishes = datetime.fromisoformat(request.body["window"]["ends_at"])
        assert starts.isoweekday() == weekday
        assert timedelta(0) < starts - now <= timedelta(days=7)
        assert (starts.timetz().replace(tzinfo=None), finishes.time()) == (begins, ends)
    assert (visits.township, casework.township) == (demo.XIXI, demo.CUIYUAN)


def test_the_xixi_volunteers_can_serve_the_saturday_visits():
    visits, _ = demo.requests(datetime(2026, 12, 7, 12, tzinfo=CHINA_TIME))
    window = Availability.of(
        datetime.fromisoformat(visits.body["window"]["starts_at"]),
        datetime.fromisoformat(visits.body["window"]["ends_at"]),
    )
    able = [
        body["name"]
        for body in demo.volunteers()
        if body["service_area"] == [demo.XIXI]
        and set(visits.body["required_skills"]) <= set(body["skills"])
        and window.admits(body["availability"]["weekly"], [])
    ]
    assert able == ["林晓雯", "黄志强"]


def test_volunteers_have_distinct_marked_phones_and_every_one_some_availability():
    bodies = demo.volunteers()
    assert len({body["phone"] for body in bodies}) == len(bodies) == 6
    assert all(body["phone"].startswith("1990000") for body in bodies)
    assert all(body["availability"]["weekly"] for body in bodies)


def test_the_agency_runs_each_station_from_this_year_to_the_end_of_the_next():
    contract = demo.operating_contract(
        demo.DEMO_CLIENT_ID, demo.DEMO_CLIENT_ID, datetime(2026, 5, 1).date()
    )
    assert (contract["starts_on"], contract["ends_on"]) == ("2026-01-01", "2027-12-31")
    assert contract["kind"] == "operating_contract"


def test_refusals_say_why():
    assert demo.already_loaded().code == "demo_data_loaded"
    refused = demo.in_use(["1 offer(s)", "2 office(s)"])
    assert refused.code == "demo_data_in_use"
    assert refused.detail.endswith("1 offer(s); 2 office(s)")
    assert refused.extra == {"references": ["1 offer(s)", "2 office(s)"]}
