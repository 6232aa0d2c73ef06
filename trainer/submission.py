"""Score a submission folder against a label folder the way google-research/xtreme's `evaluate.py` does.

Both folders hold `<task>/test-<lang>.<ext>` (the layout `trainer.predictions` writes). Files are
read as `evaluate.py` reads them: one stripped line per label (xnli, pawsx, tatoeba and bucc2018
lines compare as text), blank-line separated tag columns, SQuAD JSON (its `data`, or the whole
object for Mewsli-X), and XCOPA JSON lines. Every benchmark language of a task must be present,
as there. UD-POS also reports seqeval 0.0.12's scores beside seqeval 1.2.2's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from generator.errors import ConfigError, InputError
from trainer.benchmark import BenchmarkScores, Version, benchmark_scores, categories_of, languages_of
from trainer.metrics import Scores, accuracy, legacy_tagging_scores, qa_task_scores, seqeval_scores
from trainer.retrieval_metrics import Pair, bucc_scores, mewslix_map_at_k

_JSON_TASKS = frozenset({"xquad", "mlqa", "tydiqa", "mewslix", "lareqa"})


def _suffix(task: str, version: Version) -> str:
    if task in _JSON_TASKS:
        return "json"
    return "jsonl" if version == "xtreme-r" and task == "xcopa" else "tsv"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} is not available; every benchmark language needs its file") from None


def _lines(path: Path) -> list[str]:
    """The lines of a file as Python's text-mode iteration yields them, without their newline."""
    lines = _read_text(path).split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def read_label(path: Path) -> list[str]:
    """`evaluate.py`'s `read_label`: every line, stripped."""
    return [line.strip() for line in _lines(path)]


def read_tag(path: Path) -> list[list[str]]:
    """`evaluate.py`'s `read_tag`: stripped lines, a blank line closes a sentence."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in _lines(path):
        if line.strip():
            current.append(line.strip())
        else:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as err:
        raise InputError(str(path), f"line {err.lineno}", "json", f"not valid JSON ({err.msg})") from None


def read_squad(path: Path) -> Any:
    """`evaluate.py`'s `read_squad`: the `data` list of a SQuAD file, or the whole JSON object."""
    data = _read_json(path)
    return data["data"] if isinstance(data, dict) and "data" in data else data


def read_xcopa(path: Path) -> list[Any]:
    """`evaluate.py`'s `read_xcopa`: the `label` of every JSON line."""
    labels = []
    for number, line in enumerate(_lines(path), start=1):
        try:
            labels.append(json.loads(line)["label"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(str(path), f"line {number}", "label", 'expected {"label": <int>}') from None
    return labels


def squad_gold(articles: Any, path: Path) -> list[tuple[str, list[str]]]:
    """(question id, gold answer texts) of SQuAD articles, in file order."""
    try:
        return [
            (qa["id"], [answer["text"] for answer in qa["answers"]])
            for article in articles
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
    except (KeyError, TypeError) as err:
        raise InputError(str(path), "data", "squad", f"not SQuAD JSON (missing {err})") from None


def _lines_equal(task: str) -> Callable[[Path, Path, str], dict[str, float]]:
    def score(pred: Path, gold: Path, _lang: str) -> dict[str, float]:
        predictions, labels = read_label(pred), read_label(gold)
        _same_count(task, predictions, labels, pred, gold)
        return {"accuracy": accuracy(labels, predictions)}

    return score


def _same_count(task: str, predictions: list[Any], labels: list[Any], pred: Path, gold: Path) -> None:
    if len(predictions) != len(labels):
        raise ConfigError(
            f"{task}: {len(predictions)} predictions in {pred} for {len(labels)} labels in {gold}"
        )


def _xcopa(pred: Path, gold: Path, _lang: str) -> dict[str, float]:
    predictions, labels = read_xcopa(pred), read_xcopa(gold)
    _same_count("xcopa", predictions, labels, pred, gold)
    return {"accuracy": accuracy(labels, predictions)}


def _tagging(task: str) -> Callable[[Path, Path, str], dict[str, float]]:
    def score(pred: Path, gold: Path, _lang: str) -> dict[str, float]:
        predictions, labels = read_tag(pred), read_tag(gold)
        _same_count(task, predictions, labels, pred, gold)
        scores = seqeval_scores(labels, predictions)
        return scores | legacy_tagging_scores(labels, predictions) if task == "udpos" else scores

    return score


def _qa(task: str) -> Callable[[Path, Path, str], dict[str, float]]:
    def score(pred: Path, gold: Path, lang: str) -> dict[str, float]:
        predictions = read_squad(pred)
        if not isinstance(predictions, dict):
            raise InputError(str(pred), "top level", "json", "must be an object of question id -> answer")
        scores = qa_task_scores(task, lang, predictions, squad_gold(read_squad(gold), gold))
        return {"exact_match": scores["exact_match"], "f1": scores["f1"]}

    return score


def _bucc(pred: Path, gold: Path, _lang: str) -> dict[str, float]:
    predictions = [cast("Pair", tuple(line.split("\t"))) for line in read_label(pred)]
    labels = [cast("Pair", tuple(line.split("\t"))) for line in read_label(gold)]
    return bucc_scores(predictions, labels)


def _mewslix(pred: Path, gold: Path, _lang: str) -> dict[str, float]:
    return {"map@20": mewslix_map_at_k(read_squad(gold), read_squad(pred), k=20)}


SCORERS: dict[str, Callable[[Path, Path, str], dict[str, float]]] = {
    "xnli": _lines_equal("xnli"),
    "pawsx": _lines_equal("pawsx"),
    "tatoeba": _lines_equal("tatoeba"),
    "xcopa": _xcopa,
    "udpos": _tagging("udpos"),
    "panx": _tagging("panx"),
    "xquad": _qa("xquad"),
    "mlqa": _qa("mlqa"),
    "tydiqa": _qa("tydiqa"),
    "bucc2018": _bucc,
    "mewslix": _mewslix,
}


def score_task(prediction_dir: Path, label_dir: Path, task: str, version: Version = "xtreme-r") -> Scores:
    """{task: {lang: metrics}} of one task over all its benchmark languages."""
    if task not in SCORERS:
        raise ConfigError(
            f"no submission scorer for {task!r} (LAReQA is scored from encodings by trainer.lareqa); "
            f"use one of: {', '.join(SCORERS)}"
        )
    suffix = _suffix(task, version)
    per_lang: dict[str, dict[str, float]] = {}
    for lang in languages_of(version)[task]:
        name = f"test-{lang}.{suffix}"
        per_lang[lang] = SCORERS[task](
            Path(prediction_dir) / task / name, Path(label_dir) / task / name, lang
        )
    return {task: per_lang}


def score_submission(
    prediction_dir: Path, label_dir: Path, version: Version = "xtreme-r"
) -> tuple[Scores, BenchmarkScores]:
    """Per-language scores of every task both folders hold, and their benchmark aggregates."""
    scores: Scores = {}
    for task in languages_of(version):
        if (Path(prediction_dir) / task).is_dir() and (Path(label_dir) / task).is_dir() and task in SCORERS:
            scores |= score_task(prediction_dir, label_dir, task, version)
    if not scores:
        raise ConfigError(
            f"no task folder is in both {prediction_dir} and {label_dir}; "
            f"expected some of {', '.join(languages_of(version))} (categories: {', '.join(categories_of(version))})"
        )
    return scores, benchmark_scores(scores, version)
