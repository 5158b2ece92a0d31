"""Partner records keep their steward; the audit trail keeps the client's binding and searches.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEWARDED = (
    "organisation",
    "university",
    "social_worker",
    "volunteer",
    "volunteer_team",
    "charity_resource",
)
STEWARDS = (("steward_station_id", "station"), ("steward_organisation_id", "organisation"))
SQLITE_AUDIT_TRIGGERS = ("update", "delete")


def upgrade() -> None:
    for table in STEWARDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, referred in STEWARDS:
                batch_op.add_column(sa.Column(column, sa.Uuid(), nullable=True))
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
                batch_op.create_foreign_key(
                    batch_op.f(f"fk_{table}_{column}_{referred}"), referred, [column], ["id"]
                )
            batch_op.create_check_constraint(
                "one_steward", "steward_station_id IS NULL OR steward_organisation_id IS NULL"
            )

    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # rebuilding the table drops its triggers: take them off, put them back after
        _drop_sqlite_audit_triggers()
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_station_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("client_organisation_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_audit_event_client_station_id", ["client_station_id"])
        batch_op.create_index("ix_audit_event_client_organisation_id", ["client_organisation_id"])
    if sqlite:
        _create_sqlite_audit_triggers()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_sqlite_audit_triggers()
    else:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    # Searches that found nobody have no subject; the older schema cannot hold them.
    op.execute("DELETE FROM audit_event WHERE subject_id IS NULL")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_client_organisation_id")
        batch_op.drop_index("ix_audit_event_client_station_id")
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("client_organisation_id")
        batch_op.drop_column("client_station_id")
    if sqlite:
        _create_sqlite_audit_triggers()
    else:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")

    for table in reversed(STEWARDED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_one_steward"), type_="check")
            for column, referred in reversed(STEWARDS):
                batch_op.drop_constraint(
                    batch_op.f(f"fk_{table}_{column}_{referred}"), type_="foreignkey"
                )
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
                batch_op.drop_column(column)


def _drop_sqlite_audit_triggers() -> None:
    for event in SQLITE_AUDIT_TRIGGERS:
        op.execute(f"DROP TRIGGER audit_event_no_{event}")


def _create_sqlite_audit_triggers() -> None:
    for event in SQLITE_AUDIT_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER audit_event_no_{event} BEFORE {event.upper()} ON audit_event"
            " BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )
