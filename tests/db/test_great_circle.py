"""Matching's radius: a great circle in SQL on both databases, the bounding box only its index's
pre-filter. Properties with figures of the test's own (destination points, the spherical law of
cosines), never the service's haversine."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select

from service.db.repositories.candidates import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON
from service.db.types import great_circle_km
from service.domain.geo import HANGZHOU

R = 6371.0088

lats = st.floats(HANGZHOU.south, HANGZHOU.north)
lons = st.floats(HANGZHOU.west, HANGZHOU.east)


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The point `km` along the great circle leaving (lat, lon) at `bearing` degrees."""
    p1, l1, b, d = math.radians(lat), math.radians(lon), math.radians(bearing), km / R
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


def law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return R * math.acos(max(-1.0, min(1.0, cosine)))


@given(lats, lons, st.floats(0, 360), st.floats(0.01, 1.0), st.floats(0.5, 50))
def test_the_box_holds_every_point_within_the_radius(lat, lon, bearing, share, radius):
    """The pre-filter loses nobody: whatever lies within the radius lies within the box."""
    point_lat, point_lon = destination(lat, lon, bearing, radius * share)
    assert abs(point_lat - lat) <= radius / KM_PER_DEGREE_LAT
    assert abs(point_lon - lon) <= radius / KM_PER_DEGREE_LON


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lats, lons, st.floats(0, 360), st.floats(0.0, 40.0))
async def test_sql_measures_the_great_circle_on_this_database(services, lat, lon, bearing, km):
    point_lat, point_lon = destination(lat, lon, bearing, km)
    query = select(
        great_circle_km(literal(lat), literal(lon), literal(point_lat), literal(point_lon)).label(
            "km"
        )
    )
    async with services.database.read() as reader:
        row = await reader.fetch_one(query)
    assert row is not None
    measured = row["km"]
    # the law of cosines loses a little precision below a few metres; a metre is plenty
    assert measured == pytest.approx(km, abs=1e-3)
    assert measured == pytest.approx(law_of_cosines_km(lat, lon, point_lat, point_lon), abs=1e-3)
