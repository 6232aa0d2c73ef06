"""The tests' PostgreSQL server: found, started as the postgres user, stopped and removed; a missing
server skips its cases locally and fails them where XSTILTS_REQUIRE_POSTGRES=1."""

from __future__ import annotations

import os
import pwd

import pytest
from sqlalchemy import create_engine, text

from tests.postgres import create_database, no_postgres, pg_bindir, start_server


def test_a_missing_server_skips_locally_and_fails_where_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XSTILTS_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(
        pytest.skip.Exception, match="PostgreSQL is not installed: install Debian's postgresql"
    ):
        no_postgres()
    monkeypatch.setenv("XSTILTS_REQUIRE_POSTGRES", "1")
    with pytest.raises(
        pytest.fail.Exception, match="XSTILTS_REQUIRE_POSTGRES=1 but PostgreSQL is not installed"
    ):
        no_postgres()


def test_a_server_runs_as_postgres_on_loopback_and_is_removed_when_stopped() -> None:
    bindir = pg_bindir()
    if bindir is None:
        no_postgres()
    server = start_server(bindir)
    try:
        engine = create_engine(create_database(server.url, "probe"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "postgres"
            assert conn.execute(text("SHOW listen_addresses")).scalar() == "127.0.0.1"
            assert conn.execute(text("SHOW port")).scalar() == str(server.port)
        engine.dispose()
        owner = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
        assert (server.root / "data").stat().st_uid == owner  # initdb refuses root
    finally:
        server.stop()
    assert server.process.poll() is not None and not server.root.exists()
