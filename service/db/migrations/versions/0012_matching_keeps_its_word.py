"""Matching that keeps its word (issue 8): a request's preferred skills (required ones become a
hard filter), why an offer lapsed when its request stopped taking offers, and a social worker's
availability (weekly slots and dated exceptions, as a volunteer's).

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0012"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: no table rebuild (which would drop SQLite's triggers).
    op.add_column(
        "resource_request",
        sa.Column(
            "preferred_skills", JSON_DOCUMENT, nullable=False, server_default=sa.text("'[]'")
        ),
    )
    op.add_column("offer", sa.Column("lapse_reason", sa.String(length=32), nullable=True))
    # A social worker's availability, as a volunteer's; NULL: not stated (any time).
    op.add_column("social_worker", sa.Column("weekly_availability", JSON_DOCUMENT, nullable=True))
    op.add_column(
        "social_worker", sa.Column("availability_exceptions", JSON_DOCUMENT, nullable=True)
    )


def downgrade() -> None:
    op.drop_column("social_worker", "availability_exceptions")
    op.drop_column("social_worker", "weekly_availability")
    op.drop_column("offer", "lapse_reason")
    op.drop_column("resource_request", "preferred_skills")
