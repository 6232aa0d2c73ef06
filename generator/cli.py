"""Generator verbs of the `xstilts` command line."""

from __future__ import annotations

from pathlib import Path

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


@app.command("lexicons")
def lexicons_command(
    dictd_dir: Path = typer.Option(
        Path("/usr/share/dictd"), "--dictd-dir", help="Where FreeDict dictd files are."
    ),
    muse_dir: list[Path] | None = typer.Option(
        None,
        "--muse-dir",
        help="A directory of MUSE en-xx.txt lexicons (repeatable; default $XSTILTS_LEXICONS).",
    ),
) -> None:
    """List the installed English->X code-switching lexicons and their XTREME-R coverage."""
    from rich.console import Console
    from rich.table import Table

    from generator.languages import LANGUAGES
    from generator.lexicons import ISO_TO_FREEDICT, available_lexicons

    infos = available_lexicons(dictd_dir, muse_dir or None)
    table = Table(title=f"Code-switching lexicons ({len(infos)})")
    for column in ("lang", "kind", "entries", "source"):
        table.add_column(column)
    for info in infos:
        table.add_row(info.lang, info.kind, f"{info.entries:,}", str(info.source))
    console = Console()
    console.print(table)
    covered = sorted({info.lang for info in infos} & set(LANGUAGES))
    missing = [code for code in LANGUAGES if code not in covered and code != "en"]
    console.print(
        f"XTREME-R coverage: {len(covered)}/{len(LANGUAGES)} languages have a lexicon: {' '.join(covered)}"
    )
    console.print(
        "Without one: " + " ".join(missing) + "\nAdd one with `apt-get install dict-freedict-eng-XXX` "
        f"(e.g. {', '.join(ISO_TO_FREEDICT[c] for c in missing[:3] if c in ISO_TO_FREEDICT)}) or a MUSE file "
        "en-xx.txt ('english target' per line) in a --muse-dir directory.",
        soft_wrap=True,
    )


@app.command("tasks")
def tasks_command() -> None:
    """List the task formats xstilts reads and writes, with their kind and labels."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from generator.tasks import FORMATS

    table = Table(title=f"Task formats ({len(FORMATS)})")
    for column in ("name", "kind", "family", "labels", "description"):
        table.add_column(column)
    for fmt in FORMATS.values():
        table.add_row(fmt.name, fmt.kind, fmt.family, " ".join(fmt.labels) or "-", escape(fmt.description))
    Console().print(table)
