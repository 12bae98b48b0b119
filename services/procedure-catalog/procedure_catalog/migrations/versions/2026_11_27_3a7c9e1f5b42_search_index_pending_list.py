"""search index on PostgreSQL: a GIN pending list again, merged in bulk after an import

Revision ID: 3a7c9e1f5b42
Revises: 8f3d6b2a4c10
Create Date: 2026-11-27 06:05:00+00:00

Without a pending list (fastupdate off) each of an import's 6,000 new versions went into the GIN
index entry by entry: the INSERT took 3.9 s of a 12 s import. With it they are collected and merged
in bulk, the INSERT took 2.3 s, and the import then merges what remains at once
(`gin_clean_pending_list`), so no search after it has to scan a long pending list (the reason the
list was turned off). The few versions an announcement adds wait in a short list for autovacuum.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3a7c9e1f5b42"
down_revision: str | Sequence[str] | None = "8f3d6b2a4c10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_procedure_versions_search SET (fastupdate = on)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_procedure_versions_search SET (fastupdate = off)")
