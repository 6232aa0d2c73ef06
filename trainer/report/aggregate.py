"""The report's numbers: per-language scores over seeds, XTREME-R averages, tier averages, deltas.

Aggregates follow XTREME-R's `evaluate.py` (`trainer.report.xtreme`): a task's score is the mean
over its languages of the task's metrics, (EM + F1) / 2 for QA, LAReQA's over all its questions;
the category scores and the overall score are means of task scores, over the XTREME-R tasks run.
A tier score is the mean, over those tasks that evaluate at least one language of the tier, of the
mean of the primary metric over those languages. Every aggregate
is computed per seed first, then reported as mean ± sample standard deviation over seeds. Averages
use, per task, only the languages every run of every condition scored, so conditions compare on
the same cells. The first condition is the baseline every other condition is compared with; each
later condition is also compared with the one before it (synthetic vs English-only).
"""

from __future__ import annotations

import math
import platform
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

from generator.errors import ConfigError
from generator.example import Kind
from trainer.benchmark import QUESTIONS
from trainer.metrics import Scores, primary_metric
from trainer.report.bootstrap import Interval
from trainer.report.xtreme import Coverage, aggregated_tasks, coverage, seed_scores

TIER_ORDER = ("high", "mid", "low", "unknown")
CONDITION_LABELS = {
    "baseline": "no intermediate training",
    "en_intermediate": "English intermediate training",
    "en_synthetic_intermediate": "English + synthetic intermediate training",
}
_VERSIONED = ("xstilts", "torch", "transformers", "numpy", "seqeval", "matplotlib")


@dataclass(frozen=True, slots=True)
class Stat:
    """Mean over seeds, sample standard deviation (None with one seed) and number of seeds."""

    mean: float
    std: float | None
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        return cls(
            statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None, len(values)
        )

    def text(self) -> str:
        return f"{self.mean:.1f}" if self.std is None else f"{self.mean:.1f} ± {self.std:.1f}"


@dataclass(frozen=True, slots=True)
class Delta:
    """`condition` minus `reference` of a mean, with its standard error over seeds when both have several."""

    value: float
    se: float | None

    @classmethod
    def between(cls, a: Stat, b: Stat) -> Delta:
        se = None
        if a.std is not None and b.std is not None:
            se = math.sqrt(a.std**2 / a.n + b.std**2 / b.n)
        return cls(a.mean - b.mean, se)

    def noise(self) -> str:
        if self.se is None:
            return "no seed-noise estimate: run at least two seeds per condition"
        beyond = abs(self.value) > 2 * self.se
        return f"standard error {self.se:.1f}; {'beyond' if beyond else 'within'} twice the seed noise"


@dataclass(slots=True)
class Comparison:
    """Deltas of `condition` against `reference` on the primary metrics."""

    condition: str
    reference: str
    languages: dict[str, dict[str, float]]
    tasks: dict[str, Delta]
    overall: Delta
    tiers: dict[str, Delta]
    gained: dict[str, list[str]]
    lost: dict[str, list[str]]
    categories: dict[str, Delta] = field(default_factory=dict)
    # Bootstrap intervals from per-example scores (`trainer.report.intervals`): by task and language,
    # and by tier / unseen group.
    intervals: dict[str, dict[str, Interval]] = field(default_factory=dict)
    group_intervals: dict[str, Interval] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    """Everything `report.json` holds; `report.md` and the charts are rendered from it."""

    conditions: list[str]
    meta: dict[str, Any]
    versions: dict[str, str]
    seeds: dict[str, int]
    primary: dict[str, str]
    languages: dict[str, list[str]]
    tiers: dict[str, str]
    cells: dict[str, dict[str, dict[str, dict[str, Stat]]]]
    task_averages: dict[str, dict[str, Stat]]
    overall: dict[str, Stat]
    tier_averages: dict[str, dict[str, Stat]]
    comparisons: list[Comparison]
    answers: list[str]
    notes: list[str] = field(default_factory=list)
    categories: dict[str, dict[str, Stat]] = field(default_factory=dict)
    coverage: Coverage | None = None

    @property
    def baseline(self) -> str:
        return self.conditions[0]

    def to_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline, **asdict(self)}


def _label(condition: str) -> str:
    return CONDITION_LABELS.get(condition, condition)


