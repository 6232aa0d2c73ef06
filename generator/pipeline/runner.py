"""The run loop: input read and checked, units planned, skipped when finished, executed and written as shards."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from generator.backends.base import Translator
from generator.errors import Cancelled, ConfigError, XstiltsError
from generator.example import Example
from generator.executors import create_executor
from generator.fencing import Fence
from generator.pipeline.config import OUTPUT_FIELDS, SOURCE_LANG, GenerateConfig
from generator.pipeline.overlap import DEFAULT_WINDOW
from generator.pipeline.resources import resources
from generator.pipeline.stats import RunStats
from generator.pipeline.units import Unit, UnitResult, UnitTask, plan
from generator.projection.tags import is_bio
from generator.shards import MANIFEST, Manifest, ShardStore, histogram, load_manifest


@dataclass(frozen=True, slots=True)
class Progress:
    """Totals of one (language, method) after a unit: input rows done of total, kept and dropped."""

    unit: Unit
    done_rows: int
    total_rows: int
    kept: int
    dropped: int


def read_input(config: GenerateConfig) -> tuple[list[Example], int]:
    """The English examples of the input file and the number of invalid records skipped; a file
    without gold labels (a test file whose labels are withheld) is refused."""
    from generator.tasks import read_examples

    result = read_examples(config.task, config.input, skip_invalid=config.skip_invalid)
    if result.no_gold:
        raise ConfigError(f"{result.no_gold}; synthetic training data is made from files with gold labels")
    return list(result.examples), len(result.errors)


def _check_examples(config: GenerateConfig, examples: Sequence[Example]) -> None:
    if not examples:
        return
    kind = examples[0].kind
    if "translate" in config.methods and kind == "tagging":
        bad = next((ex for ex in examples if not is_bio(ex.tags)), None)
        if bad is not None:
            raise ConfigError(
                f"task {config.task}: example {bad.id} has non-entity tags ({', '.join(sorted(set(bad.tags))[:5])}); "
                "translation can only carry B-/I-/O entity tags, use --method codeswitch for this task"
            )
    if "codeswitch" in config.methods and kind == "retrieval":
        raise ConfigError(
            f"task {config.task} is retrieval evaluation data and is not code-switched; use --method translate"
        )


def _check_resume(config: GenerateConfig) -> None:
    path = config.out / MANIFEST
    if not path.exists():
        return
    previous = load_manifest(config.out).config
    settings = config.output_settings()
    changed = [key for key in OUTPUT_FIELDS if key in previous and previous[key] != settings[key]]
    if changed:
        raise ConfigError(
            f"{config.out} holds shards made with other settings ({', '.join(changed)} differ); "
            "use a new --out directory or delete this one to start over"
        )


def backend_info(translator: Translator) -> dict[str, Any]:
    """The translator's name, model and options, as the manifest records the backend."""
    return {"name": translator.name, "model_id": translator.model_id, "options": dict(translator.options)}


def run(
    config: GenerateConfig,
    *,
    progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stats: RunStats | None = None,
    window: int = DEFAULT_WINDOW,
    fence: Fence | None = None,
) -> Manifest:
    """Generate every unfinished shard of `config` and return the complete manifest.

    Finished shards (listed in `<out>/manifest.json`) are skipped, so a rerun resumes.
    `progress` is called after each unit (skipped ones first); `should_stop` is checked between
    batches and raises `Cancelled`; `stats`, when given, is filled with segment and unit counts;
    `window` is how many batches are in flight at once (`generator.pipeline.overlap`; 1: one at a time);
    `fence` is the lease every file is published under (`generator.fencing`; raises `LeaseLost`).
    """
    stats = stats if stats is not None else RunStats()
    _check_resume(config)
    examples, invalid = read_input(config)
    stats.invalid_records = invalid
    _check_examples(config, examples)
    units = plan(config, len(examples))
    manifest_config = {
        **config.model_dump(mode="json"),
        "input_rows": len(examples),
        "invalid_records": invalid,
    }
    previous_backend = load_manifest(config.out).backend if (config.out / MANIFEST).exists() else {}
    store = ShardStore(config.out, manifest_config, previous_backend, fence)
    todo = [u for u in units if not store.is_done(u.task, u.lang, u.method, u.index)]

    totals: dict[tuple[str, str], list[int]] = {}  # (lang, method) -> [done rows, kept, dropped]

    def report(unit: Unit, rows: int, kept: int, dropped: int) -> None:
        entry = totals.setdefault((unit.lang, unit.method), [0, 0, 0])
        entry[0] += rows
        entry[1] += kept
        entry[2] += dropped
        if progress is not None:
            progress(Progress(unit, entry[0], len(examples), entry[1], entry[2]))

    by_key = {(s.task, s.lang, s.method, s.index): s for s in store.manifest.shards}
    for unit in units:
        done = by_key.get((unit.task, unit.lang, unit.method, unit.index))
        if done is not None:
            stats.units_skipped += 1
            report(unit, unit.stop - unit.start, done.rows, sum(done.drops.values()))

    if todo:
        _prepare(config, todo, store)
    executor = create_executor(config.executor, config.ray_address)
    results: Iterator[UnitResult] = executor.map_units(UnitTask(config, examples, should_stop, window), todo)
    for result in results:
        unit = result.unit
        if should_stop is not None and should_stop():
            raise Cancelled(
                f"stopped before writing {unit.task}/{unit.lang}/{unit.method} shard {unit.index}"
            )
        store.write(
            unit.task,
            unit.lang,
            unit.method,
            unit.index,
            result.examples,
            input_rows=unit.stop - unit.start,
            drops=dict(result.drops),
            qe={signal: histogram(values) for signal, values in result.quality.items()},
        )
        stats.units_done += 1
        stats.segments.add(result.segments)
        stats.projections.update(ex.projection or "none" for ex in result.examples)
        report(unit, unit.stop - unit.start, len(result.examples), sum(result.drops.values()))
        if should_stop is not None and should_stop():
            raise Cancelled(f"stopped after {unit.task}/{unit.lang}/{unit.method} shard {unit.index}")
    return store.finish((u.task, u.lang, u.method, u.index) for u in units)


def _prepare(config: GenerateConfig, todo: Sequence[Unit], store: ShardStore) -> None:
    """Check up front that the backend and lexicons serve every language the remaining units need."""
    res = resources(config)
    info: dict[str, Any] = dict(store.manifest.backend)
    translate_langs = sorted({u.lang for u in todo if u.method == "translate"})
    if translate_langs:
        translator = res.translator
        missing = [lang for lang in translate_langs if not translator.supports(SOURCE_LANG, lang)]
        if missing:
            raise ConfigError(
                f"backend '{translator.name}' ({translator.model_id}) cannot translate "
                f"en->{', en->'.join(missing)}; drop these languages or choose another backend/model"
            )
        info.update(backend_info(translator))
    switch_langs = sorted({u.lang for u in todo if u.method == "codeswitch"})
    if switch_langs:
        problems = []
        for lang in switch_langs:
            try:
                res.lexicon(lang)
            except XstiltsError as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("; ".join(problems))
        lexicons = dict(info.get("lexicons", {}))
        lexicons.update({lang: res.lexicon(lang).origin for lang in switch_langs})
        info["lexicons"] = lexicons
    store.manifest.backend = info
