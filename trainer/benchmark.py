"""XTREME-R's task, category and overall scores, aggregated as google-research/xtreme's `evaluate.py`.

A task's averages are, per metric, the plain mean over the benchmark's languages for that task
(`XTREME_R_LANGUAGES`, `evaluate.py`'s lists and order; English included where they include it).
Its score (`avg_metric`) is (EM + F1) / 2 for the QA tasks, else the F1, accuracy or mAP@20
average, in that order of preference. A category score is the mean of its tasks' scores, the
overall score the mean over all ten tasks.

Two choices where `evaluate.py` is silent:
- LAReQA has no languages there (it is scored by `utils_lareqa.mean_avg_prec_at_k`, one mAP@20
  over all questions of all languages against the pooled candidates). Its per-language cells are
  the mAP@20 of that language's questions with their `questions` count, and the task score is
  their count-weighted mean, which is the mean over all questions.
- Categories are the paper's: `evaluate.py`'s XTREME-R table lists retrieval as tatoeba and
  mewslix only (it cannot score LAReQA), and keeps a "multi_choice" group (xcopa) that only picks
  the file suffix.

`evaluate.py` refuses a task with a missing language. Here a task averages the benchmark
languages it has, and each score says which languages are missing; a category or the overall
score exists once all its tasks have a score and is `complete` only when none misses a language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from generator.errors import ConfigError
from trainer.metrics import Scores

Version = Literal["xtreme", "xtreme-r"]


def _langs(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.replace(",", " ").split())


# evaluate.py's XTREME_R_TASK2LANGS, in its order; LAReQA: the XQuAD-R languages.
XTREME_R_LANGUAGES: dict[str, tuple[str, ...]] = {
    "xnli": _langs("ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh"),
    "panx": _langs(
        "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,"
        "yo,my,zh,kk,tr,et,fi,hu,qu,pl,uk,az,lt,pa,gu,ro"
    ),
    "udpos": _langs(
        "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,"
        "zh,lt,pl,uk,wo,ro"
    ),
    "tatoeba": _langs(
        "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,zh,kk,"
        "tr,et,fi,hu,az,lt,pl,uk,ro"
    ),
    "xcopa": _langs("et,ht,id,it,qu,sw,ta,th,tr,vi,zh"),
    "lareqa": _langs("ar,de,el,en,es,hi,ru,th,tr,vi,zh"),
    "mewslix": _langs("ar,de,en,es,fa,ja,pl,ro,ta,tr,uk"),
    "xquad": _langs("en,es,de,el,ru,tr,ar,vi,th,zh,hi,ro"),
    "mlqa": _langs("en,es,de,ar,hi,vi,zh"),
    "tydiqa": _langs("en,ar,bn,fi,id,ko,ru,sw,te"),
}
# evaluate.py's XTREME_TASK2LANGS (XTREME, 2020), for scoring its submissions.
XTREME_LANGUAGES: dict[str, tuple[str, ...]] = {
    "pawsx": _langs("de,en,es,fr,ja,ko,zh"),
    "xnli": XTREME_R_LANGUAGES["xnli"],
    "panx": XTREME_R_LANGUAGES["panx"][:40],
    "udpos": XTREME_R_LANGUAGES["udpos"][:33],
    "bucc2018": _langs("de,fr,ru,zh"),
    "tatoeba": XTREME_R_LANGUAGES["tatoeba"][:36],
    "xquad": XTREME_R_LANGUAGES["xquad"][:11],
    "mlqa": XTREME_R_LANGUAGES["mlqa"],
    "tydiqa": XTREME_R_LANGUAGES["tydiqa"],
}
XTREME_R_CATEGORIES: dict[str, tuple[str, ...]] = {
    "classification": ("xnli", "xcopa"),
    "structured_prediction": ("udpos", "panx"),
    "question_answering": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("tatoeba", "mewslix", "lareqa"),
}
XTREME_CATEGORIES: dict[str, tuple[str, ...]] = {
    "classification": ("pawsx", "xnli"),
    "structured_prediction": ("udpos", "panx"),
    "question_answering": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("bucc2018", "tatoeba"),
}
QA_TASKS = frozenset({"xquad", "mlqa", "tydiqa"})
POOLED_TASKS = frozenset({"lareqa"})
QUESTIONS = "questions"
_ALIASES = {
    "wikiann": "panx",
    "ner": "panx",
    "pos": "udpos",
    "tydiqagoldp": "tydiqa",
    "xquadr": "lareqa",
    "bucc": "bucc2018",
}


def benchmark_task(task: str) -> str:
    """The `evaluate.py` name of a task ("WikiANN" -> panx, "Mewsli-X" -> mewslix); others unchanged."""
    key = task.strip().lower().replace("-", "").replace("_", "")
    return _ALIASES.get(key, key)


def languages_of(version: Version) -> dict[str, tuple[str, ...]]:
    """The benchmark's task -> languages table."""
    return XTREME_R_LANGUAGES if version == "xtreme-r" else XTREME_LANGUAGES


