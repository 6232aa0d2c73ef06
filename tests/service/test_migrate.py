"""Schema migrations on SQLite and PostgreSQL: fresh stores at the newest revision, stores made by
`create_all` stamped and upgraded with their rows, the models equal to the newest revision, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from service.db import Base, Database, import_tables, make_engine
from service.jobs import store
from service.keys import verify_key
from service.migrate import BASELINE, SchemaError, ensure_current, head, status, upgrade
from service.migrations import baseline
from service.tenancy import Caller
from xstilts.cli import app as cli_app

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# Rows as the service wrote them before migrations existed (baseline columns only).
OLD_ROWS: dict[str, list[dict[str, Any]]] = {
    "api_keys": [
        {
            "id": "0123456789ab",
            "name": "ci",
            "salt": "s" * 32,
            "hash": "h" * 64,
            "created_at": NOW,
            "revoked_at": None,
            "rate_limit": 60,
            "owner": "team-a",
            "scope": "write",
        }
    ],
    "datasets": [
        {
            "id": "d1",
            "task": "squad",
            "filename": "dev.json",
            "sha256": "0" * 64,
            "size_bytes": 1791,
            "examples": 5,
            "created_at": NOW,
            "owner": "team-a",
        }
    ],
    "jobs": [
        {
            "id": "j1",
            "state": "succeeded",
            "request": {"langs": ["es"], "methods": ["translate"]},
            "dataset_id": "d1",
            "created_at": NOW,
            "updated_at": NOW,
            "lease_owner": "w1",
            "lease_expires_at": None,
            "heartbeat_at": NOW,
            "attempts": 1,
            "error": None,
            "owner": "team-a",
        }
    ],
    "job_progress": [
        {
            "job_id": "j1",
            "task": "squad",
            "lang": "es",
            "method": "translate",
            "done_rows": 5,
            "total_rows": 5,
            "kept": 4,
            "dropped": 1,
        }
    ],
}


def _rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """The baseline columns of every baseline table, times made aware (SQLite returns naive ones)."""
    engine = make_engine(url)
    found: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for name, table in baseline.metadata.tables.items():
            rows = [dict(row._mapping) for row in conn.execute(select(table))]
            for row in rows:
                for key, value in row.items():
                    if isinstance(value, datetime) and value.tzinfo is None:
                        row[key] = value.replace(tzinfo=UTC)
            found[name] = rows
    engine.dispose()
    return found


def make_unversioned_store(url: str) -> None:
    """A store as the service made it before migrations: `create_all` of the baseline tables, some rows."""
    engine = make_engine(url)
    baseline.metadata.create_all(engine)
    with engine.begin() as conn:
        for name, rows in OLD_ROWS.items():
            conn.execute(baseline.metadata.tables[name].insert(), rows)
    engine.dispose()


def test_a_fresh_store_is_made_at_the_newest_revision(database_url: str) -> None:
    db = Database.connect(database_url)
    assert status(db.engine).state == "empty"
    db.init_db()
    db.init_db()
    found = status(db.engine)
    assert (found.state, found.current) == ("current", head())
    with db.session() as session:
        assert store.count_by_state(session)["queued"] == 0
    if database_url.startswith("sqlite"):  # off while migrating, on again for the pooled connection
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_the_models_are_the_newest_revision(database_url: str) -> None:
    engine = make_engine(database_url)
    ensure_current(engine)
    import_tables()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diffs == []


def test_a_store_made_by_create_all_is_stamped_and_upgraded_keeping_its_rows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_unversioned_store(database_url)
    db = Database.connect(database_url)
    with pytest.raises(SchemaError, match=r"without schema migrations.*run `xstilts db upgrade`"):
        db.init_db()
    monkeypatch.setenv("XSTILTS_DATABASE_URL", database_url)
    runner = CliRunner()
    checked = runner.invoke(cli_app, ["db", "status"])
    assert checked.exit_code == 1 and "state: unversioned" in checked.output
    upgraded = runner.invoke(cli_app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"revision none (unversioned) -> revision {head()} (current)" in upgraded.output
    assert _rows(database_url) == OLD_ROWS
    db.init_db()
    with db.session() as session:
        job = store.get_job(session, "j1", Caller("k", "team-a", "read"))
        assert (job.state, job.request["langs"], job.dataset_id) == ("succeeded", ["es"], "d1")
        assert [p.kept for p in store.job_progress(session, "j1")] == [4]
        assert verify_key(session, "xst_0123456789ab_wrong") is None
    again = runner.invoke(cli_app, ["db", "upgrade"])
    assert again.exit_code == 0 and f"revision {head()} -> revision {head()}" in again.output
    assert runner.invoke(cli_app, ["db", "status"]).exit_code == 0
    db.dispose()


def test_the_service_and_workers_refuse_a_store_that_needs_upgrading(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_unversioned_store(database_url)
    monkeypatch.setenv("XSTILTS_DATABASE_URL", database_url)
    runner = CliRunner()
    for verb in (["serve"], ["worker"], ["keys", "list"]):
        refused = runner.invoke(cli_app, verb)
        assert refused.exit_code == 2, (verb, refused.output)
        assert "run `xstilts db upgrade` with the same XSTILTS_DATA_DIR" in refused.output, verb


def test_a_revision_this_version_does_not_know_is_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    ensure_current(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert status(engine).state == "unknown"
    for call in (ensure_current, upgrade):
        with pytest.raises(SchemaError, match=r"revision 9999, which this xstilts does not know"):
            call(engine)
    engine.dispose()


def test_an_unversioned_store_from_before_owners_is_named_with_the_fix(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE jobs (id VARCHAR(36) PRIMARY KEY, state VARCHAR(16))"))
    with pytest.raises(SchemaError, match=r"lacks .*jobs\.owner.*ALTER TABLE jobs ADD COLUMN owner VARCHAR"):
        upgrade(engine)
    assert status(engine).current is None
    engine.dispose()


def test_the_baseline_is_the_first_revision() -> None:
    from service.migrate import _scripts

    revisions = list(_scripts().walk_revisions())
    assert revisions[-1].revision == BASELINE and revisions[-1].down_revision is None
    assert revisions[0].revision == head()


def test_alembic_check_from_the_command_line_config_finds_nothing_to_generate(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command
    from alembic.config import Config

    from service.migrate import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    engine = make_engine(url)
    ensure_current(engine)
    engine.dispose()
    monkeypatch.setenv("XSTILTS_DATABASE_URL", url)
    command.check(Config(str(MIGRATIONS / "alembic.ini")))
