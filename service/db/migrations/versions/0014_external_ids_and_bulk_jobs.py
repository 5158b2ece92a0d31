"""Integration: the ids other systems give our records, and bulk upsert jobs with their reports.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_id",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_external_id_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint(
            "client_id", "resource", "external_id", name=op.f("pk_external_id")
        ),
    )
    op.create_index(op.f("ix_external_id_record_id"), "external_id", ["record_id"])
    op.create_table(
        "bulk_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("report", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_bulk_job_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_job")),
        sa.UniqueConstraint(
            "client_id", "idempotency_key", name=op.f("uq_bulk_job_client_id_idempotency_key")
        ),
    )
    op.create_index(op.f("ix_bulk_job_client_id"), "bulk_job", ["client_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bulk_job_client_id"), table_name="bulk_job")
    op.drop_table("bulk_job")
    op.drop_index(op.f("ix_external_id_record_id"), table_name="external_id")
    op.drop_table("external_id")
