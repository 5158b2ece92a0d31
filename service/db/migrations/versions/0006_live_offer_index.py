"""The live offers, indexed apart: matching sums what they hold of each provider per request.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("status IN ('proposed', 'accepted')")


def upgrade() -> None:
    op.create_index(
        "ix_offer_live",
        "offer",
        ["provider_type", "ends_at"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_offer_live", table_name="offer")
