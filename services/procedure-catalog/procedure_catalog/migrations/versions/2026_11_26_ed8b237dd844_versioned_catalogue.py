"""versioned catalogue: procedure identity, immutable versions, drafts, announcements, reference lists

The first table of procedures held demo rows only (nothing was deployed) and lacks what a version
needs (agency, channels, validity), so it is dropped and replaced rather than converted; the demo
loader writes the new catalogue.

Search: on SQLite an FTS5 index over the folded search text of versions, kept in step by triggers;
on PostgreSQL a stored, generated `tsvector` column of the same columns (name weighted
above the rest) with a GIN index.

Revision ID: ed8b237dd844
Revises: eb8de7d48c2a
Create Date: 2026-11-26 22:37:08.986405+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import motcua_kit.db

revision: str = "ed8b237dd844"
down_revision: str | Sequence[str] | None = "eb8de7d48c2a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_SEARCH = [
    """CREATE VIRTUAL TABLE procedure_search USING fts5(
        search_name, search_body,
        content='procedure_versions', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER procedure_versions_search_insert AFTER INSERT ON procedure_versions BEGIN
        INSERT INTO procedure_search(rowid, search_name, search_body)
        VALUES (new.id, new.search_name, new.search_body);
    END""",
    """CREATE TRIGGER procedure_versions_search_delete AFTER DELETE ON procedure_versions BEGIN
        INSERT INTO procedure_search(procedure_search, rowid, search_name, search_body)
        VALUES ('delete', old.id, old.search_name, old.search_body);
    END""",
    """CREATE TRIGGER procedure_versions_search_update AFTER UPDATE OF search_name, search_body
    ON procedure_versions BEGIN
        INSERT INTO procedure_search(procedure_search, rowid, search_name, search_body)
        VALUES ('delete', old.id, old.search_name, old.search_body);
        INSERT INTO procedure_search(rowid, search_name, search_body)
        VALUES (new.id, new.search_name, new.search_body);
    END""",
]

# A stored vector (not an expression index): ranking reads it instead of parsing the text again
# for every matching row. No GIN pending list (fastupdate): the catalogue is written rarely and in
# bulk, and a long pending list made every search after an import scan it.
POSTGRES_SEARCH = [
    """ALTER TABLE procedure_versions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, search_name), 'A')
        || setweight(to_tsvector('simple'::regconfig, search_body), 'B')
    ) STORED""",
    "CREATE INDEX ix_procedure_versions_search ON procedure_versions USING gin (search_vector) WITH (fastupdate = off)",
]


def upgrade() -> None:
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_field_code"))
        batch_op.drop_index(batch_op.f("ix_procedures_status"))
    op.drop_table("procedures")
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint("code", name=op.f("uq_procedures_code")),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column(
            "authority_level",
            sa.Enum("central", "province", "district", "commune", name="authoritylevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("title_vi", sa.String(length=1000), nullable=True),
        sa.Column("title_en", sa.String(length=1000), nullable=True),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("decision", "import", name="announcementsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("recorded_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint("effective_on >= signed_on", name=op.f("ck_announcements_effective_after_signing")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint("number", name=op.f("uq_announcements_number")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_effective_on"), ["effective_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_signed_on"), ["signed_on"], unique=False)

    op.create_table(
        "fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fields")),
        sa.UniqueConstraint("code", name=op.f("uq_fields_code")),
    )
    op.create_table(
        "announcement_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum("create", "amend", "abolish", name="changeaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=40), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_changes_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_announcement_changes_procedure_id_procedures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_changes")),
        sa.UniqueConstraint(
            "announcement_id", "position", name=op.f("uq_announcement_changes_announcement_id_position")
        ),
    )
    with op.batch_alter_table("announcement_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_changes_procedure_id"), ["procedure_id"], unique=False)

    op.create_table(
        "procedure_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column(
            "content", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_procedure_drafts_revision_positive")),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_drafts_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_drafts")),
        sa.UniqueConstraint("procedure_id", name=op.f("uq_procedure_drafts_procedure_id")),
    )
    op.create_table(
        "procedure_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("published", "abolished", name="versionstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("published_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "content", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=True),
        sa.Column("field_code", sa.String(length=40), nullable=False),
        sa.Column("field_name_vi", sa.String(length=300), nullable=False),
        sa.Column("field_name_en", sa.String(length=300), nullable=True),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("agency_name_vi", sa.String(length=300), nullable=False),
        sa.Column("agency_name_en", sa.String(length=300), nullable=True),
        sa.Column(
            "authority_level",
            sa.Enum("central", "province", "district", "commune", name="authoritylevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "online_level",
            sa.Enum("full", "partial", "none", name="onlinelevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("legacy_online_level", sa.Integer(), nullable=True),
        sa.Column("in_person", sa.Boolean(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("postal", sa.Boolean(), nullable=False),
        sa.Column("for_citizens", sa.Boolean(), nullable=False),
        sa.Column("for_organisations", sa.Boolean(), nullable=False),
        sa.Column("one_stop", sa.Boolean(), nullable=False),
        sa.Column("inter_agency", sa.Boolean(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False),
        sa.Column("search_body", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "legacy_online_level IS NULL OR legacy_online_level BETWEEN 1 AND 4",
            name=op.f("ck_procedure_versions_legacy_level_range"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_procedure_versions_number_positive")),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > valid_from", name=op.f("ck_procedure_versions_period_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"], ["announcements.id"], name=op.f("fk_procedure_versions_announcement_id_announcements")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_versions_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_versions")),
        sa.UniqueConstraint("procedure_id", "number", name=op.f("uq_procedure_versions_procedure_id_number")),
    )
    with op.batch_alter_table("procedure_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_versions_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedure_versions_announcement_id"), ["announcement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedure_versions_field_code"), ["field_code"], unique=False)
        batch_op.create_index(
            "ix_procedure_versions_procedure_id_valid_from", ["procedure_id", "valid_from"], unique=False
        )
        batch_op.create_index(
            "ix_procedure_versions_valid_from_valid_until", ["valid_from", "valid_until"], unique=False
        )

    statements = SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS procedure_versions_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS procedure_search")
    for table in (
        "procedure_versions",
        "procedure_drafts",
        "announcement_changes",
        "fields",
        "announcements",
        "agencies",
        "procedures",
    ):
        op.drop_table(table)
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=True),
        sa.Column("field_code", sa.String(length=40), nullable=False),
        sa.Column("field_name_vi", sa.String(length=300), nullable=False),
        sa.Column("field_name_en", sa.String(length=300), nullable=True),
        sa.Column("processing_days", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "abolished", name="procedurestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", motcua_kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("processing_days >= 0", name=op.f("ck_procedures_processing_days_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint("code", name=op.f("uq_procedures_code")),
    )
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedures_field_code"), ["field_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedures_status"), ["status"], unique=False)
