"""plan -> run -> write: English task file to translated / code-switched shards, resumable.

The work is cut into units, one per shard: (task, language, method, shard index) over a fixed
range of input rows. A unit is processed in batches of examples; a batch gathers every segment
its examples need (context sentences, marked answer sentences, questions, ...), drops duplicates,
looks them up in the translation memory and sends the rest to the backend in one call. The
answers of all questions on a context are planned together over the unit, so a sentence is sent
once, marked with every answer it holds. A shared copy whose markers did not survive gets one more
call for the plain sentence and per-answer copies; answers still unplaced get one for the answer
texts (fuzzy / alignment fallback).
Translations are then filtered (empty, length ratio, copy, language id) and the unit is written
as one shard; the manifest lists finished shards, so a rerun skips them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from random import Random
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.backends import Translator, create_translator
from generator.cache import CacheKey, TranslationCache, translate_with_cache
from generator.errors import ConfigError, XstiltsError
from generator.example import Example
from generator.executors import create_executor
from generator.filters import DropCounter, Filter, FilterConfig
from generator.lexicons.lexicon import Lexicon
from generator.project import (
    LOST_SPAN,
    ProjectionConfig,
    QAPlan,
    assemble_qa,
    entity_runs,
    fields_to_translate,
    is_bio,
    mark_entities,
    plan_qa,
    project_tags,
    text_segments,
    translate_fields,
)
from generator.shards import MANIFEST, Manifest, ShardStore, load_manifest

SOURCE_LANG = "en"
Method = Literal["translate", "codeswitch"]
# Settings that change what a shard holds: a directory's shards must all agree on them.
_OUTPUT_FIELDS = (
    "task",
    "input",
    "backend",
    "backend_options",
    "codeswitch",
    "rows_per_shard",
    "filters",
    "projection",
    "seed",
)


class Cancelled(XstiltsError):
    """`should_stop` asked the run to stop; finished shards are kept and a rerun resumes."""


class CodeSwitchOptions(BaseModel):
    """Code-switching settings of a generation run (CoSDA-ML style, FreeDict/MUSE lexicons)."""

    model_config = ConfigDict(extra="forbid")

    token_ratio: float = Field(default=0.5, ge=0.0, le=1.0)
    sentence_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    mix: Literal["one", "many"] = "one"
    lexicon_files: dict[str, Path] = Field(
        default_factory=dict, description="MUSE lexicon file per language; FreeDict otherwise"
    )


class GenerateConfig(BaseModel):
    """One generation run; every problem is reported at once when it is built with `GenerateConfig.build`."""

    model_config = ConfigDict(extra="forbid")

    task: str
    input: Path
    langs: list[str]
    methods: list[Method] = ["translate"]
    backend: str = "apertium"
    backend_options: dict[str, Any] = Field(default_factory=dict)
    codeswitch: CodeSwitchOptions = CodeSwitchOptions()
    out: Path
    rows_per_shard: int = Field(default=500, ge=1)
    batch_size: int = Field(default=64, ge=1)
    cache_path: Path | None = None
    filters: FilterConfig = FilterConfig()
    projection: ProjectionConfig = ProjectionConfig()
    skip_invalid: bool = False
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    seed: int = 0

    @model_validator(mode="after")
    def _check(self) -> GenerateConfig:
        from generator.backends import BACKENDS
        from generator.languages import LANGUAGES
        from generator.tasks import FORMATS

        problems = []
        if self.task not in FORMATS:
            problems.append(f"unknown task '{self.task}'; choose one of {', '.join(sorted(FORMATS))}")
        unknown = [code for code in self.langs if code not in LANGUAGES]
        if unknown:
            problems.append(f"unknown language code(s) {', '.join(unknown)}; use XTREME-R codes")
        if not self.langs:
            problems.append("no target languages; pass XTREME-R codes such as es,sw,yo")
        if SOURCE_LANG in self.langs:
            problems.append("'en' is the source language; pick target languages other than en")
        if not self.methods:
            problems.append("no methods; pass translate and/or codeswitch")
        if "translate" in self.methods and self.backend not in BACKENDS:
            problems.append(f"unknown backend '{self.backend}'; choose one of {', '.join(BACKENDS)}")
        bad_files = [lang for lang in self.codeswitch.lexicon_files if lang not in self.langs]
        if bad_files:
            problems.append(f"lexicon files given for {', '.join(bad_files)}, which are not among langs")
        if problems:
            raise ValueError("; ".join(problems))
        self.langs = list(dict.fromkeys(self.langs))
        self.methods = list(dict.fromkeys(self.methods))
        return self

    @classmethod
    def build(cls, **values: Any) -> GenerateConfig:
        """Validate `values`, raising one ConfigError that lists every problem."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                message = str(err["msg"]).removeprefix("Value error, ")
                problems.append(f"{where}: {message}" if where else message)
            raise ConfigError("invalid generation config: " + "; ".join(problems)) from None

    def output_settings(self) -> dict[str, Any]:
        """The settings that decide shard contents (compared on resume)."""
        dumped = self.model_dump(mode="json")
        return {key: dumped[key] for key in _OUTPUT_FIELDS}


@dataclass(frozen=True, slots=True)
class Unit:
    """One shard's worth of work: input rows [start, stop) of `task` into `lang` by `method`."""

    task: str
    lang: str
    method: str
    index: int
    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class Progress:
    """Totals of one (language, method) after a unit: input rows done of total, kept and dropped."""

    unit: Unit
    done_rows: int
    total_rows: int
    kept: int
    dropped: int


@dataclass(slots=True)
class SegmentStats:
    """Segments asked for by examples (before dedup), distinct per batch, and sent to the backend."""

    requested: int = 0
    distinct: int = 0
    translated: int = 0

    def add(self, other: SegmentStats) -> None:
        self.requested += other.requested
        self.distinct += other.distinct
        self.translated += other.translated


@dataclass(slots=True)
class RunStats:
    """What a run did beyond the manifest: units processed and skipped, MT segments, projections."""

    units_done: int = 0
    units_skipped: int = 0
    segments: SegmentStats = field(default_factory=SegmentStats)
    projections: Counter[str] = field(default_factory=Counter)
    invalid_records: int = 0


@dataclass(slots=True)
class UnitResult:
    """A processed unit: kept examples (input order), drops by reason, MT segment counts."""

    unit: Unit
    examples: list[Example]
    drops: Counter[str]
    segments: SegmentStats


def plan(config: GenerateConfig, n_examples: int) -> list[Unit]:
    """Every unit of the run, language by language, method by method, shard by shard."""
    size = config.rows_per_shard
    count = math.ceil(n_examples / size)
    return [
        Unit(config.task, lang, method, k, k * size, min(n_examples, (k + 1) * size))
        for lang in config.langs
        for method in config.methods
        for k in range(count)
    ]


# --- per-process resources ----------------------------------------------------------------------


class _Resources:
    """The translator, translation memory, filter and lexicons a config uses, shared within a process.

    Translators, filters and lexicons are kept per process by their own settings, so runs (or
    service jobs) with the same backend reuse one loaded model and one language detector.
    """

    def __init__(self, config: GenerateConfig) -> None:
        self.config = config

    @property
    def translator(self) -> Translator:
        return _translator(self.config.backend, json.dumps(self.config.backend_options, sort_keys=True))

    @property
    def cache(self) -> TranslationCache:
        return _cache(str(self.config.cache_path or self.config.out / ".cache.sqlite"))

    @property
    def filter(self) -> Filter:
        return _filter_for(self.config.filters.model_dump_json())

    def lexicon(self, lang: str) -> Lexicon:
        path = self.config.codeswitch.lexicon_files.get(lang)
        return _lexicon(lang, str(path) if path else "")

    def translate(self, texts: Sequence[str], lang: str, stats: SegmentStats) -> dict[str, str]:
        """Translations of `texts` by text: duplicates once, cached ones from memory, the rest in one call."""
        unique = list(dict.fromkeys(t for t in texts if t))
        stats.requested += sum(1 for t in texts if t)
        stats.distinct += len(unique)
        if not unique:
            return {}
        tr = self.translator
        key = CacheKey.build(tr.name, tr.model_id, tr.options, SOURCE_LANG, lang)

        def backend(batch: list[str]) -> list[str]:
            stats.translated += len(batch)
            return tr.translate(batch, SOURCE_LANG, lang)

        return dict(zip(unique, translate_with_cache(backend, unique, key, self.cache), strict=True))


@lru_cache(maxsize=2)
def _translator(backend: str, options_json: str) -> Translator:
    return create_translator(backend, **json.loads(options_json))


_CACHES: dict[str, TranslationCache] = {}


def _cache(path: str) -> TranslationCache:
    """One open translation memory per file; reopened when the file was removed meanwhile."""
    cache = _CACHES.get(path)
    if cache is None or not Path(path).exists():
        cache = _CACHES[path] = TranslationCache(path)
    return cache


@lru_cache(maxsize=4)
def _filter_for(config_json: str) -> Filter:
    return Filter(FilterConfig.model_validate_json(config_json))


@lru_cache(maxsize=16)
def _lexicon(lang: str, muse_file: str) -> Lexicon:
    from generator.lexicons.installed import load_lexicon
    from generator.lexicons.muse import load_muse

    return load_muse(muse_file, SOURCE_LANG, lang) if muse_file else load_lexicon(lang)


def resources(config: GenerateConfig) -> _Resources:
    """The resources of `config` in this process."""
    return _Resources(config)


# --- processing ---------------------------------------------------------------------------------


def _process(
    config: GenerateConfig,
    unit: Unit,
    examples: Sequence[Example],
    should_stop: Callable[[], bool] | None,
    together: Mapping[str, Sequence[Example]] | None = None,
) -> UnitResult:
    res = resources(config)
    kept: list[Example] = []
    drops: Counter[str] = Counter()
    stats = SegmentStats()
    for begin in range(0, len(examples), config.batch_size):
        if should_stop is not None and should_stop():
            raise Cancelled(f"stopped in {unit.task}/{unit.lang}/{unit.method} shard {unit.index}")
        batch = examples[begin : begin + config.batch_size]
        if unit.method == "codeswitch":
            outcome = _codeswitch_batch(config, res, unit, batch)
        else:
            outcome = _translate_batch(config, res, unit.lang, batch, stats, together or {})
        for example, reason in outcome:
            if example is None:
                drops[reason] += 1
            else:
                kept.append(example)
    return UnitResult(unit, kept, drops, stats)


Outcome = list[tuple[Example | None, str]]


def _codeswitch_batch(
    config: GenerateConfig, res: _Resources, unit: Unit, batch: Sequence[Example]
) -> Outcome:
    from generator.codeswitch.config import CodeSwitchConfig
    from generator.codeswitch.examples import switch_example

    opts = config.codeswitch
    cfg = CodeSwitchConfig(
        langs=(unit.lang,), sentence_ratio=opts.sentence_ratio, token_ratio=opts.token_ratio, mix=opts.mix
    )
    lexicons = {unit.lang: res.lexicon(unit.lang)}
    out: Outcome = []
    for example in batch:
        rng = Random(f"{config.seed}:{unit.lang}:{example.id}")
        switched = switch_example(example, lexicons, cfg, rng)
        out.append((switched, "" if switched is not None else LOST_SPAN))
    return out


def _translate_batch(
    config: GenerateConfig,
    res: _Resources,
    lang: str,
    batch: Sequence[Example],
    stats: SegmentStats,
    together: Mapping[str, Sequence[Example]],
) -> Outcome:
    """Translate a batch; `together` holds the QA examples by context whose answers share marked copies."""
    proj = config.projection
    method = "translate"
    wanted: list[str] = []
    qa_plans: dict[int, QAPlan] = {}
    marked_tags: dict[int, str] = {}
    for i, ex in enumerate(batch):
        if ex.kind == "qa":
            qa_plans[i] = plan_qa(ex, proj, together=together.get(ex.context, ()))
            wanted += qa_plans[i].texts() + text_segments(ex.question)
        elif ex.kind == "tagging":
            marked_tags[i] = mark_entities(ex.tokens, ex.tags, proj.markers)
            wanted.append(marked_tags[i])
        else:
            wanted += [seg for text in fields_to_translate(ex) for seg in text_segments(text)]
    translations = res.translate(wanted, lang, stats)

    results: dict[int, Example | None] = {}
    todo = qa_plans
    answer_mt: dict[str, str] | None = None
    while todo:
        assembled = {
            i: assemble_qa(
                qa, translations, lang=lang, method=method, config=proj, answer_translations=answer_mt
            )
            for i, qa in todo.items()
        }
        results.update({i: r.example for i, r in assembled.items() if not (r.retry or r.pending)})
        todo = {i: qa_plans[i] for i, r in assembled.items() if r.retry or r.pending}
        retry = [text for r in assembled.values() for text in r.retry]
        if retry:  # shared copies that lost their markers: plain sentences and per-answer copies first
            translations = {**translations, **res.translate(retry, lang, stats)}
        elif todo:
            answers = [a for qa in todo.values() for a in qa.answer_texts()]
            answer_mt = res.translate(answers, lang, stats)
    for i, marked in marked_tags.items():
        ex = batch[i]
        results[i] = (
            project_tags(ex, translations[marked], lang=lang, method=method, config=proj)
            if marked or not entity_runs(ex.tags)
            else None
        )
    for i, ex in enumerate(batch):
        if ex.kind not in ("qa", "tagging"):
            results[i] = translate_fields(ex, translations, lang=lang, method=method)
    return _filter(res, lang, batch, results)


def _filtered_pairs(source: Example, translated: Example) -> list[tuple[str, str]]:
    """(English, translation) text pairs of an example that the filters check."""
    if source.kind == "qa":
        pairs = [(source.context, translated.context), (source.question, translated.question)]
    elif source.kind == "tagging":
        pairs = [(" ".join(source.tokens), " ".join(translated.tokens))]
    elif source.kind == "pair":
        pairs = [(source.text_a, translated.text_a), (source.text_b, translated.text_b)]
    elif source.kind == "choice":
        pairs = [
            (source.context, translated.context),
            (source.question, translated.question),
            *zip(source.choices, translated.choices, strict=True),
        ]
    else:
        pairs = [(source.text_a, translated.text_a)]
    return [(s, t) for s, t in pairs if s.strip()]


def _filter(
    res: _Resources, lang: str, batch: Sequence[Example], results: Mapping[int, Example | None]
) -> Outcome:
    owners: list[int] = []
    sources: list[str] = []
    outputs: list[str] = []
    for i, ex in enumerate(batch):
        translated = results[i]
        if translated is None:
            continue
        for s, t in _filtered_pairs(ex, translated):
            owners.append(i)
            sources.append(s)
            outputs.append(t)
    # Questions sharing a paragraph mostly share its translation too: check each distinct pair once.
    distinct = list(dict.fromkeys(zip(sources, outputs, strict=True)))
    checked = (
        res.filter.check_many([s for s, _ in distinct], [t for _, t in distinct], lang, DropCounter())
        if distinct
        else []
    )
    verdict = dict(zip(distinct, checked, strict=True))
    reasons = [verdict[pair] for pair in zip(sources, outputs, strict=True)]
    first_reason: dict[int, str] = {}
    for owner, reason in zip(owners, reasons, strict=True):
        if reason is not None:
            first_reason.setdefault(owner, reason)
    out: Outcome = []
    for i in range(len(batch)):
        translated = results[i]
        if translated is None:
            out.append((None, LOST_SPAN))
        elif i in first_reason:
            out.append((None, first_reason[i]))
        else:
            out.append((translated, ""))
    return out


@dataclass
class UnitTask:
    """The function an executor maps over units: process one unit of the run's examples."""

    config: GenerateConfig
    examples: Sequence[Example]
    should_stop: Callable[[], bool] | None = None

    def __call__(self, unit: Unit) -> UnitResult:
        rows = self.examples[unit.start : unit.stop]
        together = _by_context(self.examples, unit.start, unit.stop)
        return _process(self.config, unit, rows, self.should_stop, together)


def _by_context(examples: Sequence[Example], start: int, stop: int) -> dict[str, list[Example]]:
    """QA examples of rows [start, stop) by context, with the rows beyond either end that share an end's context.

    Every unit that holds questions on a context then plans that context's marked copies alike.
    """
    if start >= stop:
        return {}
    while (
        start > 0
        and examples[start - 1].kind == "qa"
        and examples[start - 1].context == examples[start].context
    ):
        start -= 1
    while (
        stop < len(examples)
        and examples[stop].kind == "qa"
        and examples[stop].context == examples[stop - 1].context
    ):
        stop += 1
    out: dict[str, list[Example]] = {}
    for ex in examples[start:stop]:
        if ex.kind == "qa":
            out.setdefault(ex.context, []).append(ex)
    return out


# --- the run ------------------------------------------------------------------------------------


def read_input(config: GenerateConfig) -> tuple[list[Example], int]:
    """The English examples of the input file and the number of invalid records skipped."""
    from generator.tasks import read_examples

    result = read_examples(config.task, config.input, skip_invalid=config.skip_invalid)
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
    changed = [key for key in _OUTPUT_FIELDS if key in previous and previous[key] != settings[key]]
    if changed:
        raise ConfigError(
            f"{config.out} holds shards made with other settings ({', '.join(changed)} differ); "
            "use a new --out directory or delete this one to start over"
        )


def backend_info(translator: Translator) -> dict[str, Any]:
    return {"name": translator.name, "model_id": translator.model_id, "options": dict(translator.options)}


def run(
    config: GenerateConfig,
    *,
    progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stats: RunStats | None = None,
) -> Manifest:
    """Generate every unfinished shard of `config` and return the complete manifest.

    Finished shards (listed in `<out>/manifest.json`) are skipped, so a rerun resumes.
    `progress` is called after each unit (skipped ones first); `should_stop` is checked between
    batches and raises `Cancelled`; `stats`, when given, is filled with segment and unit counts.
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
    store = ShardStore(config.out, manifest_config, previous_backend)
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
    results: Iterator[UnitResult] = executor.map_units(UnitTask(config, examples, should_stop), todo)
    for result in results:
        unit = result.unit
        store.write(
            unit.task,
            unit.lang,
            unit.method,
            unit.index,
            result.examples,
            input_rows=unit.stop - unit.start,
            drops=dict(result.drops),
        )
        stats.units_done += 1
        stats.segments.add(result.segments)
        stats.projections.update(ex.projection or "none" for ex in result.examples)
        report(unit, unit.stop - unit.start, len(result.examples), sum(result.drops.values()))
        if should_stop is not None and should_stop():
            raise Cancelled(f"stopped after {unit.task}/{unit.lang}/{unit.method} shard {unit.index}")
    return store.finish()


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
