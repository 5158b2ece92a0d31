"""Hangzhou's division codes: levels, kinds, R2 eligibility, and the packaged reference data."""

from __future__ import annotations

import csv
from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest

from service.domain.divisions import (
    DivisionKind,
    DivisionLevel,
    ancestry,
    district_code_of,
    kind_of,
    level_of,
    needs_station,
    township_code_of,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

# Codes the NBS scheme does not define, or that are not made of ASCII digits; every function must
# treat them as "not a Hangzhou code" (None / False / ValueError), never crash with another error.
INVALID_CODES = [
    "",
    "33",
    "330",
    "33010",
    "3302",  # another city (Ningbo)
    "330206",  # a Ningbo district
    "310101",  # Shanghai
    "440106001",  # Guangzhou
    "3301060",  # 7 digits
    "33010600",  # 8 digits
    "3301060011",  # 10 digits
    "33010600100",  # 11 digits
    "3301060010511",  # 13 digits
    "330106001051000",  # 15 digits
    "3301O6",  # letter O
    "33010a",
    "330106-001",
    " 330106",
    "330106 ",
    "３３０１０６",  # full-width, prefix included
    "+3301",
]

# Shapes a loose pattern would let through: a trailing newline, non-ASCII digits, zero serials.
LOOKALIKES = [
    pytest.param("330106\n", id="newline-6"),
    pytest.param("3301\n", id="newline-4"),
    pytest.param("330106001\n", id="newline-9"),
    pytest.param("3301０６", id="fullwidth-digits"),
    pytest.param("330106٠٠١", id="arabic-indic-digits"),
    pytest.param("330100", id="zero-district"),
    pytest.param("330102001000", id="zero-community"),
]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("3301", DivisionLevel.CITY),
        ("330102", DivisionLevel.DISTRICT),
        ("330113", DivisionLevel.DISTRICT),
        ("330182", DivisionLevel.DISTRICT),
        ("330106002", DivisionLevel.TOWNSHIP),
        ("330109505", DivisionLevel.TOWNSHIP),
        ("330102001051", DivisionLevel.COMMUNITY),
        ("330105009401", DivisionLevel.COMMUNITY),
    ],
)
def test_level_of_well_formed_codes(code: str, level: DivisionLevel) -> None:
    assert level_of(code) is level


@pytest.mark.parametrize("code", INVALID_CODES)
def test_invalid_codes_have_no_level_and_no_parents(code: str) -> None:
    assert level_of(code) is None
    assert needs_station(code) is False
    assert district_code_of(code) is None
    assert township_code_of(code) is None
    with pytest.raises(ValueError, match="not a Hangzhou division code"):
        kind_of(code, "某某街道")


@pytest.mark.parametrize("code", LOOKALIKES)
def test_malformed_codes_are_not_codes(code: str) -> None:
    assert level_of(code) is None
    assert needs_station(code) is False


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("3301", "杭州市", DivisionKind.CITY),
        ("330106", "西湖区", DivisionKind.DISTRICT),
        ("330113", "临平区", DivisionKind.DISTRICT),
        ("330114", "钱塘区", DivisionKind.DISTRICT),
        ("330122", "桐庐县", DivisionKind.COUNTY),
        ("330127", "淳安县", DivisionKind.COUNTY),
        ("330182", "建德市", DivisionKind.COUNTY_LEVEL_CITY),
        # township digits 7–9, boundaries of every band; the name is not consulted
        ("330106001", "清波街道", DivisionKind.STREET),
        ("330106099", "x", DivisionKind.STREET),
        ("330106100", "x", DivisionKind.TOWN),
        ("330127111", "枫树岭镇", DivisionKind.TOWN),
        ("330106199", "x", DivisionKind.TOWN),
        ("330127200", "里商乡", DivisionKind.TOWNSHIP),
        ("330106399", "x", DivisionKind.TOWNSHIP),
        ("330109400", "x", DivisionKind.NON_TOWNSHIP_UNIT),
        ("330109401", "萧山经济技术开发区", DivisionKind.NON_TOWNSHIP_UNIT),
        ("330109503", "红山农场", DivisionKind.NON_TOWNSHIP_UNIT),
        ("330109599", "x", DivisionKind.NON_TOWNSHIP_UNIT),
        # village digits 10–12
        ("330102001001", "x", DivisionKind.RESIDENTS_COMMITTEE),
        ("330102001051", "清波门社区", DivisionKind.RESIDENTS_COMMITTEE),
        ("330102001199", "x", DivisionKind.RESIDENTS_COMMITTEE),
        ("330102017200", "沿山村委会", DivisionKind.VILLAGERS_COMMITTEE),
        ("330102017399", "x", DivisionKind.VILLAGERS_COMMITTEE),
        ("330105008400", "上塘未来城类似社区", DivisionKind.OTHER_VILLAGE_UNIT),
        ("330105008999", "x", DivisionKind.OTHER_VILLAGE_UNIT),
    ],
)
def test_kind_of(code: str, name: str, kind: DivisionKind) -> None:
    assert kind_of(code, name) is kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("某某区", DivisionKind.DISTRICT),
        ("某某县", DivisionKind.COUNTY),
        ("某市", DivisionKind.COUNTY_LEVEL_CITY),
    ],
)
def test_county_level_kind_follows_the_name_suffix_not_the_code(
    name: str, kind: DivisionKind
) -> None:
    assert kind_of("330106", name) is kind


