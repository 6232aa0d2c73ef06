"""The `xstilts` console script: the generator, service and trainer verbs in one app."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.cli import app as generator_app
from generator.cli_quality import app as quality_app
from service.cli import app as service_app
from trainer.cli import app as trainer_app
from trainer.cli import models_app

app = typer.Typer(
    no_args_is_help=True,
    help="Translate and code-switch English task data into the XTREME-R languages; train and evaluate.",
    pretty_exceptions_show_locals=False,
)
app.add_typer(generator_app)
app.add_typer(quality_app)
app.add_typer(service_app)
app.add_typer(trainer_app)
app.add_typer(models_app, name="models")


@app.command("demo")
def demo_command(
    out: Path = typer.Option(
        Path("demo-out"), "--out", help="Folder for the service data, shards and report."
    ),
    max_examples: int = typer.Option(
        300, "--max-examples", min=1, help="English questions to generate from."
    ),
    seeds: str = typer.Option("1", "--seeds", help="Comma-separated training seeds, e.g. 1,2,3."),
    keep_serving: bool = typer.Option(
        False, "--keep-serving", help="Keep the service up at the end and print the web console's URL."
    ),
) -> None:
    """Service → generation job (Apertium es, code-switched de/sw/tr) → shards → tiny STILTs grid → report."""
    from generator.errors import XstiltsError
    from xstilts.demo import run_demo

    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        raise typer.BadParameter(f"--seeds takes integers like 1,2,3, got {seeds!r}") from None
    try:
        report = run_demo(out, max_examples, seed_list, serve=keep_serving)
    except XstiltsError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"report: {report / 'report.md'}")


@app.command("experiment")
def experiment_command(
    config: Path = typer.Argument(
        Path("trainer/configs/cpu_real.yaml"),
        help="Experiment YAML with one intermediate task and synthetic data.",
    ),
    smoke: bool = typer.Option(False, "--smoke", help="The same recipe on a few examples and one seed."),
    publish: Path | None = typer.Option(
        None, "--publish", help="Folder to copy the report, log and config into (e.g. docs/results-cpu)."
    ),
) -> None:
    """Generate the synthetic shards, run the grid with an ETA, and write the report and run log."""
    from generator.errors import XstiltsError
    from xstilts.experiment import run_experiment

    if not config.is_file():
        raise typer.BadParameter(f"{config} does not exist; pass an experiment YAML")
    try:
        report = run_experiment(config, smoke=smoke, publish=publish, say=typer.echo)
    except XstiltsError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"report: {report}")