def _tier_of(lang: str) -> str:
    from generator.languages import LANGUAGES

    language = LANGUAGES.get(lang)
    return language.tier if language is not None else "unknown"


def package_versions(extra: Sequence[str] = ()) -> dict[str, str]:
    """Python's version and the installed versions of the packages results depend on (and `extra`)."""
    found = {"python": platform.python_version()}
    for name in (*_VERSIONED, *extra):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _validate(runs: Mapping[str, Sequence[Scores]]) -> None:
    if not runs:
        raise ConfigError("no runs to report; pass {condition: [Scores per seed]} with the baseline first")
    for condition, seeds in runs.items():
        if not seeds:
            raise ConfigError(f"condition {condition!r} has no runs; pass at least one Scores per condition")
        for s, scores in enumerate(seeds):
            for task, by_lang in scores.items():
                for lang, metrics in by_lang.items():
                    for metric, value in metrics.items():
                        ok = isinstance(value, int | float) and not isinstance(value, bool)
                        top = math.inf if metric == QUESTIONS else 100.0
                        if not ok or not math.isfinite(value) or not 0.0 <= value <= top:
                            raise ConfigError(
                                f"condition {condition!r}, run {s}, {task}/{lang}/{metric}: {value!r} is not "
                                "a score in percent; scores must be finite numbers in [0, 100]"
                            )


def _common_languages(
    runs: Mapping[str, Sequence[Scores]], primary: dict[str, str], notes: list[str]
) -> dict[str, list[str]]:
    common: dict[str, list[str]] = {}
    for task, metric in primary.items():
        per_run = [
            {lang for lang, m in scores.get(task, {}).items() if metric in m}
            for seeds in runs.values()
            for scores in seeds
        ]
        shared = set.intersection(*per_run)
        dropped = sorted(set.union(*per_run) - shared)
        if dropped:
            notes.append(
                f"{task}: {', '.join(dropped)} left out of the averages (not scored by every run of every condition)"
            )
        if not shared:
            notes.append(f"{task}: no language scored by every run; the task is left out of the averages")
            continue
        common[task] = sorted(shared, key=lambda lang: (TIER_ORDER.index(_tier_of(lang)), lang))
    return common


def _seed_aggregates(
    scores: Scores, primary: dict[str, str], languages: dict[str, list[str]], tiers: dict[str, str]
) -> tuple[dict[str, float], float, dict[str, float], dict[str, float]]:
    task_avg, overall, categories = seed_scores(scores, primary, languages)
    tier_avg: dict[str, float] = {}
    counted = aggregated_tasks(languages)
    for tier in TIER_ORDER[:-1]:
        per_task = [
            statistics.fmean(
                scores[task][lang][primary[task]] for lang in languages[task] if tiers[lang] == tier
            )
            for task in counted
            if any(tiers[lang] == tier for lang in languages[task])
        ]
        if per_task:
            tier_avg[tier] = statistics.fmean(per_task)
    return task_avg, overall, tier_avg, categories


def _compare(report: Report, condition: str, reference: str) -> Comparison:
    langs: dict[str, dict[str, float]] = {}
    gained: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    for task, task_langs in report.languages.items():
        metric = report.primary[task]
        langs[task] = {
            lang: report.cells[condition][task][lang][metric].mean
            - report.cells[reference][task][lang][metric].mean
            for lang in task_langs
        }
        gained[task] = [lang for lang, d in langs[task].items() if d > 0]
        lost[task] = [lang for lang, d in langs[task].items() if d < 0]
    return Comparison(
        condition=condition,
        reference=reference,
        languages=langs,
        tasks={
            t: Delta.between(report.task_averages[condition][t], report.task_averages[reference][t])
            for t in report.languages
        },
        overall=Delta.between(report.overall[condition], report.overall[reference]),
        tiers={
            tier: Delta.between(report.tier_averages[condition][tier], report.tier_averages[reference][tier])
            for tier in report.tier_averages[condition]
        },
        gained=gained,
        lost=lost,
        categories={
            category: Delta.between(
                report.categories[condition][category], report.categories[reference][category]
            )
            for category in report.categories.get(condition, {})
        },
    )


