"""Places: a point on the map and Hangzhou's extent."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS 84 coordinate."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A latitude/longitude rectangle."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, point: Point) -> bool:
        """Whether the point lies inside the box, edges included."""
        return self.south <= point.lat <= self.north and self.west <= point.lon <= self.east


# Hangzhou's municipal territory (淳安 in the south-west to 钱塘 in the east), with a small margin.
HANGZHOU = BoundingBox(south=29.18, west=118.33, north=30.57, east=120.73)


EARTH_RADIUS_KM = 6371.0088


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine), in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
