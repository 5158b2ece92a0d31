"""Resource requests, offers, allocation runs, the volunteer-hour ledger; clients bound to
an organisation (a provider answering its own offers).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_client_id", sa.Uuid(), nullable=False),
        sa.Column("request_count", sa.Integer(), nullable=False),
        sa.Column("candidate_count", sa.Integer(), nullable=False),
        sa.Column("assignment_count", sa.Integer(), nullable=False),
        sa.Column("total_score", sa.Float(), nullable=False),
        sa.Column("solver_seconds", sa.Float(), nullable=True),
        sa.Column("total_seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'applied')",
            name=op.f("ck_allocation_run_status"),
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["division.code"],
            name=op.f("fk_allocation_run_district_code_division"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_run")),
    )
    with op.batch_alter_table("allocation_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_run_status"), ["status"], unique=False)

    op.create_table(
        "resource_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("required_skills", JSON_DOCUMENT, nullable=False),
        sa.Column("target_groups", JSON_DOCUMENT, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("committed_quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilled_quantity", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('volunteer_service', 'professional_service', 'funds', 'goods', 'venue', 'supervision', 'training', 'university_support')",
            name=op.f("ck_resource_request_category"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'partially_committed', 'committed', 'fulfilled', 'closed', 'cancelled', 'expired')",
            name=op.f("ck_resource_request_status"),
        ),
        sa.CheckConstraint(
            "unit IN ('people', 'hours', 'yuan', 'items', 'sessions', 'square_metres')",
            name=op.f("ck_resource_request_unit"),
        ),
        sa.CheckConstraint(
            "urgency IN ('low', 'normal', 'high', 'critical')",
            name=op.f("ck_resource_request_urgency"),
        ),
        sa.CheckConstraint(
            "(lat IS NULL) = (lon IS NULL)", name=op.f("ck_resource_request_location_complete")
        ),
        sa.CheckConstraint(
            "committed_quantity >= 0 AND committed_quantity <= quantity",
            name=op.f("ck_resource_request_committed"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_resource_request_window")),
        sa.CheckConstraint("fulfilled_quantity >= 0", name=op.f("ck_resource_request_fulfilled")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_resource_request_quantity_positive")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_resource_request_version_positive")),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["division.code"],
            name=op.f("fk_resource_request_district_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_resource_request_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_resource_request_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_resource_request_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_request")),
    )
    with op.batch_alter_table("resource_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_request_category"), ["category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_request_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_request_office_id"), ["office_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_request_station_id"), ["station_id"], unique=False
        )
        batch_op.create_index(
            "ix_resource_request_status_ends_at", ["status", "ends_at"], unique=False
        )

    op.create_table(
        "allocation_assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("provider_type", sa.String(length=24), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", JSON_DOCUMENT, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_allocation_assignment_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["resource_request.id"],
            name=op.f("fk_allocation_assignment_request_id_resource_request"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["allocation_run.id"],
            name=op.f("fk_allocation_assignment_run_id_allocation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_assignment")),
        sa.UniqueConstraint(
            "run_id",
            "request_id",
            "provider_type",
            "provider_id",
            name=op.f("uq_allocation_assignment_run_id_request_id_provider_type_provider_id"),
        ),
    )
    with op.batch_alter_table("allocation_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allocation_assignment_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_allocation_assignment_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("provider_type", sa.String(length=24), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("explanation", JSON_DOCUMENT, nullable=False),
        sa.Column("allocation_run_id", sa.Uuid(), nullable=True),
        sa.Column("offered_by_client_id", sa.Uuid(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by_client_id", sa.Uuid(), nullable=True),
        sa.Column("responded_on_behalf", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actual_quantity", sa.Integer(), nullable=True),
        sa.Column("volunteer_hours", sa.Float(), nullable=True),
        sa.Column("beneficiaries", sa.Integer(), nullable=True),
        sa.Column("outcome_note", sa.String(length=2000), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_note", sa.String(length=1000), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "provider_type IN ('volunteer', 'volunteer_team', 'organisation', 'charity_resource', 'university', 'social_worker')",
            name=op.f("ck_offer_provider_type"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'declined', 'withdrawn', 'expired', 'completed')",
            name=op.f("ck_offer_status"),
        ),
        sa.CheckConstraint(
            "actual_quantity IS NULL OR actual_quantity >= 0", name=op.f("ck_offer_actual")
        ),
        sa.CheckConstraint(
            "beneficiaries IS NULL OR beneficiaries >= 0", name=op.f("ck_offer_beneficiaries")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_offer_quantity_positive")),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name=op.f("ck_offer_rating")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_offer_version_positive")),
        sa.CheckConstraint(
            "volunteer_hours IS NULL OR volunteer_hours >= 0", name=op.f("ck_offer_hours")
        ),
        sa.ForeignKeyConstraint(
            ["allocation_run_id"],
            ["allocation_run.id"],
            name=op.f("fk_offer_allocation_run_id_allocation_run"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["resource_request.id"],
            name=op.f("fk_offer_request_id_resource_request"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_offer_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offer_allocation_run_id"), ["allocation_run_id"], unique=False
        )
        batch_op.create_index(
            "ix_offer_provider", ["provider_type", "provider_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_offer_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_station_id"), ["station_id"], unique=False)

    op.create_table(
        "service_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_name", sa.String(length=128), nullable=False),
        sa.Column("project", sa.String(length=128), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("recorder", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hours > 0", name=op.f("ck_service_record_hours_positive")),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_service_record_offer_id_offer")
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_service_record_volunteer_id_volunteer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_record")),
        sa.UniqueConstraint(
            "offer_id", "volunteer_id", name=op.f("uq_service_record_offer_id_volunteer_id")
        ),
    )
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_record_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_service_record_service_date"), ["service_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_record_volunteer_id"), ["volunteer_id"], unique=False
        )

    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_api_client_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_api_client_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_client_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_client_organisation_id"))
        batch_op.drop_column("organisation_id")

    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_record_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_service_record_service_date"))
        batch_op.drop_index(batch_op.f("ix_service_record_offer_id"))

    op.drop_table("service_record")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_station_id"))
        batch_op.drop_index(batch_op.f("ix_offer_request_id"))
        batch_op.drop_index("ix_offer_provider")
        batch_op.drop_index(batch_op.f("ix_offer_allocation_run_id"))

    op.drop_table("offer")
    with op.batch_alter_table("allocation_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_assignment_run_id"))
        batch_op.drop_index(batch_op.f("ix_allocation_assignment_request_id"))

    op.drop_table("allocation_assignment")
    with op.batch_alter_table("resource_request", schema=None) as batch_op:
        batch_op.drop_index("ix_resource_request_status_ends_at")
        batch_op.drop_index(batch_op.f("ix_resource_request_station_id"))
        batch_op.drop_index(batch_op.f("ix_resource_request_office_id"))
        batch_op.drop_index(batch_op.f("ix_resource_request_district_code"))
        batch_op.drop_index(batch_op.f("ix_resource_request_category"))

    op.drop_table("resource_request")
    with op.batch_alter_table("allocation_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_run_status"))

    op.drop_table("allocation_run")
