"""statistics indexes

Revision ID: 2c8ab7dcab14
Revises: 19767553a2e5
Create Date: 2026-11-26 23:10:08.609326+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2c8ab7dcab14"
down_revision: str | Sequence[str] | None = "19767553a2e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Every column the statistics read, so PostgreSQL answers them from the index alone (index-only
# scans); SQLite has no INCLUDE and keeps a plain expression index.
STATS_COLUMNS = [
    "received_on",
    "finished_on",
    "resolved_on",
    "timeliness",
    "status",
    "channel",
    "paid_online",
    "due_at",
    "paused_since",
    "agency_code",
    "procedure_code",
]


def _open_until() -> sa.TextClause:
    # Must be written exactly as dossier_api.stats.repository.open_until() writes it.
    if op.get_context().dialect.name == "postgresql":
        return sa.text("coalesce(finished_on, DATE '9999-12-31')")
    return sa.text("coalesce(finished_on, '9999-12-31')")


def upgrade() -> None:
    op.create_index("ix_dossiers_stats_open_until", "dossiers", [_open_until()], postgresql_include=STATS_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_dossiers_stats_open_until", table_name="dossiers")