def categories_of(version: Version) -> dict[str, tuple[str, ...]]:
    """The benchmark's category -> tasks table."""
    return XTREME_R_CATEGORIES if version == "xtreme-r" else XTREME_CATEGORIES


@dataclass(frozen=True, slots=True)
class TaskAverage:
    """One task's averages over its benchmark languages (`avg_<metric>`) and its score (`avg_metric`)."""

    averages: dict[str, float]
    score: float
    languages: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A category or overall score: the mean of its tasks' scores."""

    score: float
    tasks: tuple[str, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class BenchmarkScores:
    """Task averages, category scores and the overall score of one set of `Scores`."""

    tasks: dict[str, TaskAverage]
    categories: dict[str, Aggregate]
    overall: Aggregate | None


def _task_score(task: str, averages: Mapping[str, float]) -> float:
    if task in QA_TASKS:
        if "exact_match" not in averages or "f1" not in averages:
            raise ConfigError(f"{task}: the QA score needs exact_match and f1 per language")
        return (averages["exact_match"] + averages["f1"]) / 2
    for metric in ("f1", "accuracy", "map@20"):
        if metric in averages:
            return averages[metric]
    raise ConfigError(f"{task}: no f1, accuracy or map@20 among {', '.join(averages)}")


def _pooled(task: str, cells: list[Mapping[str, float]]) -> dict[str, float]:
    if any(QUESTIONS not in cell or "map@20" not in cell for cell in cells):
        raise ConfigError(f"{task}: each language needs map@20 and its {QUESTIONS} count to pool them")
    total = sum(cell[QUESTIONS] for cell in cells)
    if total <= 0:
        raise ConfigError(f"{task}: no questions were scored")
    return {"map@20": math.fsum(cell["map@20"] * cell[QUESTIONS] for cell in cells) / total}


def task_average(
    task: str, per_language: Mapping[str, Mapping[str, float]], version: Version = "xtreme-r"
) -> TaskAverage:
    """A benchmark task's averages over the benchmark languages `per_language` scores."""
    name = benchmark_task(task)
    table = languages_of(version)
    if name not in table:
        raise ConfigError(f"{task!r} is not among the {version} tasks: {', '.join(table)}")
    used = tuple(lang for lang in table[name] if lang in per_language)
    if not used:
        raise ConfigError(f"{task}: none of its {version} languages ({' '.join(table[name])}) is scored")
    missing = tuple(lang for lang in table[name] if lang not in per_language)
    if name in POOLED_TASKS:
        averages = _pooled(name, [per_language[lang] for lang in used])
    else:
        by_metric: dict[str, list[float]] = {}
        for lang in used:
            for metric, value in per_language[lang].items():
                by_metric.setdefault(metric, []).append(value)
        averages = {metric: sum(values) / len(values) for metric, values in by_metric.items()}
    return TaskAverage(averages, _task_score(name, averages), used, missing)


def benchmark_scores(scores: Scores, version: Version = "xtreme-r") -> BenchmarkScores:
    """Task averages of the benchmark tasks in `scores`, then category and overall scores."""
    tasks: dict[str, TaskAverage] = {}
    for task, per_language in scores.items():
        name = benchmark_task(task)
        if name in languages_of(version) and any(
            lang in per_language for lang in languages_of(version)[name]
        ):
            if name in tasks:
                raise ConfigError(f"{task!r} and another task name both score {name}; keep one")
            tasks[name] = task_average(name, per_language, version)
    categories = {
        category: aggregate
        for category, members in categories_of(version).items()
        if (aggregate := _aggregate(tasks, members)) is not None
    }
    return BenchmarkScores(tasks, categories, _aggregate(tasks, tuple(languages_of(version))))


def _aggregate(tasks: Mapping[str, TaskAverage], members: tuple[str, ...]) -> Aggregate | None:
    if not all(task in tasks for task in members):
        return None
    score = sum(tasks[task].score for task in members) / len(members)
    return Aggregate(score, members, all(tasks[task].complete for task in members))
