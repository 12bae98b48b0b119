"""report periods

Revision ID: c085b9d6680f
Revises: b76043309359
Create Date: 2026-11-26 23:59:40.988932+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import motcua_kit.db

revision: str = "c085b9d6680f"
down_revision: str | Sequence[str] | None = "b76043309359"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = ("frozen_reports", "report_period_events")

REFUSE_CHANGE = """
CREATE FUNCTION motcua_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% never change', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(REFUSE_CHANGE)
    op.create_table(
        "report_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_periods")),
        sa.UniqueConstraint("scope", "period", name=op.f("uq_report_periods_scope_period")),
    )
    op.create_table(
        "frozen_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "overview", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "scorecard", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("closed_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["report_periods.id"], name=op.f("fk_frozen_reports_period_id_report_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_reports")),
        sa.UniqueConstraint("period_id", "revision", name=op.f("uq_frozen_reports_period_id_revision")),
    )
    with op.batch_alter_table("frozen_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frozen_reports_period_id"), ["period_id"], unique=False)

    op.create_table(
        "report_period_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"], ["report_periods.id"], name=op.f("fk_report_period_events_period_id_report_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_period_events")),
    )
    with op.batch_alter_table("report_period_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_period_events_period_id"), ["period_id"], unique=False)

    # Frozen revisions and the log are append-only, whoever connects.
    for table in APPEND_ONLY:
        if op.get_context().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION motcua_refuse_change()"
            )
        else:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} never change'); END"
                )


def downgrade() -> None:
    for table in APPEND_ONLY:
        if op.get_context().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{event}")
    with op.batch_alter_table("report_period_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_period_events_period_id"))

    op.drop_table("report_period_events")
    with op.batch_alter_table("frozen_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frozen_reports_period_id"))

    op.drop_table("frozen_reports")
    op.drop_table("report_periods")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION motcua_refuse_change()")
