"""Units of work, one per shard, and how a unit's examples are translated or code-switched, then filtered."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from random import Random

from generator.errors import Cancelled
from generator.example import Example
from generator.filters import DropCounter
from generator.pipeline.config import GenerateConfig
from generator.pipeline.overlap import DEFAULT_WINDOW, Job, Steps, computed, run_jobs
from generator.pipeline.resources import Resources, resources
from generator.pipeline.stats import SegmentStats
from generator.projection.config import LOST_SPAN
from generator.projection.fields import fields_to_translate, text_segments, translate_fields
from generator.projection.qa_assembly import assemble_qa
from generator.projection.qa_plan import QAPlan, plan_qa
from generator.projection.tags import entity_runs, mark_entities, project_tags
from generator.quality.qe_config import LOW_QUALITY


@dataclass(frozen=True, slots=True)
class Unit:
    """One shard's worth of work: input rows [start, stop) of `task` into `lang` by `method`."""

    task: str
    lang: str
    method: str
    index: int
    start: int
    stop: int


@dataclass(slots=True)
class UnitResult:
    """A processed unit: kept examples (input order), drops by reason, MT segment counts, QE scores."""

    unit: Unit
    examples: list[Example]
    drops: Counter[str]
    segments: SegmentStats
    quality: dict[str, list[float]] = field(
        default_factory=dict
    )  # QE signal -> scores of the scored examples


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


Outcome = list[tuple[Example | None, str, dict[str, float]]]  # example or None, drop reason, QE scores


def _codeswitch_batch(
    config: GenerateConfig, res: Resources, unit: Unit, batch: Sequence[Example]
) -> Outcome:
    from generator.codeswitch.config import CodeSwitchConfig
    from generator.codeswitch.examples import switch_example

    opts = config.codeswitch
    cfg = CodeSwitchConfig(
        langs=(unit.lang,),
        sentence_ratio=opts.sentence_ratio,
        token_ratio=opts.token_ratio,
        mix=opts.mix,
        sense=opts.sense,
        function_words=opts.function_words,
    )
    lexicons = {unit.lang: res.lexicon(unit.lang)}
    out: Outcome = []
    for example in batch:
        rng = Random(f"{config.seed}:{unit.lang}:{example.id}")
        switched = switch_example(example, lexicons, cfg, rng)
        out.append((switched, "" if switched is not None else LOST_SPAN, {}))
    return out


def translate_steps(
    config: GenerateConfig,
    res: Resources,
    lang: str,
    batch: Sequence[Example],
    together: Mapping[str, Sequence[Example]],
) -> Steps[Outcome]:
    """Translate a batch, yielding the texts it needs translated; `together` holds the QA examples by
    context whose answers share marked copies."""
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
    translations = yield wanted

    results: dict[int, Example | None] = {}
    todo = qa_plans
    answer_mt: dict[str, str] | None = None
    while todo:
        assembled = {
            i: assemble_qa(
                qa,
                translations,
                lang=lang,
                method=method,
                config=proj,
                answer_translations=answer_mt,
                aligner=res.aligner,
            )
            for i, qa in todo.items()
        }
        results.update({i: r.example for i, r in assembled.items() if not (r.retry or r.pending)})
        todo = {i: qa_plans[i] for i, r in assembled.items() if r.retry or r.pending}
        retry = [text for r in assembled.values() for text in r.retry]
        if retry:  # shared copies that lost their markers: plain sentences and per-answer copies first
            translations = {**translations, **(yield retry)}
        elif todo:
            answers = [a for qa in todo.values() for a in qa.answer_texts()]
            answer_mt = yield answers
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
    res: Resources, lang: str, batch: Sequence[Example], results: Mapping[int, Example | None]
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
    quality = _estimate(res, lang, owners, sources, outputs, first_reason)
    out: Outcome = []
    for i in range(len(batch)):
        translated = results[i]
        scores = quality.get(i, {})
        if translated is None:
            out.append((None, LOST_SPAN, scores))
        elif i in first_reason:
            out.append((None, first_reason[i], scores))
        elif res.estimator is not None and res.estimator.failing(lang, scores):
            out.append((None, LOW_QUALITY, scores))
        else:
            out.append((translated, "", scores))
    return out


