"""Supervision sessions and their archived versions (R10), training records (R11), the bureau's
evaluations and satisfaction surveys (R17); the hours ledger summed per request and day, kept by
triggers on service_record.

A later migration that rebuilds service_record on SQLite (batch mode) drops its triggers: it must
create them again (`create_sqlite_triggers`), as 0007 does for the audit log's.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The summary follows every change of the ledger, in the same transaction: a record adds its
# hours to its request's day, a deleted one takes them away (an update does both).
POSTGRES_FUNCTION = """
CREATE FUNCTION volunteer_hours_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE volunteer_hours AS summary
       SET hours = summary.hours - OLD.hours, records = summary.records - 1
      FROM offer
     WHERE offer.id = OLD.offer_id
       AND summary.request_id = offer.request_id
       AND summary.service_date = OLD.service_date;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO volunteer_hours (request_id, service_date, station_id, hours, records)
    SELECT offer.request_id, NEW.service_date, offer.station_id, NEW.hours, 1
      FROM offer WHERE offer.id = NEW.offer_id
    ON CONFLICT (request_id, service_date) DO UPDATE
       SET hours = volunteer_hours.hours + EXCLUDED.hours,
           records = volunteer_hours.records + 1;
  END IF;
  RETURN NULL;
END $$
"""
SQLITE_ADD = """
INSERT INTO volunteer_hours (request_id, service_date, station_id, hours, records)
SELECT offer.request_id, NEW.service_date, offer.station_id, NEW.hours, 1
  FROM offer WHERE offer.id = NEW.offer_id
ON CONFLICT (request_id, service_date) DO UPDATE
   SET hours = hours + excluded.hours, records = records + 1;
"""
SQLITE_TAKE = """
UPDATE volunteer_hours SET hours = hours - OLD.hours, records = records - 1
 WHERE service_date = OLD.service_date
   AND request_id = (SELECT request_id FROM offer WHERE id = OLD.offer_id);
"""
SQLITE_TRIGGERS = {
    "insert": SQLITE_ADD,
    "delete": SQLITE_TAKE,
    "update": SQLITE_TAKE + SQLITE_ADD,
}
BACKFILL = """
INSERT INTO volunteer_hours (request_id, service_date, station_id, hours, records)
SELECT offer.request_id, service_record.service_date, offer.station_id,
       sum(service_record.hours), count(*)
  FROM service_record JOIN offer ON offer.id = service_record.offer_id
 GROUP BY offer.request_id, service_record.service_date, offer.station_id
"""


def create_sqlite_triggers() -> None:
    """The summary's triggers on SQLite (one per kind of change)."""
    for event, body in SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER volunteer_hours_on_{event} AFTER {event.upper()} ON service_record"
            f" FOR EACH ROW BEGIN {body} END"
        )


def _volunteer_hours() -> None:
    op.create_table(
        "volunteer_hours",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["resource_request.id"],
            name=op.f("fk_volunteer_hours_request_id_resource_request"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_volunteer_hours_station_id_station")
        ),
        sa.PrimaryKeyConstraint("request_id", "service_date", name=op.f("pk_volunteer_hours")),
    )
    with op.batch_alter_table("volunteer_hours", schema=None) as batch_op:
        batch_op.create_index(
            "ix_volunteer_hours_service_date", ["service_date", "station_id"], unique=False
        )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "sqlite":
        create_sqlite_triggers()
    else:
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER volunteer_hours_keep AFTER INSERT OR UPDATE OR DELETE"
            " ON service_record FOR EACH ROW EXECUTE FUNCTION volunteer_hours_keep()"
        )


def _drop_volunteer_hours() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER volunteer_hours_on_{event}")
    else:
        op.execute("DROP TRIGGER volunteer_hours_keep ON service_record")
        op.execute("DROP FUNCTION volunteer_hours_keep()")
    with op.batch_alter_table("volunteer_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_hours_service_date")
    op.drop_table("volunteer_hours")


