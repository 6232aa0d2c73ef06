"""Schema migrations of the store (Alembic, `service/migrations`): its state, `xstilts db upgrade`, the start check.

A store is *empty* (no table of ours), *unversioned* (made by `create_all` before migrations
existed: tables but no `alembic_version`), *outdated* (an older revision), *current* or *unknown*
(a revision this xstilts does not have: made by a newer one). The service and workers start only
on a current store; an empty one is migrated to the newest revision on the spot, so a fresh data
folder or database needs no extra step. Everything else waits for `xstilts db upgrade`, which
stamps an unversioned store at the baseline and migrates any store to the newest revision.
Migrations run under a lock (a PostgreSQL advisory lock, a lock file beside an SQLite file), so
processes starting together migrate a store once.
"""

from __future__ import annotations

import fcntl
import functools
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from service.migrations import baseline

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"
UPGRADE = "xstilts db upgrade"
# pg_advisory_lock key of the migration lock (any constant; "xstilts" in ASCII).
PG_LOCK_KEY = 0x78_73_74_69_6C_74_73

State = Literal["empty", "unversioned", "outdated", "current", "unknown"]


class SchemaError(RuntimeError):
    """The store's schema is not the one this xstilts runs on; the message says what to run."""


@dataclass(frozen=True)
class SchemaStatus:
    state: State
    current: str | None
    head: str


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision."""
    newest = _scripts().get_current_head()
    assert newest is not None, f"no revisions under {MIGRATIONS}"
    return newest


def _status(connection: Connection) -> SchemaStatus:
    current = MigrationContext.configure(connection).get_current_revision()
    newest = head()
    state: State
    if current is None:
        ours = set(inspect(connection).get_table_names()) & set(baseline.metadata.tables)
        state = "unversioned" if ours else "empty"
    elif current == newest:
        state = "current"
    else:
        known = {script.revision for script in _scripts().walk_revisions()}
        state = "outdated" if current in known else "unknown"
    return SchemaStatus(state, current, newest)


def status(engine: Engine) -> SchemaStatus:
    """Where the store at `engine` stands."""
    with engine.connect() as connection:
        return _status(connection)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection holding the store's migration lock; other processes wait for it."""
    with ExitStack() as stack:
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            lock = stack.enter_context(Path(f"{database}.migrate-lock").open("a"))
            fcntl.flock(lock, fcntl.LOCK_EX)
        connection = stack.enter_context(engine.connect())
        if engine.dialect.name == "sqlite":
            # Batch migrations copy a table, drop it and rename the copy: with foreign keys on, the
            # drop would cascade to the rows that point at it (job progress). Outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            stack.callback(connection.commit)
            stack.callback(connection.exec_driver_sql, "PRAGMA foreign_keys=ON")
            stack.callback(connection.rollback)
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
            connection.commit()
            stack.callback(connection.commit)
            stack.callback(connection.execute, text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
            stack.callback(connection.rollback)
        yield connection


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def refusal(engine: Engine, found: SchemaStatus) -> str:
    """Why the service does not start on `found`, and the command that fixes it."""
    where = _where(engine)
    fix = (
        f"stop the service and workers, back the database up, and run `{UPGRADE}` with the same "
        "XSTILTS_DATA_DIR / XSTILTS_DATABASE_URL"
    )
    if found.state == "unversioned":
        return f"the database {where} was made by an xstilts without schema migrations; {fix}"
    if found.state == "outdated":
        return f"the database {where} is at schema revision {found.current}, this xstilts needs {found.head}; {fix}"
    return (
        f"the database {where} is at schema revision {found.current}, which this xstilts does not know "
        f"(a newer xstilts migrated it; newest known: {found.head}); run that version, or restore a backup"
    )


def ensure_current(engine: Engine) -> None:
    """Create an empty store at the newest revision; SchemaError naming the fix unless it is current."""
    if status(engine).state == "current":
        return
    with _locked(engine) as connection:
        found = _status(connection)
        if found.state == "empty":
            connection.commit()
            command.upgrade(_config(connection), "head")
            connection.commit()
        elif found.state != "current":
            raise SchemaError(refusal(engine, found))


def _missing_columns(connection: Connection) -> str | None:
    """What an unversioned store lacks of the baseline's columns, with the statements that add them."""
    existing = inspect(connection)
    missing = [
        (table, column)
        for table in baseline.metadata.sorted_tables
        for column in table.columns
        if column.name not in {c["name"] for c in existing.get_columns(table.name)}
    ]
    if not missing:
        return None
    statements = "; ".join(
        f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(connection.dialect)}"
        + (
            f" NOT NULL DEFAULT '{default}'"
            if (default := getattr(column.server_default, "arg", None))
            else ""
        )
        for table, column in missing
    )
    return f"{', '.join(f'{t.name}.{c.name}' for t, c in missing)}; add them ({statements})"


def upgrade(engine: Engine) -> tuple[SchemaStatus, SchemaStatus]:
    """Migrate the store to the newest revision (stamping one made by `create_all` first); before and after."""
    with _locked(engine) as connection:
        before = _status(connection)
        if before.state == "unknown":
            raise SchemaError(refusal(engine, before))
        if before.state == "unversioned":
            # As `create_all` did on every start: tables the store predates are added, columns are not.
            baseline.metadata.create_all(connection)
            missing = _missing_columns(connection)
            if missing:
                raise SchemaError(
                    f"the database {_where(engine)} was made by an older xstilts and lacks {missing} "
                    f"or start from a new database, then run `{UPGRADE}` again"
                )
            connection.commit()
            command.stamp(_config(connection), BASELINE)
        connection.commit()
        command.upgrade(_config(connection), "head")
        connection.commit()
        return before, _status(connection)
