"""The demo sample `linkage demo` loads: three stations of 西湖区 (西溪, 翠苑, 古荡) with their
community offices, a social work agency running them, a community organisation, six volunteers
with availability and two open requests, so that a newcomer sees real candidates at once.

Every identifier is valid but fictitious and marked: the organisations' Unified Social Credit
Codes read `…MDEM…` after the region (a checked code no registry issued), the volunteers' phones
are in the 199-0000 block. The sample is the same every time, but for the requests' windows,
laid out from the day it is loaded (next Saturday morning, next Monday afternoon, Hangzhou time).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from service.domain.errors import Conflict
from service.domain.identity import uscc_check_character
from service.domain.matching import CHINA_TIME

# The client every demo record is made by (no such key exists: nobody can act as it).
DEMO_CLIENT_ID = uuid.UUID("00000000-0000-4000-8000-0000000de770")
USCC_MARK = "MDEM"  # the 9th–12th characters of a demo organisation's code


def demo_uscc(category: str, serial: int) -> str:
    """A valid Unified Social Credit Code marked as the demo's: `{category}330106MDEM{serial}`
    with its check character."""
    first17 = f"{category}330106{USCC_MARK}{serial:05d}"
    return first17 + uscc_check_character(first17)


def is_demo_uscc(code: str) -> bool:
    """Whether a code is marked as the demo's."""
    return len(code) == 18 and code[8:12] == USCC_MARK


XIXI, CUIYUAN, GUDANG = "330106004", "330106005", "330106007"
PLACES = {  # near each street's office (WGS 84)
    XIXI: (30.2760, 120.1400),
    CUIYUAN: (30.2900, 120.1260),
    GUDANG: (30.2820, 120.1120),
}
STREETS = {XIXI: "西溪街道", CUIYUAN: "翠苑街道", GUDANG: "古荡街道"}
OFFICES = {XIXI: "330106004053", CUIYUAN: "330106005055", GUDANG: "330106007001"}
AGENCY = "杭州市西湖区和众社会工作服务中心"


def stations() -> list[dict[str, Any]]:
    """The three stations' bodies, as POST /v1/stations takes them."""
    return [
        {
            "township_code": code,
            "status": "operating",
            "operating_mode": "purchased_service",
            "facilities": [
                "casework_room",
                "group_activity_room",
                "multifunction_room",
                "archive_room",
                "service_window",
            ],
            "management_systems": ["posts", "finance", "training", "volunteers", "archives"],
            "specialties": ["elderly"],
            "focus_groups": ["elderly_care", "social_assistance", "child_protection"],
            "service_items": [{"title": "独居老人探访", "category": "elderly_care"}],
            "address": f"杭州市西湖区{STREETS[code]}社会工作站（演示）",
            "location": {"lat": PLACES[code][0], "lon": PLACES[code][1]},
        }
        for code in (XIXI, CUIYUAN, GUDANG)
    ]


def offices() -> list[dict[str, Any]]:
    """One community office under each station."""
    return [{"community_code": OFFICES[code]} for code in (XIXI, CUIYUAN, GUDANG)]


def organisations() -> list[dict[str, Any]]:
    """The agency that runs the three stations, and a community organisation."""
    return [
        {
            "name": AGENCY,
            "uscc": demo_uscc("52", 1),
            "kind": "social_work_agency",
            "is_social_work_agency": True,
            "service_categories": ["professional_service", "volunteer_service", "supervision"],
            "skills": ["casework", "group_work", "elderly_care", "supervision"],
            "service_area": ["330106"],
            "location": {"lat": 30.2840, "lon": 120.1300},
            "capacity": {"amount": 12, "unit": "people"},
            "contact_name": "陈静",
            "contact_phone": "19900000001",
        },
        {
            "name": "杭州市西湖区翠苑邻里互助会",
            "uscc": demo_uscc("51", 2),
            "kind": "social_organisation",
            "is_social_work_agency": False,
            "service_categories": ["volunteer_service", "goods"],
            "skills": ["companionship", "meal_assistance", "event_support"],
            "service_area": [CUIYUAN, GUDANG],
            "location": {"lat": 30.2890, "lon": 120.1250},
            "capacity": {"amount": 8, "unit": "people"},
            "contact_name": "赵立",
            "contact_phone": "19900000002",
        },
    ]


def _slots(*weekdays: int, start: str, end: str) -> list[dict[str, Any]]:
    return [{"weekday": day, "start": start, "end": end} for day in weekdays]


