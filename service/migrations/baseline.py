"""The store's schema as `create_all` made it before migrations existed: the baseline revision, frozen.

Stores made by that code carry no Alembic version; `xstilts db upgrade` checks they hold these
tables and columns, stamps them at the baseline and migrates them from there. Never edit this
file: later schema changes are new revisions.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("salt", String(32), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("rate_limit", Integer, nullable=True),
    Column("owner", String(200), nullable=True),
    Column("scope", String(8), nullable=False, server_default="write"),
)

Table(
    "datasets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("task", String(64), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("examples", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("owner", String(200), nullable=True, index=True),
)

Table(
    "jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("request", JSON, nullable=False),
    Column("dataset_id", String(36), ForeignKey("datasets.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_expires_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("owner", String(200), nullable=True, index=True),
)

Table(
    "job_progress",
    metadata,
    Column("job_id", String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("task", String(64), primary_key=True),
    Column("lang", String(16), primary_key=True),
    Column("method", String(16), primary_key=True),
    Column("done_rows", Integer, nullable=False),
    Column("total_rows", Integer, nullable=False),
    Column("kept", Integer, nullable=False),
    Column("dropped", Integer, nullable=False),
)
