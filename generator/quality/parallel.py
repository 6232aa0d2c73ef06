"""Parallel QA gold: English answer spans paired with the same question's answer in a human translation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import ConfigError, InputError


@dataclass(frozen=True, slots=True)
class ParallelSpan:
    """An English answer span `source[start:end]` and its gold answer in `target` (a translation of `source`)."""

    id: str
    lang: str
    source: str
    start: int
    end: int
    target: str
    gold: str
    gold_start: int


def _squad_answers(path: Path) -> dict[str, tuple[str, str, int]]:
    """question id -> (context, first answer text, its start) of a SQuAD v1.1 JSON file."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path} is missing; pass a SQuAD v1.1 JSON file (e.g. XQuAD's xquad.<lang>.json)"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(str(path), "file", "data", f"not SQuAD v1.1 JSON: {err}") from None
    out: dict[str, tuple[str, str, int]] = {}
    for article in data.get("data", []):
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                if qa.get("answers"):
                    first = qa["answers"][0]
                    out[qa["id"]] = (paragraph["context"], first["text"], int(first["answer_start"]))
    return out


def read_parallel_squad(english: Path, translated: Path, lang: str) -> list[ParallelSpan]:
    """Questions of `translated` (same ids as `english`) as parallel spans, in the English file's order."""
    source, target = _squad_answers(english), _squad_answers(translated)
    missing = [qid for qid in source if qid not in target]
    if len(missing) == len(source):
        raise ConfigError(
            f"{translated} shares no question id with {english}; they must be translations of each other"
        )
    out = []
    for qid, (context, text, start) in source.items():
        if qid not in target:
            continue
        t_context, t_text, t_start = target[qid]
        out.append(ParallelSpan(qid, lang, context, start, start + len(text), t_context, t_text, t_start))
    return out


def parallel_from_shards(english: Path, shards: Path, lang: str) -> list[ParallelSpan]:
    """English answers paired with their projected answers in translated shards (silver gold: the projection's)."""
    from generator.shards import iter_examples

    source = _squad_answers(english)
    out = []
    for ex in iter_examples(shards, lang=lang, method="translate"):
        if ex.id not in source or not ex.answers:
            continue
        context, text, start = source[ex.id]
        first = ex.answers[0]
        out.append(
            ParallelSpan(ex.id, lang, context, start, start + len(text), ex.context, first.text, first.start)
        )
    return out