def _estimate(
    res: Resources,
    lang: str,
    owners: Sequence[int],
    sources: Sequence[str],
    outputs: Sequence[str],
    dropped: Mapping[int, str],
) -> dict[int, dict[str, float]]:
    """Each example's QE scores: per signal the lowest over its checked text pairs (examples the
    filters kept only; each distinct pair scored once)."""
    if res.estimator is None:
        return {}
    pairs = [(o, s, t) for o, s, t in zip(owners, sources, outputs, strict=True) if o not in dropped]
    distinct = list(dict.fromkeys((s, t) for _, s, t in pairs))
    scored = res.estimator.scores(lang, [s for s, _ in distinct], [t for _, t in distinct])
    by_pair = {
        pair: {signal: values[k] for signal, values in scored.items()} for k, pair in enumerate(distinct)
    }
    out: dict[int, dict[str, float]] = {}
    for owner, s, t in pairs:
        mine = out.setdefault(owner, {})
        for signal, value in by_pair[(s, t)].items():
            mine[signal] = min(value, mine.get(signal, 1.0))
    return out


@dataclass
class UnitTask:
    """The function an executor maps over units: process one unit of the run's examples.

    `stream(units)` processes several units as one stream of batches, the backend translating one
    batch while the others are prepared and finished (`generator.pipeline.overlap`); `window` is
    how many batches are in flight (1: one at a time).
    """

    config: GenerateConfig
    examples: Sequence[Example]
    should_stop: Callable[[], bool] | None = None
    window: int = DEFAULT_WINDOW

    def __call__(self, unit: Unit) -> UnitResult:
        (result,) = self.stream([unit])  # to the end, so the backend thread is shut down
        return result

    def stream(self, units: Sequence[Unit]) -> Iterator[UnitResult]:
        """The result of each unit, in order, as soon as its last batch is done."""
        res = resources(self.config)
        owners: list[tuple[Unit, bool]] = []  # the unit of each job, and whether it is the unit's last

        def jobs() -> Iterator[Job[Outcome]]:
            for unit in units:
                rows = self.examples[unit.start : unit.stop]
                together = _by_context(self.examples, unit.start, unit.stop)
                starts = range(0, len(rows), self.config.batch_size)
                for begin in starts:
                    owners.append((unit, begin == starts[-1]))
                    yield Job(
                        unit.lang,
                        self._batch(res, unit, rows[begin : begin + self.config.batch_size], together),
                    )

        kept: list[Example] = []
        drops: Counter[str] = Counter()
        stats = SegmentStats()
        quality: dict[str, list[float]] = {}
        outcomes = run_jobs(
            jobs(),
            res.memory(),
            res.backend_call,
            window=self.window,
            before_each=lambda index: self._check_stop(owners[index][0]),
        )
        for n, (outcome, counts) in enumerate(outcomes):
            unit, last = owners[n]
            stats.add(counts)
            for example, reason, scores in outcome:
                for signal, value in scores.items():
                    quality.setdefault(signal, []).append(value)
                if example is None:
                    drops[reason] += 1
                else:
                    kept.append(example)
            if last:
                yield UnitResult(unit, kept, drops, stats, quality)
                kept, drops, stats, quality = [], Counter(), SegmentStats(), {}

    def _batch(
        self, res: Resources, unit: Unit, batch: Sequence[Example], together: Mapping[str, Sequence[Example]]
    ) -> Callable[[], Steps[Outcome]]:
        if unit.method == "codeswitch":
            return lambda: computed(lambda: _codeswitch_batch(self.config, res, unit, batch))
        return lambda: translate_steps(self.config, res, unit.lang, batch, together)

    def _check_stop(self, unit: Unit) -> None:
        if self.should_stop is not None and self.should_stop():
            raise Cancelled(f"stopped in {unit.task}/{unit.lang}/{unit.method} shard {unit.index}")


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
