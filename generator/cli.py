"""Generator verbs of the `xstilts` command line."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Make cross-lingual training data.")


@app.command("languages")
def languages_command(
    tier: str | None = typer.Option(None, "--tier", help="Only this resource tier: high, mid or low."),
    task: str | None = typer.Option(
        None, "--task", help="Only languages an XTREME-R task covers, e.g. xquad."
    ),
) -> None:
    """List the XTREME-R languages with their MT codes, resource tier and tasks."""
    from rich.console import Console
    from rich.table import Table

    from generator.errors import ConfigError
    from generator.languages import LANGUAGES, languages_for_task, languages_in_tier

    try:
        chosen = list(LANGUAGES.values())
        if tier is not None:
            keep = {lang.code for lang in languages_in_tier(tier)}
            chosen = [lang for lang in chosen if lang.code in keep]
        if task is not None:
            keep = {lang.code for lang in languages_for_task(task)}
            chosen = [lang for lang in chosen if lang.code in keep]
    except ConfigError as err:
        raise typer.BadParameter(str(err)) from None
    table = Table(title=f"XTREME-R languages ({len(chosen)})")
    for column in ("code", "name", "script", "FLORES", "M2M100", "tier", "tasks"):
        table.add_column(column)
    for lang in chosen:
        table.add_row(
            lang.code,
            lang.name,
            lang.script,
            lang.flores,
            lang.m2m100 or "-",
            lang.tier,
            " ".join(lang.tasks),
        )
    Console().print(table)
