"""The demo sample's records (`linkage demo`), so that `linkage demo --remove` finds them.

Revision ID: 0015
Revises: 0016 (main had 0016 on 0011 already; rechained after merging it)
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demo_record",
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_type", "record_id", name=op.f("pk_demo_record")),
    )


def downgrade() -> None:
    op.drop_table("demo_record")
