"""The store's tables, declared once with portable SQLAlchemy Core types.

Only portable constructs are used and the tables are made with ``metadata.create_all``, so
``PES_DATABASE_URL`` may point to PostgreSQL as well as to the default SQLite file. Every
other store module reads and writes through these objects, never through table names.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.core.schema import REGISTRY_COLUMNS

__all__ = [
    "FLOAT_COLUMNS",
    "MAX_SOURCE_NAME",
    "TEXT_COLUMNS",
    "audit_table",
    "entities_table",
    "fixes_table",
    "login_throttle_table",
    "login_tokens_table",
    "metadata",
    "source_settings_table",
    "sources_table",
    "uploads_table",
    "users_table",
    "versions_table",
]

#: Registry columns stored as floating point numbers; all the others are stored as text.
FLOAT_COLUMNS: tuple[str, ...] = ("szerokosc", "dlugosc")
TEXT_COLUMNS: tuple[str, ...] = tuple(c for c in REGISTRY_COLUMNS if c not in FLOAT_COLUMNS)
MAX_SOURCE_NAME = 100

metadata = sa.MetaData()

sources_table = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAX_SOURCE_NAME), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

uploads_table = sa.Table(
    "uploads",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

versions_table = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("file_name", sa.Text),
    sa.Column("file_sha256", sa.String(64), sa.ForeignKey("uploads.sha256")),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("is_current", sa.Boolean, nullable=False, default=False),
    # The safety net for concurrent numbering: a duplicate number aborts the transaction.
    sa.UniqueConstraint("source_id", "number", name="uq_versions_source_number"),
)

entities_table = sa.Table(
    "entities",
    metadata,
    # "id" is a registry column (the source's own identifier), so the key is "pk".
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("row_no", sa.Integer, nullable=False),
    *(sa.Column(c, sa.Float if c in FLOAT_COLUMNS else sa.Text) for c in REGISTRY_COLUMNS),
    sa.Index("ix_entities_version_row", "version_id", "row_no"),
)

audit_table = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(200)),  # "user" is reserved in PostgreSQL
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("details", sa.Text),
)

# What the import page remembers per source: the file's column mapping and default type.
source_settings_table = sa.Table(
    "source_settings",
    metadata,
    sa.Column("source", sa.String(MAX_SOURCE_NAME), primary_key=True),
    sa.Column("column_map", sa.Text),  # JSON object: file header -> native column or null
    sa.Column("default_type", sa.String(10)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200)),
)

# Manual fixes, addressed by source name and the entity's stable key
# (geo.registry.keys.stable_keys) so that they survive re-imports of the source.
fixes_table = sa.Table(
    "fixes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(MAX_SOURCE_NAME), nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_name", sa.Text),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # JSON object
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.String(200)),
    sa.Index("ix_fixes_active", "active", "source"),
)

users_table = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Login throttling, one row per key: "klient:<address>" (every login typed from one client) or
# "login:<text typed>" (also names without an account, so the delay does not reveal which
# accounts exist). An attempt is claimed here (counted as failed) before its password is
# checked; ``window_start`` bounds a login's lockout (see geo.store.logins).
login_throttle_table = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True)),
    sa.Column("last_failure_at", sa.DateTime(timezone=True)),
)

# Login tokens of editor sessions: only a SHA-256 of the token is stored; ``client`` is a hash
# of what identifies the browser the login came from.
login_tokens_table = sa.Table(
    "login_tokens",
    metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("login", sa.String(64), nullable=False, index=True),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)