def upgrade() -> None:
    _volunteer_hours()
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("evaluator", sa.String(length=128), nullable=False),
        sa.Column("scores", JSON_DOCUMENT, nullable=False),
        sa.Column("overall_score", sa.Float(), nullable=False),
        sa.Column("very_satisfied", sa.Integer(), nullable=True),
        sa.Column("satisfied", sa.Integer(), nullable=True),
        sa.Column("neutral", sa.Integer(), nullable=True),
        sa.Column("dissatisfied", sa.Integer(), nullable=True),
        sa.Column("very_dissatisfied", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by_client_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('recommended_demonstration', 'excellent', 'passed', 'needs_improvement', 'failed')",
            name=op.f("ck_evaluation_outcome"),
        ),
        sa.CheckConstraint(
            "(very_satisfied IS NULL OR very_satisfied >= 0) AND (satisfied IS NULL OR satisfied >= 0) AND (neutral IS NULL OR neutral >= 0) AND (dissatisfied IS NULL OR dissatisfied >= 0) AND (very_dissatisfied IS NULL OR very_dissatisfied >= 0)",
            name=op.f("ck_evaluation_counts"),
        ),
        sa.CheckConstraint(
            "(very_satisfied IS NULL) = (satisfied IS NULL) AND (very_satisfied IS NULL) = (neutral IS NULL) AND (very_satisfied IS NULL) = (dissatisfied IS NULL) AND (very_satisfied IS NULL) = (very_dissatisfied IS NULL)",
            name=op.f("ck_evaluation_satisfaction_complete"),
        ),
        sa.CheckConstraint(
            "overall_score >= 0 AND overall_score <= 100", name=op.f("ck_evaluation_overall_score")
        ),
        sa.CheckConstraint("period_to >= period_from", name=op.f("ck_evaluation_period")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_evaluation_version_positive")),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_evaluation_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
        sa.UniqueConstraint(
            "station_id",
            "period_from",
            "period_to",
            name=op.f("uq_evaluation_station_id_period_from_period_to"),
        ),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_outcome"), ["outcome"], unique=False)

    op.create_table(
        "satisfaction_survey",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("very_satisfied", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("dissatisfied", sa.Integer(), nullable=False),
        sa.Column("very_dissatisfied", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by_client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IN ('questionnaire', 'telephone', 'online', 'home_visit')",
            name=op.f("ck_satisfaction_survey_method"),
        ),
        sa.CheckConstraint("period_to >= period_from", name=op.f("ck_satisfaction_survey_period")),
        sa.CheckConstraint(
            "very_satisfied >= 0 AND satisfied >= 0 AND neutral >= 0 AND dissatisfied >= 0 AND very_dissatisfied >= 0",
            name=op.f("ck_satisfaction_survey_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_satisfaction_survey_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_survey")),
    )
    with op.batch_alter_table("satisfaction_survey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_satisfaction_survey_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "supervision_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("supervisor_type", sa.String(length=16), nullable=False),
        sa.Column("supervisor_id", sa.Uuid(), nullable=False),
        sa.Column("linkage_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("topics", JSON_DOCUMENT, nullable=False),
        sa.Column("attendees", JSON_DOCUMENT, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("correction_note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_client_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "form IN ('individual', 'group', 'on_site', 'remote')",
            name=op.f("ck_supervision_session_form"),
        ),
        sa.CheckConstraint(
            "status IN ('recorded', 'withdrawn')", name=op.f("ck_supervision_session_status")
        ),
        sa.CheckConstraint(
            "supervisor_type IN ('social_worker', 'organisation', 'university')",
            name=op.f("ck_supervision_session_supervisor_type"),
        ),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 1440",
            name=op.f("ck_supervision_session_duration"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_supervision_session_version_positive")),
        sa.ForeignKeyConstraint(
            ["linkage_id"], ["linkage.id"], name=op.f("fk_supervision_session_linkage_id_linkage")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_supervision_session_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_session")),
    )
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_session_linkage_id"), ["linkage_id"], unique=False
        )
        batch_op.create_index(
            "ix_supervision_session_station_held_on", ["station_id", "held_on"], unique=False
        )
        batch_op.create_index(
            "ix_supervision_session_supervisor", ["supervisor_type", "supervisor_id"], unique=False
        )

    op.create_table(
        "supervision_session_version",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("supervisor_type", sa.String(length=16), nullable=False),
        sa.Column("supervisor_id", sa.Uuid(), nullable=False),
        sa.Column("linkage_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("topics", JSON_DOCUMENT, nullable=False),
        sa.Column("attendees", JSON_DOCUMENT, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("correction_note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_client_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "form IN ('individual', 'group', 'on_site', 'remote')",
            name=op.f("ck_supervision_session_version_form"),
        ),
        sa.CheckConstraint(
            "status IN ('recorded', 'withdrawn')",
            name=op.f("ck_supervision_session_version_status"),
        ),
        sa.CheckConstraint(
            "supervisor_type IN ('social_worker', 'organisation', 'university')",
            name=op.f("ck_supervision_session_version_supervisor_type"),
        ),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 1440",
            name=op.f("ck_supervision_session_version_duration"),
        ),
        sa.CheckConstraint(
            "version >= 1", name=op.f("ck_supervision_session_version_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["linkage_id"],
            ["linkage.id"],
            name=op.f("fk_supervision_session_version_linkage_id_linkage"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["supervision_session.id"],
            name=op.f("fk_supervision_session_version_session_id_supervision_session"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_supervision_session_version_station_id_station"),
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "version", name=op.f("pk_supervision_session_version")
        ),
    )
    op.create_table(
        "training_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("social_worker_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("provider_type", sa.String(length=16), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("course_title", sa.String(length=128), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("certificate_number", sa.String(length=64), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_client_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('pre_job', 'supervision', 'continuing_education', 'practice', 'policy')",
            name=op.f("ck_training_record_kind"),
        ),
        sa.CheckConstraint(
            "provider_type IS NULL OR provider_type IN ('organisation', 'university')",
            name=op.f("ck_training_record_provider_type"),
        ),
        sa.CheckConstraint(
            "status IN ('recorded', 'voided')", name=op.f("ck_training_record_status")
        ),
        sa.CheckConstraint(
            "(provider_type IS NULL) = (provider_id IS NULL)",
            name=op.f("ck_training_record_provider"),
        ),
        sa.CheckConstraint("hours > 0 AND hours <= 1000", name=op.f("ck_training_record_hours")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_training_record_version_positive")),
        sa.ForeignKeyConstraint(
            ["social_worker_id"],
            ["social_worker.id"],
            name=op.f("fk_training_record_social_worker_id_social_worker"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_record")),
    )
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_record_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_training_record_provider", ["provider_type", "provider_id"], unique=False
        )
        batch_op.create_index(
            "ix_training_record_worker_completed_on",
            ["social_worker_id", "completed_on"],
            unique=False,
            postgresql_include=["hours", "status"],
        )
        batch_op.create_index(
            "uq_training_record_once",
            ["social_worker_id", "course_title", "completed_on"],
            unique=True,
            postgresql_where=sa.text("status = 'recorded'"),
            sqlite_where=sa.text("status = 'recorded'"),
        )


def downgrade() -> None:
    _drop_volunteer_hours()
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_training_record_once",
            postgresql_where=sa.text("status = 'recorded'"),
            sqlite_where=sa.text("status = 'recorded'"),
        )
        batch_op.drop_index(
            "ix_training_record_worker_completed_on", postgresql_include=["hours", "status"]
        )
        batch_op.drop_index("ix_training_record_provider")
        batch_op.drop_index(batch_op.f("ix_training_record_batch_id"))

    op.drop_table("training_record")
    op.drop_table("supervision_session_version")
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_session_supervisor")
        batch_op.drop_index("ix_supervision_session_station_held_on")
        batch_op.drop_index(batch_op.f("ix_supervision_session_linkage_id"))

    op.drop_table("supervision_session")
    with op.batch_alter_table("satisfaction_survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_survey_station_id"))

    op.drop_table("satisfaction_survey")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_outcome"))

    op.drop_table("evaluation")
