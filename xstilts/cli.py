"""The `xstilts` console script: the generator, service and trainer verbs in one app."""

from __future__ import annotations

import typer

from generator.cli import app as generator_app
from service.cli import app as service_app

app = typer.Typer(
    no_args_is_help=True,
    help="Translate and code-switch English task data into the XTREME-R languages; train and evaluate.",
    pretty_exceptions_show_locals=False,
)
app.add_typer(generator_app)
app.add_typer(service_app)
