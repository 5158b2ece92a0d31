"""Load Hangzhou's divisions (NBS 2023 codes) from the packaged CSV.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import csv
import io
from collections.abc import Sequence
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

from service.domain.divisions import district_code_of, kind_of, needs_station

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

division = sa.table(
    "division",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("level", sa.String),
    sa.column("kind", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("district_code", sa.String),
    sa.column("needs_station", sa.Boolean),
)


def upgrade() -> None:
    source = files("service.data").joinpath("hangzhou_divisions.csv").read_text(encoding="utf-8")
    rows = [
        {
            "code": record["code"],
            "name": record["name"],
            "level": record["level"],
            "kind": kind_of(record["code"], record["name"]).value,
            "parent_code": record["parent_code"] or None,
            "district_code": district_code_of(record["code"]),
            "needs_station": needs_station(record["code"]),
        }
        for record in csv.DictReader(io.StringIO(source))
    ]
    # Parents come before children in the file, so foreign keys hold row by row.
    op.bulk_insert(division, rows)


def downgrade() -> None:
    op.execute(division.delete())
