"""Prediction files in the XTREME(-R) submission layout, readable by google-research/xtreme `evaluate.py`.

`<root>/<task>/test-<lang>.<ext>`, one file per task and language, by task:

| task | file | content |
|---|---|---|
| xnli, pawsx | `.tsv` | one label per line |
| xcopa | `.jsonl` | one `{"label": <choice index>}` per line (XTREME-R reads xcopa as JSON lines) |
| udpos, panx | `.tsv` | one tag per token line, a blank line after each sentence |
| xquad, mlqa, tydiqa | `.json` | `{question id: answer text}` |
| tatoeba | `.tsv` | one retrieved index per line |
| bucc2018 | `.tsv` | `source id<TAB>target id` per mined pair |
| mewslix, lareqa | `.json` | `{query id: [candidate ids, best first]}` (`evaluate.py` scores the top 20; it has no LAReQA scorer, so LAReQA uses the same layout) |

Aliases wikiann/ner -> panx, pos -> udpos, bucc -> bucc2018 name the same folders.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from generator.errors import ConfigError, InputError

Format = Literal["label", "choice", "tags", "qa", "index", "pairs", "ranking"]
Predictions = (
    list[str] | list[int] | list[list[str]] | dict[str, str] | list[tuple[str, str]] | dict[str, list[str]]
)

TASK_FORMATS: dict[str, Format] = {
    "xnli": "label",
    "pawsx": "label",
    "xcopa": "choice",
    "udpos": "tags",
    "panx": "tags",
    "xquad": "qa",
    "mlqa": "qa",
    "tydiqa": "qa",
    "tatoeba": "index",
    "bucc2018": "pairs",
    "mewslix": "ranking",
    "lareqa": "ranking",
}
_ALIASES = {"wikiann": "panx", "ner": "panx", "pos": "udpos", "bucc": "bucc2018", "tydiqagoldp": "tydiqa"}
_SUFFIX: dict[Format, str] = {
    "label": "tsv",
    "choice": "jsonl",
    "tags": "tsv",
    "qa": "json",
    "index": "tsv",
    "pairs": "tsv",
    "ranking": "json",
}


def task_folder(task: str) -> str:
    """The XTREME folder name of a task (wikiann -> panx, bucc -> bucc2018)."""
    key = task.strip().lower().replace("-", "").replace("_", "")
    key = _ALIASES.get(key, key)
    if key not in TASK_FORMATS:
        raise ConfigError(f"no prediction format for task {task!r}; use one of: {', '.join(TASK_FORMATS)}")
    return key


def prediction_path(root: Path, task: str, lang: str) -> Path:
    """`<root>/<task>/test-<lang>.<ext>` for this task's format."""
    folder = task_folder(task)
    return Path(root) / folder / f"test-{lang}.{_SUFFIX[TASK_FORMATS[folder]]}"


def _field(value: object, what: str, where: str) -> str:
    if not isinstance(value, str) or not value or value != value.strip() or "\n" in value or "\t" in value:
        raise ConfigError(f"{where}: {what} {value!r} must be a non-empty string without tabs or newlines")
    return value


def _render(fmt: Format, predictions: object) -> str:
    if fmt in ("qa", "ranking"):
        if not isinstance(predictions, Mapping):
            raise ConfigError(f"{fmt} predictions must be a mapping of id -> prediction")
        for key, value in predictions.items():
            _field(key, "id", "predictions")
            if fmt == "qa" and not isinstance(value, str):
                raise ConfigError(f"question {key!r}: the answer must be a string, got {value!r}")
            if fmt == "ranking" and (isinstance(value, str) or not isinstance(value, Sequence)):
                raise ConfigError(f"query {key!r}: the ranking must be a list of candidate ids")
            if fmt == "ranking":
                for item in value:
                    _field(item, "candidate id", f"query {key!r}")
        data = {k: (v if fmt == "qa" else list(v)) for k, v in predictions.items()}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if not isinstance(predictions, Sequence) or isinstance(predictions, str):
        raise ConfigError(f"{fmt} predictions must be a list")
    lines: list[str] = []
    for i, item in enumerate(predictions):
        where = f"prediction {i}"
        if fmt == "label":
            lines.append(_field(item, "label", where))
        elif fmt in ("choice", "index"):
            if not isinstance(item, int) or isinstance(item, bool) or item < 0:
                raise ConfigError(f"{where}: {item!r} must be a non-negative integer index")
            lines.append(json.dumps({"label": item}) if fmt == "choice" else str(item))
        elif fmt == "pairs":
            if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
                raise ConfigError(f"{where}: {item!r} must be a (source id, target id) pair")
            lines.append(f"{_field(item[0], 'source id', where)}\t{_field(item[1], 'target id', where)}")
        else:
            if not isinstance(item, Sequence) or isinstance(item, str):
                raise ConfigError(f"sentence {i}: tags must be a list of strings, got {item!r}")
            lines.extend(_field(tag, "tag", f"sentence {i}") for tag in item)
            lines.append("")
    if fmt == "tags":
        return "\n".join(lines) + ("\n" if lines else "")
    return "".join(line + "\n" for line in lines)


def write_predictions(root: Path, task: str, lang: str, predictions: Predictions) -> Path:
    """Write one task-language prediction file atomically; returns its path."""
    path = prediction_path(root, task, lang)
    text = _render(TASK_FORMATS[task_folder(task)], predictions)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _read_tags(lines: list[str]) -> list[list[str]]:
    """XTREME's `read_tag`: a blank line closes a sentence (so two blank lines hold an empty one)."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        else:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _read_json(path: Path, text: str, fmt: Format) -> dict[str, str] | dict[str, list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(str(path), f"line {err.lineno}", "json", f"not valid JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise InputError(str(path), "top level", "json", "must be an object of id -> prediction")
    for key, value in data.items():
        ok = (
            isinstance(value, str)
            if fmt == "qa"
            else isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            expected = "an answer string" if fmt == "qa" else "a list of candidate id strings"
            raise InputError(str(path), f"id {key!r}", "prediction", f"must be {expected}")
    return data


def read_prediction_file(path: Path, task: str) -> Predictions:
    """Read one prediction file written in `task`'s format."""
    fmt = TASK_FORMATS[task_folder(task)]
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing; write it with write_predictions first") from None
    if fmt in ("qa", "ranking"):
        return _read_json(path, text, fmt)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if fmt == "tags":
        return _read_tags(lines)
    if fmt == "label":
        return [line.strip() for line in lines]
    if fmt == "pairs":
        pairs: list[tuple[str, str]] = []
        for n, line in enumerate(lines, start=1):
            parts = line.strip().split("\t")
            if len(parts) != 2 or not all(parts):
                raise InputError(str(path), f"line {n}", "pair", "expected 'source id<TAB>target id'")
            pairs.append((parts[0], parts[1]))
        return pairs
    indices: list[int] = []
    for n, line in enumerate(lines, start=1):
        try:
            value = json.loads(line)["label"] if fmt == "choice" else int(line.strip())
        except (ValueError, KeyError, TypeError):
            field = "label" if fmt == "choice" else "index"
            expected = 'a JSON object {"label": <int>}' if fmt == "choice" else "an integer"
            raise InputError(str(path), f"line {n}", field, f"expected {expected}, got {line!r}") from None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InputError(
                str(path), f"line {n}", "label", f"expected a non-negative integer, got {value!r}"
            )
        indices.append(value)
    return indices


def read_predictions(root: Path, task: str, lang: str) -> Predictions:
    """Read `<root>/<task>/test-<lang>.<ext>`."""
    return read_prediction_file(prediction_path(root, task, lang), task)