VOLUNTEERS: list[tuple[str, str, list[str], list[dict[str, Any]]]] = [
    # name, township, skills, weekly slots
    ("林晓雯", XIXI, ["home_visits", "companionship"], _slots(6, 7, start="08:00", end="12:00")),
    ("黄志强", XIXI, ["home_visits", "driving"], _slots(6, start="08:30", end="17:00")),
    ("吴秀兰", CUIYUAN, ["meal_assistance", "home_visits"], _slots(1, start="14:00", end="18:00")),
    ("郑宇航", CUIYUAN, ["digital_skills", "event_support"], _slots(6, start="09:00", end="12:00")),
    ("孙丽娟", GUDANG, ["elderly_care", "home_visits"], _slots(6, start="07:30", end="11:30")),
    ("钱明杰", GUDANG, ["first_aid", "event_support"], _slots(2, 4, start="18:30", end="21:00")),
]


def volunteers() -> list[dict[str, Any]]:
    """Six volunteers, two living in each street, each with their weekly availability."""
    bodies = []
    for serial, (name, township, skills, weekly) in enumerate(VOLUNTEERS, start=1):
        lat, lon = PLACES[township]
        bodies.append(
            {
                "name": name,
                "phone": f"1990000{serial + 100:04d}",
                "skills": skills,
                "service_area": [township],
                "home_location": {"lat": lat + 0.004 * (serial % 2), "lon": lon - 0.003},
                "availability": {"weekly": weekly, "exceptions": []},
                "hours_per_week": 4 + serial % 3,
            }
        )
    return bodies


def _next(weekday: int, today: date) -> date:
    """The next date with this ISO weekday, after today."""
    return today + timedelta(days=(weekday - today.isoweekday() - 1) % 7 + 1)


def _window(day: date, starts: time, ends: time) -> dict[str, str]:
    return {
        "starts_at": datetime.combine(day, starts, CHINA_TIME).isoformat(),
        "ends_at": datetime.combine(day, ends, CHINA_TIME).isoformat(),
    }


@dataclass(frozen=True, slots=True)
class DemoRequest:
    """A request of the sample, and the township of the station that posts it."""

    township: str
    body: dict[str, Any]


def requests(now: datetime) -> list[DemoRequest]:
    """Two open requests: home visits at 西溪 next Saturday morning (volunteers can serve it),
    casework support at 翠苑 next Monday afternoon (the agency can)."""
    today = now.astimezone(CHINA_TIME).date()
    saturday, monday = _next(6, today), _next(1, today)
    lat, lon = PLACES[XIXI]
    return [
        DemoRequest(
            XIXI,
            {
                "title": "独居老人周末上门探访",
                "category": "volunteer_service",
                "required_skills": ["home_visits"],
                "target_groups": ["elderly"],
                "quantity": 2,
                "unit": "people",
                "division_code": OFFICES[XIXI],
                "location": {"lat": lat + 0.002, "lon": lon},
                "window": _window(saturday, time(9, 30), time(11, 30)),
                "urgency": "normal",
            },
        ),
        DemoRequest(
            CUIYUAN,
            {
                "title": "困境家庭个案评估支持",
                "category": "professional_service",
                "required_skills": ["casework"],
                "quantity": 1,
                "unit": "people",
                "division_code": CUIYUAN,
                "window": _window(monday, time(14, 0), time(17, 0)),
                "urgency": "high",
            },
        ),
    ]


def operating_contract(station_id: uuid.UUID, agency_id: uuid.UUID, today: date) -> dict[str, Any]:
    """R9: the agency runs the station under a contract from this year to the end of the next."""
    return {
        "station_id": str(station_id),
        "partner_type": "organisation",
        "partner_id": str(agency_id),
        "kind": "operating_contract",
        "starts_on": date(today.year, 1, 1).isoformat(),
        "ends_on": date(today.year + 1, 12, 31).isoformat(),
        "agreement_reference": "演示合同（虚构）",
    }


def already_loaded() -> Conflict:
    """The sample is loaded at most once."""
    return Conflict(
        "the demo data is loaded already; `linkage demo --remove` takes it out",
        code="demo_data_loaded",
    )


def in_use(reasons: list[str]) -> Conflict:
    """Records that are not the demo's refer to demo records: removing would break them."""
    return Conflict(
        "other records refer to the demo data: " + "; ".join(reasons),
        code="demo_data_in_use",
        extra={"references": reasons},
    )
