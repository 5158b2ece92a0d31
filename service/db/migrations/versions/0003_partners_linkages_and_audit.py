"""The five societies: organisations, universities, social workers, volunteers and teams,
charity resources, the linkage graph, and the append-only audit log of personal-data reads.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("client_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("fields", JSON_DOCUMENT, nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_client_id", ["client_id"], unique=False)
        batch_op.create_index(
            "ix_audit_event_subject", ["subject_type", "subject_id"], unique=False
        )
    _forbid_changes_to_audit_events()

    op.create_table(
        "organisation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("registration_category", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("is_charity", sa.Boolean(), nullable=False),
        sa.Column("is_social_work_agency", sa.Boolean(), nullable=False),
        sa.Column("service_categories", JSON_DOCUMENT, nullable=False),
        sa.Column("skills", JSON_DOCUMENT, nullable=False),
        sa.Column("service_area", JSON_DOCUMENT, nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("capacity_amount", sa.BigInteger(), nullable=True),
        sa.Column("capacity_unit", sa.String(length=16), nullable=True),
        sa.Column("contact_name", sa.String(length=64), nullable=True),
        sa.Column("contact_phone_ciphertext", sa.Text(), nullable=True),
        sa.Column("contact_phone_masked", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity_unit IS NULL OR capacity_unit IN ('people', 'hours', 'yuan', 'items', 'sessions', 'square_metres')",
            name=op.f("ck_organisation_capacity_unit"),
        ),
        sa.CheckConstraint(
            "kind IN ('social_organisation', 'social_work_agency', 'charity', 'foundation', 'enterprise', 'public_institution')",
            name=op.f("ck_organisation_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'withdrawn')", name=op.f("ck_organisation_status")
        ),
        sa.CheckConstraint(
            "(capacity_amount IS NULL) = (capacity_unit IS NULL)",
            name=op.f("ck_organisation_capacity"),
        ),
        sa.CheckConstraint(
            "(lat IS NULL) = (lon IS NULL)", name=op.f("ck_organisation_location_complete")
        ),
        sa.CheckConstraint(
            "capacity_amount IS NULL OR capacity_amount >= 0",
            name=op.f("ck_organisation_capacity_amount"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_organisation_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("uscc", name=op.f("uq_organisation_uscc")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_name"), ["name"], unique=False)
        batch_op.create_index(
            "ix_organisation_service_area_gin",
            ["service_area"],
            unique=False,
            postgresql_using="gin",
        )
        batch_op.create_index(
            "ix_organisation_service_categories_gin",
            ["service_categories"],
            unique=False,
            postgresql_using="gin",
        )
        batch_op.create_index(
            "ix_organisation_skills_gin", ["skills"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(batch_op.f("ix_organisation_status"), ["status"], unique=False)

    op.create_table(
        "university",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("schools", JSON_DOCUMENT, nullable=False),
        sa.Column("offers", JSON_DOCUMENT, nullable=False),
        sa.Column("service_area", JSON_DOCUMENT, nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_name", sa.String(length=64), nullable=True),
        sa.Column("contact_phone_ciphertext", sa.Text(), nullable=True),
        sa.Column("contact_phone_masked", sa.String(length=32), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'withdrawn')", name=op.f("ck_university_status")
        ),
        sa.CheckConstraint(
            "(lat IS NULL) = (lon IS NULL)", name=op.f("ck_university_location_complete")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_university_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_university")),
        sa.UniqueConstraint("uscc", name=op.f("uq_university_uscc")),
    )
    with op.batch_alter_table("university", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_university_name"), ["name"], unique=False)
        batch_op.create_index(
            "ix_university_offers_gin", ["offers"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(
            "ix_university_service_area_gin", ["service_area"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(batch_op.f("ix_university_status"), ["status"], unique=False)

    op.create_table(
        "volunteer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone_ciphertext", sa.Text(), nullable=False),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("id_number_ciphertext", sa.Text(), nullable=True),
        sa.Column("id_number_index", sa.String(length=64), nullable=True),
        sa.Column("id_number_masked", sa.String(length=18), nullable=True),
        sa.Column("skills", JSON_DOCUMENT, nullable=False),
        sa.Column("service_area", JSON_DOCUMENT, nullable=False),
        sa.Column("home_lat", sa.Float(), nullable=True),
        sa.Column("home_lon", sa.Float(), nullable=True),
        sa.Column("weekly_availability", JSON_DOCUMENT, nullable=False),
        sa.Column("availability_exceptions", JSON_DOCUMENT, nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'withdrawn')", name=op.f("ck_volunteer_status")
        ),
        sa.CheckConstraint(
            "(home_lat IS NULL) = (home_lon IS NULL)", name=op.f("ck_volunteer_home_complete")
        ),
        sa.CheckConstraint(
            "hours_per_week >= 0 AND hours_per_week <= 168",
            name=op.f("ck_volunteer_hours_per_week"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_volunteer_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer")),
        sa.UniqueConstraint("id_number_index", name=op.f("uq_volunteer_id_number_index")),
    )
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_name"), ["name"], unique=False)
        batch_op.create_index(
            "ix_volunteer_service_area_gin", ["service_area"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(
            "ix_volunteer_skills_gin", ["skills"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(batch_op.f("ix_volunteer_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_volunteer_weekly_availability_gin",
            ["weekly_availability"],
            unique=False,
            postgresql_using="gin",
        )

    op.create_table(
        "charity_resource",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("total_quantity", sa.BigInteger(), nullable=False),
        sa.Column("remaining_quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("target_groups", JSON_DOCUMENT, nullable=False),
        sa.Column("service_area", JSON_DOCUMENT, nullable=False),
        sa.Column("restrictions", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('funds', 'goods', 'venue', 'project')", name=op.f("ck_charity_resource_kind")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'withdrawn')", name=op.f("ck_charity_resource_status")
        ),
        sa.CheckConstraint(
            "unit IN ('people', 'hours', 'yuan', 'items', 'sessions', 'square_metres')",
            name=op.f("ck_charity_resource_unit"),
        ),
        sa.CheckConstraint(
            "total_quantity >= 0 AND remaining_quantity >= 0 AND remaining_quantity <= total_quantity",
            name=op.f("ck_charity_resource_quantities"),
        ),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from",
            name=op.f("ck_charity_resource_validity"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_charity_resource_version_positive")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_charity_resource_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charity_resource")),
    )
    with op.batch_alter_table("charity_resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charity_resource_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_charity_resource_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_charity_resource_service_area_gin",
            ["service_area"],
            unique=False,
            postgresql_using="gin",
        )
        batch_op.create_index(batch_op.f("ix_charity_resource_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_charity_resource_target_groups_gin",
            ["target_groups"],
            unique=False,
            postgresql_using="gin",
        )
        batch_op.create_index(batch_op.f("ix_charity_resource_title"), ["title"], unique=False)

    op.create_table(
        "volunteer_team",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("leading_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("skills", JSON_DOCUMENT, nullable=False),
        sa.Column("service_area", JSON_DOCUMENT, nullable=False),
        sa.Column("capacity_people", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'withdrawn')", name=op.f("ck_volunteer_team_status")
        ),
        sa.CheckConstraint(
            "capacity_people IS NULL OR capacity_people >= 0",
            name=op.f("ck_volunteer_team_capacity"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_volunteer_team_version_positive")),
        sa.ForeignKeyConstraint(
            ["leading_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_volunteer_team_leading_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_team")),
    )
    with op.batch_alter_table("volunteer_team", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_team_leading_organisation_id"),
            ["leading_organisation_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_volunteer_team_name"), ["name"], unique=False)
        batch_op.create_index(
            "ix_volunteer_team_service_area_gin",
            ["service_area"],
            unique=False,
            postgresql_using="gin",
        )
        batch_op.create_index(
            "ix_volunteer_team_skills_gin", ["skills"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(batch_op.f("ix_volunteer_team_status"), ["status"], unique=False)

    op.create_table(
        "linkage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("partner_type", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agreement_reference", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('operating_contract', 'supervision', 'practice_base', 'research_base', 'teaching_base', 'case_base', 'resource_partner', 'pairing')",
            name=op.f("ck_linkage_kind"),
        ),
        sa.CheckConstraint(
            "partner_type IN ('organisation', 'university', 'volunteer_team', 'charity_resource', 'social_worker', 'station')",
            name=op.f("ck_linkage_partner_type"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'ended')", name=op.f("ck_linkage_status")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_linkage_period")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_linkage_version_positive")),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_linkage_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage")),
    )
    with op.batch_alter_table("linkage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_linkage_partner", ["partner_type", "partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_linkage_station_id"), ["station_id"], unique=False)
        batch_op.create_index(
            "uq_linkage_one_active_operating_contract",
            ["station_id"],
            unique=True,
            postgresql_where=sa.text("kind = 'operating_contract' AND status = 'active'"),
            sqlite_where=sa.text("kind = 'operating_contract' AND status = 'active'"),
        )

    op.create_table(
        "volunteer_team_member",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "role IN ('leader', 'member')", name=op.f("ck_volunteer_team_member_role")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_team.id"],
            name=op.f("fk_volunteer_team_member_team_id_volunteer_team"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_volunteer_team_member_volunteer_id_volunteer"),
        ),
        sa.PrimaryKeyConstraint("team_id", "volunteer_id", name=op.f("pk_volunteer_team_member")),
    )
    with op.batch_alter_table("volunteer_team_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_team_member_volunteer_id"), ["volunteer_id"], unique=False
        )
        batch_op.create_index(
            "uq_volunteer_team_member_one_leader",
            ["team_id"],
            unique=True,
            postgresql_where=sa.text("role = 'leader'"),
            sqlite_where=sa.text("role = 'leader'"),
        )

    op.create_table(
        "social_worker",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number_ciphertext", sa.Text(), nullable=False),
        sa.Column("id_number_index", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=False),
        sa.Column("phone_ciphertext", sa.Text(), nullable=True),
        sa.Column("phone_masked", sa.String(length=32), nullable=True),
        sa.Column("certificate_level", sa.String(length=16), nullable=False),
        sa.Column("certificate_number", sa.String(length=32), nullable=True),
        sa.Column("employment", sa.String(length=16), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=True),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("employer_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("supervisor_level", sa.String(length=16), nullable=False),
        sa.Column("skills", JSON_DOCUMENT, nullable=False),
        sa.Column("service_area", JSON_DOCUMENT, nullable=False),
        sa.Column("weekly_hours", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "certificate_level = 'none' OR certificate_number IS NOT NULL",
            name=op.f("ck_social_worker_certified_has_number"),
        ),
        sa.CheckConstraint(
            "certificate_level IN ('none', 'assistant', 'intermediate', 'senior')",
            name=op.f("ck_social_worker_certificate_level"),
        ),
        sa.CheckConstraint(
            "employment IN ('full_time', 'part_time')", name=op.f("ck_social_worker_employment")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'withdrawn')", name=op.f("ck_social_worker_status")
        ),
        sa.CheckConstraint(
            "supervisor_level IN ('none', 'municipal', 'provincial', 'national')",
            name=op.f("ck_social_worker_supervisor_level"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_social_worker_version_positive")),
        sa.CheckConstraint(
            "weekly_hours IS NULL OR (weekly_hours >= 0 AND weekly_hours <= 168)",
            name=op.f("ck_social_worker_weekly_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_social_worker_employer_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_social_worker_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_social_worker_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_worker")),
        sa.UniqueConstraint("id_number_index", name=op.f("uq_social_worker_id_number_index")),
    )
    with op.batch_alter_table("social_worker", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_worker_certificate_level"), ["certificate_level"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_social_worker_employer_organisation_id"),
            ["employer_organisation_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_social_worker_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_social_worker_office_id"), ["office_id"], unique=False)
        batch_op.create_index(
            "ix_social_worker_service_area_gin",
            ["service_area"],
            unique=False,
            postgresql_using="gin",
        )
        batch_op.create_index(
            "ix_social_worker_skills_gin", ["skills"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(
            batch_op.f("ix_social_worker_station_id"), ["station_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_social_worker_status"), ["status"], unique=False)


def _forbid_changes_to_audit_events() -> None:
    """The audit trail is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
            " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event"
                " BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


