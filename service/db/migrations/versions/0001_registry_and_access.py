"""Registry and access: divisions, stations, offices, API clients, idempotency records.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "division",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column("district_code", sa.String(length=12), nullable=True),
        sa.Column("needs_station", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "level IN ('city', 'district', 'township', 'community')", name=op.f("ck_division_level")
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["division.code"], name=op.f("fk_division_parent_code_division")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_division")),
    )
    with op.batch_alter_table("division", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_division_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_division_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_division_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "station",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("operating_mode", sa.String(length=32), nullable=True),
        sa.Column("is_demonstration", sa.Boolean(), nullable=False),
        sa.Column("demonstration_year", sa.Integer(), nullable=True),
        sa.Column("facilities", JSON_DOCUMENT, nullable=False),
        sa.Column("management_systems", JSON_DOCUMENT, nullable=False),
        sa.Column("specialties", JSON_DOCUMENT, nullable=False),
        sa.Column("focus_groups", JSON_DOCUMENT, nullable=False),
        sa.Column("service_items", JSON_DOCUMENT, nullable=False),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "operating_mode IS NULL OR operating_mode IN ('purchased_service', 'township_posts')",
            name=op.f("ck_station_operating_mode"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'building', 'operating', 'suspended')",
            name=op.f("ck_station_status"),
        ),
        sa.CheckConstraint(
            "(lat IS NULL) = (lon IS NULL)", name=op.f("ck_station_location_complete")
        ),
        sa.CheckConstraint(
            "NOT is_demonstration OR demonstration_year IS NOT NULL",
            name=op.f("ck_station_demonstration_year"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_station_version_positive")),
        sa.ForeignKeyConstraint(
            ["district_code"], ["division.code"], name=op.f("fk_station_district_code_division")
        ),
        sa.ForeignKeyConstraint(
            ["township_code"], ["division.code"], name=op.f("fk_station_township_code_division")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint("township_code", name=op.f("uq_station_township_code")),
    )
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_station_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_station_status"), ["status"], unique=False)

    op.create_table(
        "api_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", JSON_DOCUMENT, nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_api_client_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_client_key_hash")),
    )
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_client_station_id"), ["station_id"], unique=False)

    op.create_table(
        "office",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("is_demonstration", sa.Boolean(), nullable=False),
        sa.Column("featured_service", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_office_version_positive")),
        sa.ForeignKeyConstraint(
            ["community_code"], ["division.code"], name=op.f("fk_office_community_code_division")
        ),
        sa.ForeignKeyConstraint(
            ["district_code"], ["division.code"], name=op.f("fk_office_district_code_division")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_office_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("community_code", name=op.f("uq_office_community_code")),
    )
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_office_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_office_station_id"), ["station_id"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("resource_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_client.id"],
            name=op.f("fk_idempotency_record_client_id_api_client"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("client_id", "key", name=op.f("uq_idempotency_record_client_id_key")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_expires_at"))
    op.drop_table("idempotency_record")
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_station_id"))
        batch_op.drop_index(batch_op.f("ix_office_district_code"))
    op.drop_table("office")
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_station_id"))
    op.drop_table("api_client")
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_status"))
        batch_op.drop_index(batch_op.f("ix_station_district_code"))
    op.drop_table("station")
    with op.batch_alter_table("division", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_division_parent_code"))
        batch_op.drop_index(batch_op.f("ix_division_level"))
        batch_op.drop_index(batch_op.f("ix_division_district_code"))
    op.drop_table("division")