def _answer(report: Report, comparison: Comparison) -> str:
    low = comparison.tiers.get("low")
    subject = _label(comparison.condition)
    subject = subject[0].upper() + subject[1:]
    against = _label(comparison.reference)
    overall = comparison.overall.value
    if low is None:
        return (
            f"{subject} changed the overall average by {overall:+.1f} points vs {against}; "
            "no low-resource language was evaluated."
        )
    pairs = [
        (task, lang)
        for task, deltas in comparison.languages.items()
        for lang in deltas
        if report.tiers[lang] == "low"
    ]
    gained = sum(comparison.languages[task][lang] > 0 for task, lang in pairs)
    return (
        f"{subject} changed the low-resource average by {low.value:+.1f} points vs {against} "
        f"({low.noise()}; {gained} of {len(pairs)} low-resource task-language pairs gained; "
        f"overall {overall:+.1f})."
    )


def build_report(
    runs: Mapping[str, Sequence[Scores]], *, meta: Mapping[str, Any], kinds: Mapping[str, Kind] | None = None
) -> Report:
    """Aggregate the runs of each condition (first = baseline) into a `Report`.

    `meta` is echoed into the report (experiment config); `kinds` names the kind of tasks outside
    XTREME-R so their primary metric can be chosen.
    """
    _validate(runs)
    conditions = list(runs)
    notes: list[str] = []
    tasks = list(dict.fromkeys(task for seeds in runs.values() for scores in seeds for task in scores))
    primary = {task: primary_metric(task, (kinds or {}).get(task)) for task in tasks}
    languages = _common_languages(runs, primary, notes)
    every_lang = sorted({lang for seeds in runs.values() for s in seeds for by in s.values() for lang in by})
    tiers = {lang: _tier_of(lang) for lang in every_lang}
    unknown = [lang for lang in every_lang if tiers[lang] == "unknown"]
    if unknown:
        notes.append(f"{', '.join(unknown)}: not XTREME-R languages; left out of the tier averages")

    cells: dict[str, dict[str, dict[str, dict[str, Stat]]]] = {}
    task_averages: dict[str, dict[str, Stat]] = {}
    overall: dict[str, Stat] = {}
    tier_averages: dict[str, dict[str, Stat]] = {}
    categories: dict[str, dict[str, Stat]] = {}
    for condition, seeds in runs.items():
        cells[condition] = {}
        for task in tasks:
            found = {lang for s in seeds for lang in s.get(task, {})}
            cells[condition][task] = {}
            for lang in sorted(found):
                metrics = dict.fromkeys(m for s in seeds for m in s.get(task, {}).get(lang, {}))
                cells[condition][task][lang] = {
                    m: Stat.of([s[task][lang][m] for s in seeds if m in s.get(task, {}).get(lang, {})])
                    for m in metrics
                }
        if not languages:
            continue
        per_seed = [_seed_aggregates(s, primary, languages, tiers) for s in seeds]
        task_averages[condition] = {t: Stat.of([p[0][t] for p in per_seed]) for t in languages}
        overall[condition] = Stat.of([p[1] for p in per_seed])
        tier_averages[condition] = {
            tier: Stat.of([p[2][tier] for p in per_seed])
            for tier in TIER_ORDER[:-1]
            if tier in per_seed[0][2]
        }
        categories[condition] = {c: Stat.of([p[3][c] for p in per_seed]) for c in per_seed[0][3]}

    report = Report(
        conditions=conditions,
        meta=dict(meta),
        versions=package_versions(),
        seeds={c: len(s) for c, s in runs.items()},
        primary=primary,
        languages=languages,
        tiers=tiers,
        cells=cells,
        task_averages=task_averages,
        overall=overall,
        tier_averages=tier_averages,
        comparisons=[],
        answers=[],
        notes=notes,
        categories=categories,
        coverage=coverage(languages),
    )
    if not languages:
        report.answers.append("No task was scored on a common set of languages; nothing to compare.")
        return report
    pairs = [(c, conditions[0]) for c in conditions[1:]]
    pairs += [(conditions[i], conditions[i - 1]) for i in range(2, len(conditions))]
    report.comparisons = [_compare(report, c, r) for c, r in pairs]
    report.answers = [_answer(report, comparison) for comparison in report.comparisons]
    if not report.comparisons:
        report.answers.append("Only one condition was run; there is nothing to compare with the baseline.")
    return report