@pytest.mark.parametrize(
    ("code", "needed"),
    [
        ("330106001", True),
        ("330106099", True),
        ("330106100", True),
        ("330106199", True),
        ("330106200", True),
        ("330106399", True),
        ("330109400", False),
        ("330109401", False),
        ("330109505", False),
        ("330109599", False),
        # only township-level codes: the city, districts and communities never need one
        ("3301", False),
        ("330106", False),
        ("330106002", True),
        ("330106002001", False),
        ("330127200201", False),
        pytest.param("330106000", False, id="serial-000"),
    ],
)
def test_needs_station_only_for_township_codes_001_to_399(code: str, needed: bool) -> None:
    assert needs_station(code) is needed


@pytest.mark.parametrize(
    ("code", "district", "township"),
    [
        ("3301", None, None),
        ("330106", "330106", None),
        ("330106002", "330106", "330106002"),
        ("330109401", "330109", "330109401"),
        ("330102001051", "330102", "330102001"),
        ("330127216210", "330127", "330127216"),
    ],
)
def test_district_and_township_code_of(
    code: str, district: str | None, township: str | None
) -> None:
    assert district_code_of(code) == district
    assert township_code_of(code) == township


# --- the packaged reference data -------------------------------------------------------------


@pytest.fixture(scope="module")
def packaged() -> dict[str, dict[str, str]]:
    text = files("service.data").joinpath("hangzhou_divisions.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    by_code = {row["code"]: row for row in rows}
    assert len(by_code) == len(rows), "duplicate codes in the packaged CSV"
    return by_code


def _kinds(rows: dict[str, dict[str, str]], level: DivisionLevel) -> Counter[DivisionKind]:
    return Counter(
        kind_of(code, row["name"]) for code, row in rows.items() if row["level"] == level
    )


def test_packaged_data_has_the_2023_counts(packaged: dict[str, dict[str, str]]) -> None:
    levels = Counter(row["level"] for row in packaged.values())
    assert levels == {"city": 1, "district": 13, "township": 196, "community": 3320}
    assert _kinds(packaged, DivisionLevel.DISTRICT) == {
        DivisionKind.DISTRICT: 10,
        DivisionKind.COUNTY: 2,
        DivisionKind.COUNTY_LEVEL_CITY: 1,
    }
    assert _kinds(packaged, DivisionLevel.TOWNSHIP) == {
        DivisionKind.STREET: 93,
        DivisionKind.TOWN: 75,
        DivisionKind.TOWNSHIP: 23,
        DivisionKind.NON_TOWNSHIP_UNIT: 5,
    }
    assert _kinds(packaged, DivisionLevel.COMMUNITY) == {
        DivisionKind.RESIDENTS_COMMITTEE: 1392,
        DivisionKind.VILLAGERS_COMMITTEE: 1906,
        DivisionKind.OTHER_VILLAGE_UNIT: 22,
    }
    assert sum(needs_station(code) for code in packaged) == 191


def test_packaged_data_is_consistent(packaged: dict[str, dict[str, str]]) -> None:
    for code, row in packaged.items():
        level = level_of(code)
        assert level is not None, f"{code} is not classified"
        assert level == row["level"], f"{code}: level {row['level']} but code says {level}"
        kind_of(code, row["name"])  # raises for an unclassifiable code
        parent = row["parent_code"] or None
        if level is DivisionLevel.CITY:
            assert parent is None
            continue
        assert parent in packaged, f"{code} {row['name']}: parent {parent} missing"
        assert code.startswith(parent), f"{code} does not sit inside its parent {parent}"
        expected_parent = {
            DivisionLevel.DISTRICT: "3301",
            DivisionLevel.TOWNSHIP: district_code_of(code),
            DivisionLevel.COMMUNITY: township_code_of(code),
        }[level]
        assert parent == expected_parent


def test_packaged_data_has_the_new_districts(packaged: dict[str, dict[str, str]]) -> None:
    assert packaged["330113"]["name"] == "临平区"
    assert packaged["330114"]["name"] == "钱塘区"
    assert packaged["3301"]["name"] == "杭州市"


@pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"reference copies not present at {SHARED_DATA}"
)
@pytest.mark.parametrize(
    ("file", "level"),
    [
        ("hangzhou_districts.csv", "district"),
        ("hangzhou_townships.csv", "township"),
        ("hangzhou_communities.csv", "community"),
    ],
)
def test_packaged_data_matches_the_shared_reference(
    packaged: dict[str, dict[str, str]], file: str, level: str
) -> None:
    with (SHARED_DATA / file).open(encoding="utf-8", newline="") as handle:
        reference = {
            row["code"]: (row["name"], row["parent_code"]) for row in csv.DictReader(handle)
        }
    ours = {
        code: (row["name"], row["parent_code"])
        for code, row in packaged.items()
        if row["level"] == level
    }
    assert sorted(ours.keys() - reference.keys()) == [], "codes only in the packaged CSV"
    assert sorted(reference.keys() - ours.keys()) == [], "codes missing from the packaged CSV"
    differing = {
        code: (ours[code], reference[code]) for code in ours if ours[code] != reference[code]
    }
    assert differing == {}, "name or parent differs (packaged, reference)"


@pytest.mark.parametrize(
    ("code", "lineage"),
    [
        ("3301", ["3301"]),
        ("330106", ["3301", "330106"]),
        ("330106002", ["3301", "330106", "330106002"]),
        ("330106002001", ["3301", "330106", "330106002", "330106002001"]),
        ("33010600200", []),
        ("110101", []),
    ],
)
def test_a_code_lies_in_every_division_its_prefixes_name(code, lineage):
    assert ancestry(code) == lineage
