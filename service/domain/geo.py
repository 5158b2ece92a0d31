"""Places: a point on the map and Hangzhou's extent."""

from __future__ import annotations

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
