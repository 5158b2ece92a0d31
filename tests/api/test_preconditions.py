"""If-Match compares strongly (RFC 9110 §13.1.1); If-None-Match weakly (§13.1.2)."""

from __future__ import annotations

import pytest

from service.http.preconditions import parse_if_match
from service.http.problems import ProblemError
from tests.factories.registry import create_station


@pytest.mark.parametrize(
    ("value", "versions"),
    [
        ("*", None),
        (' "*" ', frozenset()),  # a tag whose opaque text is a star, not the wildcard
        ('"1"', {1}),
        ('W/"1"', frozenset()),  # weak: never matches under strong comparison
        ('"7", "1"', {1, 7}),
        ('W/"1", "2"', {2}),
        ('"abc"', frozenset()),  # well-formed, not one of ours: matches nothing (412)
        ('"01"', frozenset()),  # strong comparison is character by character: "01" is not "1"
        ('"1", ,"2",', {1, 2}),  # empty list members are allowed
        ('""', frozenset()),
        ('"9999999999999999999"', frozenset()),  # longer than any version we issue
        ('"\u00e9"', frozenset()),  # obs-text is allowed in an opaque tag
    ],
)
def test_if_match_names_the_versions_it_accepts(value, versions):
    expected = None if versions is None else frozenset(versions)
    assert parse_if_match(value) == expected


@pytest.mark.parametrize(
    "value", ["1", '"1', '1"', "W/1", 'w/"1"', '"1" "2"', '"a"b"', "", " ", '*, "1"', '"\x7f"']
)
def test_what_is_not_a_list_of_entity_tags_is_400(value):
    with pytest.raises(ProblemError) as raised:
        parse_if_match(value)
    assert (raised.value.status, raised.value.code) == (400, "invalid_if_match")


@pytest.fixture
async def station(admin):
    return await create_station(admin)


async def patch(admin, station, if_match):
    return await admin.patch(
        f"/v1/stations/{station['id']}",
        json={"specialties": ["youth"]},
        headers={"If-Match": if_match},
    )


@pytest.mark.parametrize("if_match", ['W/"1"', '"abc"', '"2"', '"01"', 'W/"1", "3"'])
async def test_a_well_formed_tag_that_does_not_match_is_412(admin, station, if_match):
    response = await patch(admin, station, if_match)
    assert response.status_code == 412, response.text
    assert response.json()["current_version"] == 1
    after = await admin.get(f"/v1/stations/{station['id']}")
    assert after.headers["ETag"] == '"1"'  # nothing changed


@pytest.mark.parametrize("if_match", ['"1"', '"5", "1"', 'W/"1", "1"', "*"])
async def test_a_list_matches_when_any_strong_member_does(admin, station, if_match):
    response = await patch(admin, station, if_match)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'


async def test_a_malformed_if_match_is_400(admin, station):
    response = await patch(admin, station, "1")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_if_match"


async def test_if_none_match_compares_weakly(admin, station):
    url = f"/v1/stations/{station['id']}"
    for tag in ('"1"', 'W/"1"', '"7", W/"1"', "*"):
        assert (await admin.get(url, headers={"If-None-Match": tag})).status_code == 304, tag
    assert (await admin.get(url, headers={"If-None-Match": '"2"'})).status_code == 200
