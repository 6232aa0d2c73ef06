"""Database: one SQLAlchemy engine per app, a session factory, the `Base` of all tables and row helpers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, overload

from sqlalchemy import ColumnElement, Engine, create_engine, event, func, select
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from service.migrate import ensure_current

SQLITE_BUSY_TIMEOUT_MS = 5000
# Modules that define tables on `Base`; `import_tables` imports them so `Base.metadata` holds every table.
TABLE_MODULES: list[str] = ["service.keys", "service.datasets", "service.jobs.models", "service.idempotency"]


class Base(DeclarativeBase):
    """Declarative base; every service table (API keys, jobs, datasets) derives from it."""


Row = TypeVar("Row", bound=Base)


def import_tables() -> None:
    """Import every module that defines tables, so `Base.metadata` is complete."""
    for module in TABLE_MODULES:
        importlib.import_module(module)


def utcnow() -> datetime:
    """The current time in UTC, as every stored time is."""
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def newest_first_page(
    session: Session, table: type[Row], limit: int, offset: int, *where: ColumnElement[bool]
) -> tuple[list[Row], int]:
    """A page of `table` rows matching `where`, newest `created_at` first (ties by id), and their count."""
    columns = table.__table__.c
    total = session.scalar(select(func.count()).select_from(table).where(*where)) or 0
    rows = session.scalars(
        select(table)
        .where(*where)
        .order_by(columns.created_at.desc(), columns.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and cross-thread use."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass
class Database:
    """An engine and its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(engine, sessionmaker(engine, expire_on_commit=False))

    def init_db(self) -> None:
        """Make an empty store at the newest schema revision; SchemaError saying what to run when it is older."""
        ensure_current(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
