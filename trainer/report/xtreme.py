"""The report's XTREME-R view: task scores as `evaluate.py` computes them, categories and the overall.

A benchmark task's score (`trainer.benchmark.task_average`) uses the languages of the report's
common cells that are benchmark languages; other tasks (targets outside XTREME-R, and the
`<task>_frozen` scores of LAReQA and Mewsli-X before fine-tuning) average their primary metric
over their cells and stay out of the overall, the categories and the tier averages, unless no
benchmark task was run (then the overall is the mean over every task).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trainer.benchmark import XTREME_R_CATEGORIES, XTREME_R_LANGUAGES, benchmark_task, task_average
from trainer.metrics import Scores


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which XTREME-R tasks the report holds, and the benchmark languages each misses."""

    tasks: list[str]
    missing_tasks: list[str]
    missing_languages: dict[str, list[str]]
    complete_categories: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing_tasks and not any(self.missing_languages.values())


def benchmark_tasks(languages: Mapping[str, Sequence[str]]) -> list[str]:
    """The report's tasks that count as XTREME-R tasks: a benchmark name with a benchmark language."""
    return [
        task
        for task, langs in languages.items()
        if benchmark_task(task) in XTREME_R_LANGUAGES
        and any(lang in XTREME_R_LANGUAGES[benchmark_task(task)] for lang in langs)
    ]


def aggregated_tasks(languages: Mapping[str, Sequence[str]]) -> list[str]:
    """The tasks the overall and tier averages run over: the XTREME-R ones when there are any."""
    return benchmark_tasks(languages) or list(languages)


def seed_scores(
    scores: Scores, primary: Mapping[str, str], languages: Mapping[str, list[str]]
) -> tuple[dict[str, float], float, dict[str, float]]:
    """Task scores, the overall score and the category scores of one seed."""
    counted = set(benchmark_tasks(languages))
    tasks = {
        task: task_average(task, {lang: scores[task][lang] for lang in langs}).score
        if task in counted
        else statistics.fmean(scores[task][lang][primary[task]] for lang in langs)
        for task, langs in languages.items()
    }
    overall = statistics.fmean(tasks[t] for t in aggregated_tasks(languages))
    by_name = {benchmark_task(t): tasks[t] for t in counted}
    categories = {
        category: statistics.fmean(by_name[t] for t in members)
        for category, members in XTREME_R_CATEGORIES.items()
        if all(t in by_name for t in members)
    }
    return tasks, overall, categories


def coverage(languages: Mapping[str, list[str]]) -> Coverage:
    """The benchmark tasks and languages the report's averages cover."""
    present = {benchmark_task(t): languages[t] for t in benchmark_tasks(languages)}
    missing_langs = {
        task: [lang for lang in XTREME_R_LANGUAGES[task] if lang not in langs]
        for task, langs in present.items()
    }
    complete = [
        category
        for category, members in XTREME_R_CATEGORIES.items()
        if all(t in present and not missing_langs[t] for t in members)
    ]
    return Coverage(
        tasks=[t for t in XTREME_R_LANGUAGES if t in present],
        missing_tasks=[t for t in XTREME_R_LANGUAGES if t not in present],
        missing_languages=missing_langs,
        complete_categories=complete,
    )
