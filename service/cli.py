"""Service verbs of the `xstilts` command line: `serve`, `worker` and `keys create/list/revoke`."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from service.db import Database
    from service.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Run the HTTP service and manage its API keys.")
keys_app = typer.Typer(
    no_args_is_help=True, help="Create, list and revoke API keys (secrets are stored hashed)."
)


FIRST_KEY_HELP = (
    "Create the first key with `xstilts keys create --name admin --scope admin` (same XSTILTS_DATA_DIR / "
    "XSTILTS_DATABASE_URL as the service), or set XSTILTS_REQUIRE_KEYS=true"
)


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

    from service.settings import Settings

    settings = Settings()
    if not is_loopback(host) and not insecure_no_auth and auth_would_be_off(settings):
        typer.echo(
            f"refusing to serve {host} without authentication: no API key exists and "
            f"XSTILTS_REQUIRE_KEYS is false, so anyone reaching {host}:{port} could use the API. "
            f"{FIRST_KEY_HELP}; or bind 127.0.0.1, or pass --insecure-no-auth.",
            err=True,
        )
        raise typer.Exit(2)
    # X-Forwarded-For is honoured by the service only from XSTILTS_TRUSTED_PROXIES, not by uvicorn.
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
    )


def _database(settings: Settings | None = None) -> Database:
    from service.db import Database
    from service.settings import Settings

    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.connect(settings.resolved_database_url())
    db.init_db()
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

    run_worker_processes(concurrency, worker_id)


app.add_typer(keys_app, name="keys")
