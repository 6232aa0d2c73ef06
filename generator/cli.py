"""Generator verbs of the `xstilts` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

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
    details: bool = typer.Option(
        False, "--details", help="Parse each lexicon: what was rejected and why, and how senses are ranked."
    ),
) -> None:
    """List the installed English->X code-switching lexicons and their XTREME-R coverage."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from generator.languages import LANGUAGES
    from generator.lexicons.codes import ISO_TO_FREEDICT
    from generator.lexicons.installed import available_lexicons, load_lexicon

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
    if not details:
        return
    for lang in sorted({info.lang for info in infos}):
        lexicon = load_lexicon(lang, dictd_dir=dictd_dir, muse_dirs=muse_dir or None)
        translations = sum(len(t) for t in lexicon.entries.values())
        console.print(
            f"\n[bold]{lang}[/bold] {escape(lexicon.origin)}: {len(lexicon):,} headwords, "
            f"{translations:,} translations, senses ranked by {lexicon.ranking}",
            soft_wrap=True,
        )
        rejected = Table(show_header=True, box=None, pad_edge=False)
        for column in ("rejected", "count", "examples"):
            rejected.add_column(column)
        for reason, (count, examples) in sorted(lexicon.rejected.items(), key=lambda item: -item[1][0]):
            rejected.add_row(escape(reason), f"{count:,}", escape(" | ".join(examples)))
        console.print(rejected)


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


@app.command("generate")
def generate_command(
    task: str = typer.Option(..., "--task", help="Task format of the input, e.g. squad, mnli, wikiann."),
    input_path: Path = typer.Option(..., "--input", help="The English task file."),
    langs: str = typer.Option(..., "--langs", help="Target XTREME-R languages, comma-separated: es,sw,yo."),
    method: list[str] = typer.Option(
        ["translate"], "--method", help="translate and/or codeswitch (repeatable or comma-separated)."
    ),
    backend: str = typer.Option(
        "apertium", "--backend", help="MT backend: apertium, ct2, transformers, vllm."
    ),
    model: str | None = typer.Option(None, "--model", help="Model path or id for the backend."),
    backend_option: list[str] = typer.Option(
        [],
        "--backend-option",
        help="Backend option key=value (repeatable; values read as JSON when they parse).",
    ),
    ratio: float = typer.Option(
        0.5, "--ratio", help="Code-switching: share of translatable tokens switched."
    ),
    sense: str = typer.Option(
        "main",
        "--sense",
        help="Code-switching translation: main (best-ranked), weighted (drawn by rank score), uniform.",
    ),
    function_words: bool = typer.Option(
        False, "--function-words", help="Code-switching: switch function words (articles, ...) too."
    ),
    out: Path = typer.Option(..., "--out", help="Shard directory (manifest.json + Parquet shards)."),
    rows_per_shard: int = typer.Option(500, "--rows-per-shard", help="Input rows per shard."),
    batch_size: int = typer.Option(64, "--batch-size", help="Examples per translation batch."),
    cache: Path | None = typer.Option(
        None, "--cache", help="Translation memory file (default <out>/.cache.sqlite)."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Skip and count malformed input records."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of code-switching choices."),
    executor: str = typer.Option("local", "--executor", help="Where units run: local or ray."),
    ray_address: str | None = typer.Option(None, "--ray-address", help="Ray cluster address (ray executor)."),
    projection: str = typer.Option(
        "cascade", "--projection", help="Without intact markers: cascade or auto."
    ),
    encoder: Path | None = typer.Option(
        None, "--encoder", help="Encoder folder for encoder-align and QE cosine (`xstilts models import`)."
    ),
    qe: str = typer.Option("", "--qe", help="Quality-estimation signals: cosine and/or round_trip."),
) -> None:
    """Translate / code-switch an English task file into shards, resumably, and print what was kept."""
    from generator.errors import XstiltsError
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.runner import run
    from generator.pipeline.stats import RunStats

    try:
        options = _parse_backend_options(backend_option)
        if model is not None:
            options["model"] = model
        config = GenerateConfig.build(
            task=task,
            input=input_path,
            langs=[code.strip() for code in langs.split(",") if code.strip()],
            methods=[m.strip() for item in method for m in item.split(",") if m.strip()],
            backend=backend,
            backend_options=options,
            codeswitch={"token_ratio": ratio, "sense": sense, "function_words": function_words},
            out=out,
            rows_per_shard=rows_per_shard,
            batch_size=batch_size,
            cache_path=cache,
            skip_invalid=skip_invalid,
            seed=seed,
            executor=executor,
            ray_address=ray_address,
            projection={"method": projection, "encoder": str(encoder) if encoder else None},
            qe={"signals": [q.strip() for q in qe.split(",") if q.strip()]},
        )
        stats = RunStats()
        with _ProgressBars() as bars:
            manifest = run(config, progress=bars.update, stats=stats)
    except XstiltsError as err:
        _fail(str(err))
    except KeyboardInterrupt:
        _fail(f"interrupted; finished shards are kept in {out}, rerun the same command to resume", code=130)
    _print_generate_summary(manifest, stats)


