"""Alembic revisions, oldest first: `v<revision>_<slug>.py`."""
