"""events, catalogue copy, portal sync

The kit's event tables (outbox, subscriptions, deliveries, processed events), the copy of the
catalogue's procedure versions, each dossier's national portal sync state, and the external
reference of dossiers filed on the national portal.

Revision ID: 2e90dd8e4603
Revises: 2c8ab7dcab14
Create Date: 2026-11-26 23:44:06.201581+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import motcua_kit.db

revision: str = "2e90dd8e4603"
down_revision: str | Sequence[str] | None = "2c8ab7dcab14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_procedure_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("announcement_number", sa.String(length=100), nullable=True),
        sa.Column(
            "document", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_procedure_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_catalog_procedure_versions_code_version")),
    )
    with op.batch_alter_table("catalog_procedure_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_procedure_versions_code"), ["code"], unique=False)

    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=True),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "paused", name="subscriptionstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_subscriptions")),
        sa.UniqueConstraint("name", name=op.f("uq_event_subscriptions_name")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("agency", sa.String(length=40), nullable=True),
        sa.Column("time", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_events_id")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_events_subject"), ["subject"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_events_type"), ["type"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("processed_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "delivered", "dead", "discarded", name="deliverystatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", motcua_kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("delivered_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("event_sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subscription_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_sequence"],
            ["outbox_events.sequence"],
            name=op.f("fk_event_deliveries_event_sequence_outbox_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["event_subscriptions.id"],
            name=op.f("fk_event_deliveries_subscription_id_event_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
    )
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_event_deliveries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_event_deliveries_order", ["subscription_id", "subject", "event_sequence"], unique=False
        )

    op.create_table(
        "portal_sync",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("portal_code", sa.String(length=100), nullable=False),
        sa.Column("created_on_portal", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_step_id", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("steps_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_payload_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_attempt_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_portal_sync_dossier_id_dossiers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_portal_sync")),
    )
    # Plain ALTERs, not a batch: on SQLite a batch would rebuild `dossiers` from reflection and lose
    # its expression index (ix_dossiers_stats_open_until).
    op.add_column("dossiers", sa.Column("external_system", sa.String(length=40), nullable=True))
    op.add_column("dossiers", sa.Column("external_reference", sa.String(length=100), nullable=True))
    op.create_index(
        "ix_dossiers_external_reference", "dossiers", ["external_system", "external_reference"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_dossiers_external_reference", table_name="dossiers")
    op.drop_column("dossiers", "external_reference")
    op.drop_column("dossiers", "external_system")

    op.drop_table("portal_sync")
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_event_deliveries_order")
        batch_op.drop_index("ix_event_deliveries_due")

    op.drop_table("event_deliveries")
    op.drop_table("processed_events")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_events_type"))
        batch_op.drop_index(batch_op.f("ix_outbox_events_subject"))

    op.drop_table("outbox_events")
    op.drop_table("event_subscriptions")
    with op.batch_alter_table("catalog_procedure_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_procedure_versions_code"))

    op.drop_table("catalog_procedure_versions")