@app.command("inspect")
def inspect_command(
    shard_dir: Path = typer.Argument(..., help="A shard directory written by `xstilts generate`."),
) -> None:
    """Summarise a shard directory: rows per task, language and method, drops, provenance, checksums."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from generator.card import distribution_lines
    from generator.errors import XstiltsError
    from generator.shards import load_manifest, verify

    try:
        manifest = load_manifest(shard_dir)
    except XstiltsError as err:
        _fail(str(err))
    console = Console()
    backend = manifest.backend
    console.print(
        f"[bold]{escape(str(shard_dir))}[/bold]: schema v{manifest.schema_version}, "
        f"generator {manifest.generator_version}, {'complete' if manifest.complete else '[yellow]incomplete[/yellow]'}, "
        f"updated {manifest.updated_at}"
    )
    if backend.get("name"):
        console.print(f"backend: {backend['name']} ({escape(str(backend.get('model_id', '')))})")
    if backend.get("lexicons"):
        console.print(
            "lexicons: " + ", ".join(f"{k}={escape(v)}" for k, v in sorted(backend["lexicons"].items()))
        )
    config = manifest.config
    if config:
        console.print(f"input: {escape(str(config.get('input', '')))} ({config.get('input_rows', '?')} rows)")
    table = Table(title="Rows per task × language × method")
    for column in ("task", "lang", "method", "shards", "input rows", "kept", "dropped", "drop reasons"):
        table.add_column(
            column, justify="right" if column in ("shards", "input rows", "kept", "dropped") else "left"
        )
    groups: dict[tuple[str, str, str], list[int]] = {}
    reasons: dict[tuple[str, str, str], dict[str, int]] = {}
    for shard in manifest.shards:
        key = (shard.task, shard.lang, shard.method)
        totals = groups.setdefault(key, [0, 0, 0])
        totals[0] += 1
        totals[1] += shard.input_rows
        totals[2] += shard.rows
        for reason, count in shard.drops.items():
            reasons.setdefault(key, {})[reason] = reasons.get(key, {}).get(reason, 0) + count
    for key, (shards, input_rows, kept) in sorted(groups.items()):
        why = reasons.get(key, {})
        table.add_row(
            *key,
            str(shards),
            str(input_rows),
            str(kept),
            str(sum(why.values())),
            ", ".join(f"{r} {n}" for r, n in sorted(why.items())) or "-",
        )
    console.print(table)
    for line in distribution_lines(manifest):
        console.print(escape(line), soft_wrap=True)
    problems = verify(shard_dir)
    if problems:
        for problem in problems:
            console.print(f"[red]{escape(problem)}[/red]")
        console.print(f"[red]verification failed: {len(problems)} problem(s)[/red]")
        raise typer.Exit(1)
    console.print(f"[green]verified: {len(manifest.shards)} shards, checksums match[/green]")


def _fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line red error and exit with `code` (no traceback)."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def _parse_backend_options(items: list[str]) -> dict[str, object]:
    """`key=value` pairs; a value that parses as JSON (numbers, true, lists) is taken as such."""
    import json

    from generator.errors import ConfigError

    options: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"--backend-option {item!r}: write key=value, e.g. --backend-option beam_size=4"
            )
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


class _ProgressBars:
    """A rich progress bar per (language, method), fed by the pipeline's progress callback."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("kept {task.fields[kept]} dropped {task.fields[dropped]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._tasks: dict[tuple[str, str], Any] = {}

    def __enter__(self) -> _ProgressBars:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, event: Any) -> None:
        key = (event.unit.lang, event.unit.method)
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(
                f"{event.unit.lang} {event.unit.method}", total=event.total_rows, kept=0, dropped=0
            )
        self._progress.update(
            self._tasks[key], completed=event.done_rows, kept=event.kept, dropped=event.dropped
        )


def _print_generate_summary(manifest: Any, stats: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Generated {manifest.config.get('task', '')} shards")
    for column in ("lang", "method", "input rows", "kept", "dropped", "kept %", "drop reasons"):
        table.add_column(column, justify="left" if column in ("lang", "method", "drop reasons") else "right")
    groups: dict[tuple[str, str], list[int]] = {}
    reasons: dict[tuple[str, str], dict[str, int]] = {}
    for shard in manifest.shards:
        key = (shard.lang, shard.method)
        totals = groups.setdefault(key, [0, 0])
        totals[0] += shard.input_rows
        totals[1] += shard.rows
        for reason, count in shard.drops.items():
            reasons.setdefault(key, {})[reason] = reasons.get(key, {}).get(reason, 0) + count
    for (lang, method), (input_rows, kept) in sorted(groups.items()):
        why = reasons.get((lang, method), {})
        share = f"{100 * kept / input_rows:.1f}" if input_rows else "-"
        table.add_row(
            lang,
            method,
            str(input_rows),
            str(kept),
            str(sum(why.values())),
            share,
            ", ".join(f"{r} {n}" for r, n in sorted(why.items())) or "-",
        )
    console = Console()
    console.print(table)
    seg = stats.segments
    console.print(
        f"units: {stats.units_done} written, {stats.units_skipped} already done; "
        f"MT segments: {seg.requested} asked, {seg.distinct} distinct per batch, {seg.translated} sent to the backend"
    )
    if stats.projections:
        console.print("projection: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.projections.items())))
    if stats.invalid_records:
        console.print(f"[yellow]{stats.invalid_records} invalid input record(s) skipped[/yellow]")
