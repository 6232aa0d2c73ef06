"""Quality verbs of the `xstilts` command line: the projection benchmark against parallel gold."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("projection-bench")
def projection_bench_command(
    xquad: Path = typer.Option(
        ..., "--xquad", help="Folder with xquad.en.json and xquad.<lang>.json (human gold)."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Encoder folder for encoder-align (`xstilts models import me5-small DIR`)."
    ),
    langs: str = typer.Option("de,el,ru", "--langs", help="Languages to score, comma-separated."),
    limit: int = typer.Option(0, "--limit", min=0, help="Questions per language (0: all)."),
    layer: int = typer.Option(8, "--layer", min=0, help="Encoder layer the aligner compares."),
) -> None:
    """Project the English gold answers into human translations with every method; EM / F1 per language."""
    from generator.errors import XstiltsError
    from generator.projection.config import ProjectionConfig
    from generator.quality.parallel import read_parallel_squad
    from generator.quality.projection_crossfit import held_out
    from generator.quality.projection_report import measure, render, score_language

    try:
        aligner = None
        if model is not None:
            from generator.projection.encoder_align import load_aligner

            aligner = load_aligner(str(model), layer).aligner
        measured = []
        for lang in [code.strip() for code in langs.split(",") if code.strip()]:
            items = read_parallel_squad(xquad / "xquad.en.json", xquad / f"xquad.{lang}.json", lang)
            measured.append(measure(items[:limit] if limit else items, aligner))
    except XstiltsError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(2) from None
    config = ProjectionConfig()
    if len(measured) > 1:
        results, fit = held_out(measured, config), "each language held out, calibrated on the others"
    else:
        results, fit = [score_language(m, config) for m in measured], "the shipped calibration"
    typer.echo(
        render(
            results, f"projection into human translations ({xquad.name}), encoder layer {layer}; auto: {fit}"
        )
    )
