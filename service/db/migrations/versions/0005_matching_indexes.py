"""Indexes for matching: providers within a radius of a request (latitude, then longitude).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_volunteer_home_lat_home_lon", "volunteer", ["home_lat", "home_lon"]),
    ("ix_organisation_lat_lon", "organisation", ["lat", "lon"]),
    ("ix_university_lat_lon", "university", ["lat", "lon"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
