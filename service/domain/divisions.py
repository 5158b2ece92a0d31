"""Hangzhou's administrative divisions (NBS 2023 statistical division codes) and what they imply.

Codes: district 6 digits, township-level 9, village-level 12. Township digits 7–9 say what kind of
unit it is; only streets, towns and townships (001–399) need a social work station (R2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

CITY_CODE = "3301"
CITY_NAME = "杭州市"

# ASCII digits only; no serial is all zeros (330100 市辖区, township 000, community 000).
_CODE = re.compile(r"3301(?:(?!00)[0-9]{2}(?:(?!000)[0-9]{3}(?:(?!000)[0-9]{3})?)?)?")


class DivisionLevel(StrEnum):
    """Level in the hierarchy city ⊃ district ⊃ township ⊃ community."""

    CITY = "city"
    DISTRICT = "district"
    TOWNSHIP = "township"
    COMMUNITY = "community"


class DivisionKind(StrEnum):
    """What kind of unit a code stands for, read from its name or its digits."""

    CITY = "city"
    DISTRICT = "district"  # 区
    COUNTY = "county"  # 县
    COUNTY_LEVEL_CITY = "county_level_city"  # 县级市
    STREET = "street"  # 街道, township digits 001–099
    TOWN = "town"  # 镇, 100–199
    TOWNSHIP = "township"  # 乡, 200–399
    NON_TOWNSHIP_UNIT = "non_township_unit"  # 开发区、农场…, 400–599: no station
    RESIDENTS_COMMITTEE = "residents_committee"  # 社区/居委会, village digits 001–199
    VILLAGERS_COMMITTEE = "villagers_committee"  # 村委会, 200–399
    OTHER_VILLAGE_UNIT = "other_village_unit"  # 400+


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division as the registry knows it."""

    code: str
    name: str
    level: DivisionLevel
    parent_code: str | None


def level_of(code: str) -> DivisionLevel | None:
    """The level a well-formed Hangzhou code belongs to, or None for anything else."""
    if not _CODE.fullmatch(code):
        return None
    return {
        4: DivisionLevel.CITY,
        6: DivisionLevel.DISTRICT,
        9: DivisionLevel.TOWNSHIP,
        12: DivisionLevel.COMMUNITY,
    }[len(code)]


def kind_of(code: str, name: str) -> DivisionKind:
    """Classify a division by its code digits (townships, communities) or its name (districts)."""
    level = level_of(code)
    if level is DivisionLevel.CITY:
        return DivisionKind.CITY
    if level is DivisionLevel.DISTRICT:
        if name.endswith("县"):
            return DivisionKind.COUNTY
        if name.endswith("市"):
            return DivisionKind.COUNTY_LEVEL_CITY
        return DivisionKind.DISTRICT
    if level is DivisionLevel.TOWNSHIP:
        serial = int(code[6:9])
        if serial < 100:
            return DivisionKind.STREET
        if serial < 200:
            return DivisionKind.TOWN
        if serial < 400:
            return DivisionKind.TOWNSHIP
        return DivisionKind.NON_TOWNSHIP_UNIT
    if level is DivisionLevel.COMMUNITY:
        serial = int(code[9:12])
        if serial < 200:
            return DivisionKind.RESIDENTS_COMMITTEE
        if serial < 400:
            return DivisionKind.VILLAGERS_COMMITTEE
        return DivisionKind.OTHER_VILLAGE_UNIT
    raise ValueError(f"not a Hangzhou division code: {code!r}")


def needs_station(code: str) -> bool:
    """R2: every street, town and township (digits 001–399) gets a station; other units do not."""
    return level_of(code) is DivisionLevel.TOWNSHIP and int(code[6:9]) < 400


def district_code_of(code: str) -> str | None:
    """The county-level code a district, township or community code sits in."""
    level = level_of(code)
    if level is None or level is DivisionLevel.CITY:
        return None
    return code[:6]


def township_code_of(code: str) -> str | None:
    """The township-level code a township or community code sits in."""
    level = level_of(code)
    if level in (DivisionLevel.TOWNSHIP, DivisionLevel.COMMUNITY):
        return code[:9]
    return None


def ancestry(code: str) -> list[str]:
    """The code and every division it lies in, city first: what a service area must name to
    cover it."""
    level = level_of(code)
    if level is None:
        return []
    return [code[:n] for n in (4, 6, 9, 12) if n <= len(code)]
