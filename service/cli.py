"""Service verbs of the `xstilts` command line: `serve`, `worker`, `keys create/list/revoke`, `db upgrade/status`."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.db import Database
    from service.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Run the HTTP service and manage its API keys.")
keys_app = typer.Typer(
    no_args_is_help=True, help="Create, list and revoke API keys (secrets are stored hashed)."
)
db_app = typer.Typer(no_args_is_help=True, help="Migrate the key and job store to this version's schema.")


FIRST_KEY_HELP = (
    "Create the first key with `xstilts keys create --name admin --scope admin` (same XSTILTS_DATA_DIR / "
    "XSTILTS_DATABASE_URL as the service), or set XSTILTS_REQUIRE_KEYS=true"
)

# An idle keep-alive connection is closed after this long; at shutdown, requests still running get
# this long before they are cancelled.
KEEP_ALIVE_S = 5
GRACEFUL_SHUTDOWN_S = 30


def is_loopback(host: str) -> bool:
    """Whether `host` binds only this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_would_be_off(settings: Settings) -> bool:
    """Whether the service would answer /v1 without a key: no key exists and keys are not required."""
    from service.keys import any_keys

    if settings.require_keys:
        return False
    with _database(settings).session() as session:
        return not any_keys(session)


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 0.0.0.0 for every interface."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes (each with its own batcher)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    insecure_no_auth: bool = typer.Option(
        False,
        "--insecure-no-auth",
        help="Serve a non-loopback address even though no API key exists (anyone who reaches it gets in).",
    ),
) -> None:
    """Serve the API with uvicorn (settings from XSTILTS_* environment variables or .env).

    A non-loopback --host is refused while authentication would be off, unless --insecure-no-auth.
    """
    import uvicorn

    from service.logs import log_config
    from service.settings import Settings

    settings = Settings()
    _database(settings).dispose()  # exits naming the fix when the schema needs upgrading
    if not is_loopback(host) and not insecure_no_auth and auth_would_be_off(settings):
        typer.echo(
            f"refusing to serve {host} without authentication: no API key exists and "
            f"XSTILTS_REQUIRE_KEYS is false, so anyone reaching {host}:{port} could use the API. "
            f"{FIRST_KEY_HELP}; or bind 127.0.0.1, or pass --insecure-no-auth.",
            err=True,
        )
        raise typer.Exit(2)
    # X-Forwarded-For is honoured by the service only from XSTILTS_TRUSTED_PROXIES, not by uvicorn.
    # The app logs each request itself (with its id), so uvicorn's access log is off.
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=log_config(settings.log_format, log_level),
        access_log=False,
        proxy_headers=False,
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


def _database(settings: Settings | None = None) -> Database:
    from service.db import Database
    from service.migrate import SchemaError
    from service.settings import Settings

    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.connect(settings.resolved_database_url())
    try:
        db.init_db()
    except SchemaError as err:
        db.dispose()
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    return db


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., "--name", help="Who or what the key is for."),
    rate_limit: int | None = typer.Option(
        None, "--rate-limit", min=0, help="Requests per minute for this key (default: the service setting)."
    ),
    scope: str = typer.Option(
        "write",
        "--scope",
        help="read (list and download), write (also upload, translate, submit and cancel jobs) or "
        "admin (also every owner's data).",
    ),
    owner: str | None = typer.Option(
        None,
        "--owner",
        help="Whose data the key works on; keys of one owner share it (default: the key's own).",
    ),
) -> None:
    """Create a key and print its secret once; store it now, it cannot be shown again."""
    from generator.errors import ConfigError
    from service.keys import create_key

    db = _database()
    try:
        with db.session() as session:
            new = create_key(session, name, rate_limit, scope, owner)
    except ConfigError as err:
        raise typer.BadParameter(str(err)) from None
    typer.echo(f"id:     {new.info.id}")
    typer.echo(f"secret: {new.secret}")
    typer.echo(f"scope:  {new.info.scope}, owner: {new.info.owner}")
    typer.echo(
        "Send it as 'Authorization: Bearer <secret>'. It is stored hashed and will not be shown again."
    )


@keys_app.command("list")
def keys_list(
    all_keys: bool = typer.Option(False, "--all", help="Include revoked keys."),
) -> None:
    """List keys (ids, names, scopes, owners, dates; never secrets); times are UTC."""
    from rich.console import Console
    from rich.table import Table

    from service.keys import list_keys, own_data

    db = _database()
    with db.session() as session:
        keys = list_keys(session, include_revoked=all_keys)
    table = Table(title=f"API keys ({len(keys)})")
    table.add_column("id", no_wrap=True)
    for column in ("name", "scope", "owner", "created", "revoked", "rate limit/min"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            key.scope,
            "(own)" if key.owner == own_data(key.id) else key.owner,
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "-",
            str(key.rate_limit) if key.rate_limit is not None else "default",
        )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key id shown by `xstilts keys list`.")) -> None:
    """Revoke a key; requests with it get 401 from then on."""
    from generator.errors import ConfigError
    from service.keys import revoke_key

    db = _database()
    try:
        with db.session() as session:
            info = revoke_key(session, key_id)
    except ConfigError as err:
        raise typer.BadParameter(str(err), param_hint="KEY_ID") from None
    typer.echo(f"revoked {info.id} ({info.name})")


@app.command("worker")
def worker_command(
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Worker processes, one job each."),
    worker_id: str | None = typer.Option(
        None, "--worker-id", help="Lease owner name (default <host>-<pid>); a suffix -N is added per process."
    ),
) -> None:
    """Run job workers (settings from XSTILTS_* variables); SIGTERM hands running jobs back to the queue."""
    from service.jobs.worker import run_worker_processes
    from service.settings import Settings

    _database(Settings()).dispose()  # exits naming the fix when the schema needs upgrading
    run_worker_processes(concurrency, worker_id)


def _engine() -> Engine:
    from service.db import make_engine
    from service.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.resolved_database_url())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the store to this version's schema (a store from before migrations is stamped first).

    The store is XSTILTS_DATABASE_URL, or the SQLite file in XSTILTS_DATA_DIR; stop the service and
    workers and back it up first.
    """
    from service.migrate import SchemaError, upgrade

    engine = _engine()
    try:
        before, after = upgrade(engine)
    except SchemaError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    was = "no schema" if before.state == "empty" else f"revision {before.current or 'none (unversioned)'}"
    typer.echo(f"database: {was} -> revision {after.current} ({after.state})")


@db_app.command("status")
def db_status() -> None:
    """Show the store's schema revision and this version's; exit 1 when `xstilts db upgrade` is needed."""
    from service.migrate import status

    engine = _engine()
    try:
        found = status(engine)
    finally:
        engine.dispose()
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"state: {found.state}, revision: {found.current or '-'}, newest: {found.head}")
    if found.state not in ("current", "empty"):
        raise typer.Exit(1)


app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
