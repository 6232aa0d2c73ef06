"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temporary cluster, a free port.

The cluster's folder belongs to the `postgres` user when the tests run as root (initdb refuses
root), its unix socket lives in a temporary folder, and the server is stopped and removed at the
end. `XSTILTS_TEST_POSTGRES_URL` points the tests at a running server instead (`make postgres`
prints one). Without the binaries the PostgreSQL cases skip, or fail under
`XSTILTS_REQUIRE_POSTGRES=1` (CI sets it).

`python -m tests.postgres` runs such a server in the foreground until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

INSTALL_HINT = "install Debian's postgresql (bash scripts/install.sh system-dev, run by make setup and CI)"
DATABASES = ["sqlite", "postgresql"]


def pg_bindir() -> Path | None:
    """The folder of initdb and postgres: on PATH, else Debian's newest /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster; `url` reaches its `postgres` database over TCP with the superuser's password."""

    root: Path
    bindir: Path
    port: int
    password: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Fast shutdown (open sessions are ended), then the cluster's folder is removed."""
        if self.process.poll() is None:
            pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "stop", "-m", "fast", "-w"]
            subprocess.run(_as_postgres(pg_ctl), capture_output=True)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _as_postgres(command: list[str]) -> list[str]:
    """`command` run as the postgres user when we are root (PostgreSQL refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_server(bindir: Path) -> PostgresServer:
    """initdb a cluster in a temporary folder and start it on a free loopback port; wait until it answers."""
    root = Path(tempfile.mkdtemp(prefix="xstilts-pg-"))
    data, sockets, log = root / "data", root / "socket", root / "server.log"
    password = secrets.token_hex(12)
    (root / "pwfile").write_text(password + "\n")
    sockets.mkdir()
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError(
                f"running as root needs the 'postgres' user to run the server; {INSTALL_HINT}"
            ) from None
        for path in (root, sockets, root / "pwfile"):
            os.chown(path, user.pw_uid, user.pw_gid)
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--pwfile", str(root / "pwfile")]
    initdb += ["--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"]
    done = subprocess.run(_as_postgres(initdb), capture_output=True, text=True)
    if done.returncode:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    server = [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets)]
    server += ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]
    with log.open("wb") as out:
        process = subprocess.Popen(_as_postgres(server), stdout=out, stderr=subprocess.STDOUT)
    started = PostgresServer(root, bindir, port, password, process)
    ready = [str(bindir / "pg_isready"), "-h", str(sockets), "-p", str(port), "-t", "1"]
    for _ in range(60):
        if process.poll() is not None:
            break
        if subprocess.run(ready, capture_output=True).returncode == 0:
            return started
        time.sleep(0.25)
    message = log.read_text(errors="replace")[-2000:]
    started.stop()
    raise RuntimeError(f"PostgreSQL did not start:\n{message}")


def with_database(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def create_database(server_url: str, name: str, owner: tuple[str, str] | None = None) -> str:
    """A new empty database on the server (owned by the role `owner` = (user, password), made if given)."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if owner is not None:
                conn.execute(text(f"CREATE ROLE \"{owner[0]}\" LOGIN PASSWORD '{owner[1]}'"))
                conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner[0]}"'))
            else:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return with_database(server_url, name)


def no_postgres() -> NoReturn:
    """Skip the PostgreSQL cases, or fail them when XSTILTS_REQUIRE_POSTGRES=1 (as in CI)."""
    reason = f"PostgreSQL is not installed: {INSTALL_HINT}"
    if os.environ.get("XSTILTS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"XSTILTS_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's `postgres` database for this test run."""
    given = os.environ.get("XSTILTS_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bindir = pg_bindir()
    if bindir is None:
        no_postgres()
    server = start_server(bindir)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh empty database of its own for one test."""
    return create_database(postgres_server, f"t_{secrets.token_hex(6)}")


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty job store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def main() -> None:
    """Run a server until interrupted, printing the URL the tests take as XSTILTS_TEST_POSTGRES_URL."""
    bindir = pg_bindir()
    if bindir is None:
        sys.exit(f"PostgreSQL is not installed: {INSTALL_HINT}")
    server = start_server(bindir)
    print(f"XSTILTS_TEST_POSTGRES_URL={server.url}", flush=True)
    print(f"XSTILTS_DATABASE_URL={create_database(server.url, 'xstilts_dev')}", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
