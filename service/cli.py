"""Service verbs of the `xstilts` command line: `serve`, `worker` and `keys create/list/revoke`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from service.db import Database

app = typer.Typer(no_args_is_help=True, help="Run the HTTP service and manage its API keys.")
keys_app = typer.Typer(
    no_args_is_help=True, help="Create, list and revoke API keys (secrets are stored hashed)."
)


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 0.0.0.0 for every interface."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes (each with its own batcher)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the API with uvicorn (settings from XSTILTS_* environment variables or .env)."""
    import uvicorn

    uvicorn.run(
        "service.main:create_app", factory=True, host=host, port=port, workers=workers, log_level=log_level
    )


def _database() -> Database:
    from service.db import Database
    from service.settings import Settings

    settings = Settings()
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
) -> None:
    """Create a key and print its secret once; store it now, it cannot be shown again."""
    from service.keys import create_key

    db = _database()
    with db.session() as session:
        new = create_key(session, name, rate_limit)
    typer.echo(f"id:     {new.info.id}")
    typer.echo(f"secret: {new.secret}")
    typer.echo(
        "Send it as 'Authorization: Bearer <secret>'. It is stored hashed and will not be shown again."
    )


@keys_app.command("list")
def keys_list(
    all_keys: bool = typer.Option(False, "--all", help="Include revoked keys."),
) -> None:
    """List keys (ids, names, dates; never secrets)."""
    from rich.console import Console
    from rich.table import Table

    from service.keys import list_keys

    db = _database()
    with db.session() as session:
        keys = list_keys(session, include_revoked=all_keys)
    table = Table(title=f"API keys ({len(keys)})")
    for column in ("id", "name", "created", "revoked", "rate limit/min"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            key.created_at.isoformat(timespec="seconds"),
            key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-",
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
