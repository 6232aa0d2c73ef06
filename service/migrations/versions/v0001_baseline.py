"""Baseline: the tables of API keys, datasets, jobs and job progress as they were before migrations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from service.migrations import baseline

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    baseline.metadata.create_all(op.get_bind())


def downgrade() -> None:
    baseline.metadata.drop_all(op.get_bind())
