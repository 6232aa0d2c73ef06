"""Alembic's environment: migrations run on the connection `service.migrate` passes in, or, from the
`alembic` command line (writing revisions), on the store of XSTILTS_DATABASE_URL / XSTILTS_DATA_DIR."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from service.db import Base, import_tables, make_engine


def run(connection: Connection) -> None:
    import_tables()
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from service.settings import Settings

    engine = make_engine(Settings().resolved_database_url())
    with engine.connect() as opened:
        run(opened)
    engine.dispose()