def _allow_dropping_audit_events() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_event_no_{event}")


def downgrade() -> None:
    with op.batch_alter_table("social_worker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_worker_status"))
        batch_op.drop_index(batch_op.f("ix_social_worker_station_id"))
        batch_op.drop_index("ix_social_worker_skills_gin", postgresql_using="gin")
        batch_op.drop_index("ix_social_worker_service_area_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_social_worker_office_id"))
        batch_op.drop_index(batch_op.f("ix_social_worker_name"))
        batch_op.drop_index(batch_op.f("ix_social_worker_employer_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_social_worker_certificate_level"))

    op.drop_table("social_worker")
    with op.batch_alter_table("volunteer_team_member", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_volunteer_team_member_one_leader",
            postgresql_where=sa.text("role = 'leader'"),
            sqlite_where=sa.text("role = 'leader'"),
        )
        batch_op.drop_index(batch_op.f("ix_volunteer_team_member_volunteer_id"))

    op.drop_table("volunteer_team_member")
    with op.batch_alter_table("linkage", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_linkage_one_active_operating_contract",
            postgresql_where=sa.text("kind = 'operating_contract' AND status = 'active'"),
            sqlite_where=sa.text("kind = 'operating_contract' AND status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_linkage_station_id"))
        batch_op.drop_index("ix_linkage_partner")
        batch_op.drop_index(batch_op.f("ix_linkage_kind"))

    op.drop_table("linkage")
    with op.batch_alter_table("volunteer_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_team_status"))
        batch_op.drop_index("ix_volunteer_team_skills_gin", postgresql_using="gin")
        batch_op.drop_index("ix_volunteer_team_service_area_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_volunteer_team_name"))
        batch_op.drop_index(batch_op.f("ix_volunteer_team_leading_organisation_id"))

    op.drop_table("volunteer_team")
    with op.batch_alter_table("charity_resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charity_resource_title"))
        batch_op.drop_index("ix_charity_resource_target_groups_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_charity_resource_status"))
        batch_op.drop_index("ix_charity_resource_service_area_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_charity_resource_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_charity_resource_kind"))

    op.drop_table("charity_resource")
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_weekly_availability_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_volunteer_status"))
        batch_op.drop_index("ix_volunteer_skills_gin", postgresql_using="gin")
        batch_op.drop_index("ix_volunteer_service_area_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_volunteer_name"))

    op.drop_table("volunteer")
    with op.batch_alter_table("university", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_university_status"))
        batch_op.drop_index("ix_university_service_area_gin", postgresql_using="gin")
        batch_op.drop_index("ix_university_offers_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_university_name"))

    op.drop_table("university")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_status"))
        batch_op.drop_index("ix_organisation_skills_gin", postgresql_using="gin")
        batch_op.drop_index("ix_organisation_service_categories_gin", postgresql_using="gin")
        batch_op.drop_index("ix_organisation_service_area_gin", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_organisation_name"))
        batch_op.drop_index(batch_op.f("ix_organisation_kind"))

    op.drop_table("organisation")
    _allow_dropping_audit_events()
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_subject")
        batch_op.drop_index("ix_audit_event_client_id")

    op.drop_table("audit_event")
