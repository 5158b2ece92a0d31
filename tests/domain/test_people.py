"""Social workers: the certificate number follows the level; an office implies its station."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.partners import CertificateLevel
from service.domain.people import PlaceOfService, certificate_problems, place_of_service

L = CertificateLevel
STATION, OTHER_STATION, OFFICE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("level", "number", "codes"),
    [
        (L.NONE, None, []),
        (L.NONE, "", []),
        (L.NONE, "ZJ-0001", ["certificate_number_not_allowed"]),
        (L.ASSISTANT, "ZJ-0001", []),
        (L.INTERMEDIATE, "ZJ-0001", []),
        (L.SENIOR, "ZJ-0001", []),
        (L.ASSISTANT, None, ["certificate_number_required"]),
        (L.INTERMEDIATE, None, ["certificate_number_required"]),
        (L.SENIOR, "", ["certificate_number_required"]),
    ],
)
def test_the_certificate_number_follows_the_level(level, number, codes):
    problems = certificate_problems(level, number)
    assert [p.code for p in problems] == codes
    assert all(p.field == "certificate_number" for p in problems)


@given(st.sampled_from(list(CertificateLevel)), st.one_of(st.none(), st.text(min_size=1)))
def test_exactly_the_certified_carry_a_number(level, number):
    allowed = not certificate_problems(level, number)
    assert allowed == ((level is not L.NONE) == (number is not None))


@pytest.mark.parametrize(
    ("station_id", "office_id", "station_of_office", "named", "place", "codes"),
    [
        (None, None, None, False, PlaceOfService(None, None), []),
        (STATION, None, None, True, PlaceOfService(STATION, None), []),
        (None, OFFICE, STATION, False, PlaceOfService(STATION, OFFICE), []),
        (STATION, OFFICE, STATION, True, PlaceOfService(STATION, OFFICE), []),
        # a station named beside the office must be the office's
        (OTHER_STATION, OFFICE, STATION, True, None, ["office_of_another_station"]),
        (None, OFFICE, STATION, True, None, ["office_of_another_station"]),
        # an office moved to, with the worker's old station not named: the office's station
        (OTHER_STATION, OFFICE, STATION, False, PlaceOfService(STATION, OFFICE), []),
    ],
)
def test_the_place_of_service(station_id, office_id, station_of_office, named, place, codes):
    found, problems = place_of_service(
        station_id=station_id,
        office_id=office_id,
        station_of_office=station_of_office,
        station_named=named,
    )
    assert [p.code for p in problems] == codes
    assert all(p.field == "station_id" for p in problems)
    if place is not None:
        assert found == place
