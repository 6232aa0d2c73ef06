"""Mewsli-X files and texts as XTREME-R reads them (`utils_mewslix`, `evaluate_retrieval.py`).

A query is one mention in the sentence that holds it (`preprocess_mention`): the mention, a colon,
then the sentence with the mention between "{" and "}" (braces already in the sentence become
parentheses), newlines and double spaces folded. A candidate is its entity's description
sentences joined by spaces (`preprocess_entity_description`). Files:

- `wikinews_mentions/<split>-<lang>.jsonl`: one document per line, `{context, mentions: [...]}`;
- `wikinews_labels/<split>-<lang>.json`: `{example id: [gold entity id]}` (XTREME-R's test split
  has its ids blanked);
- the candidate set, `candidate_set_entities.jsonl`: one entity per line;
- the English fine-tuning pairs, `wikipedia_pairs-<split>.jsonl`: one
  `{contextual_mention: {context, mention}, entity}` per line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import ConfigError, InputError

_BRACED = re.compile(r"\{(.*?)\}")


@dataclass(frozen=True, slots=True)
class Mention:
    """One query: its example id, language, gold entity id ("" when blanked) and query text."""

    example_id: str
    lang: str
    entity_id: str
    text: str


def _fold(text: str) -> str:
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def _field(obj: Any, key: str, kind: type, path: Path, where: str) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise InputError(str(path), where, key, f"missing or not a {kind.__name__}")
    return obj[key]


def _spans(obj: Any, key: str, path: Path, where: str) -> list[tuple[int, int]]:
    spans = _field(obj, key, list, path, where)
    out = []
    for span in spans:
        start, end = _field(span, "start", int, path, where), _field(span, "end", int, path, where)
        if not 0 <= start < end:
            raise InputError(str(path), where, key, f"span [{start}:{end}] is empty or negative")
        out.append((start, end))
    return out


def query_text(context: Any, mention: Any, path: Path, where: str) -> str:
    """`preprocess_mention`: the mention in its sentence, marked and prepended."""
    text = _field(context, "text", str, path, where)
    span = _field(mention, "mention_span", dict, path, where)
    start, end = _field(span, "start", int, path, where), _field(span, "end", int, path, where)
    surface = _field(span, "text", str, path, where)
    if text[start:end] != surface:
        raise InputError(str(path), where, "mention_span", f"[{start}:{end}] does not hold {surface!r}")
    holding = next(
        (
            (s, e)
            for s, e in _spans(context, "sentence_spans", path, where)
            if s <= start < e and s < end <= e
        ),
        None,
    )
    if holding is None:
        raise InputError(
            str(path), where, "mention_span", "crosses sentence boundaries or no sentence holds it"
        )
    left = _BRACED.sub(r"(\1)", text[holding[0] : start])
    right = _BRACED.sub(r"(\1)", text[end : holding[1]])
    return _fold(f"{surface}: {left} {{ {surface} }} {right}")


def entity_text(entity: Any, path: Path, where: str) -> str:
    """`preprocess_entity_description`: the description's sentences joined by spaces."""
    description = _field(entity, "description", str, path, where)
    sentences = [description[s:e] for s, e in _spans(entity, "sentence_spans", path, where)]
    return _fold(" ".join(sentences))


def _json_lines(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise ConfigError(
            f"{path} is missing; point the Mewsli-X folder at XTREME-R's download/mewslix"
        ) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(str(path), f"line {number}", "json", err.msg) from None


def read_mentions(path: Path) -> list[Mention]:
    """Every mention of a `wikinews_mentions` file, in file order."""
    out = []
    for where, document in _json_lines(path):
        context = _field(document, "context", dict, path, where)
        lang = _field(context, "language", str, path, where)
        for mention in _field(document, "mentions", list, path, where):
            out.append(
                Mention(
                    _field(mention, "example_id", str, path, where),
                    lang,
                    _field(mention, "entity_id", str, path, where),
                    query_text(context, mention, path, where),
                )
            )
    return out


def read_labels(path: Path) -> dict[str, list[str]]:
    """A `wikinews_labels` file: example id -> gold entity ids."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path} is missing; point the Mewsli-X folder at XTREME-R's download/mewslix"
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in data.values()
    ):
        raise InputError(str(path), "top level", "labels", "must map example ids to lists of entity ids")
    return data


def read_entities(path: Path) -> tuple[list[str], list[str]]:
    """The candidate set: entity ids and their texts, in file order."""
    ids, texts = [], []
    for where, entity in _json_lines(path):
        ids.append(_field(entity, "entity_id", str, path, where))
        texts.append(entity_text(entity, path, where))
    if not ids:
        raise ConfigError(f"{path} holds no entities")
    return ids, texts


def read_pairs(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(query text, entity text) of a `wikipedia_pairs` file, the English fine-tuning pairs."""
    pairs = []
    for where, record in _json_lines(path):
        mention = _field(record, "contextual_mention", dict, path, where)
        context = _field(mention, "context", dict, path, where)
        query = query_text(context, _field(mention, "mention", dict, path, where), path, where)
        pairs.append((query, entity_text(_field(record, "entity", dict, path, where), path, where)))
        if limit is not None and len(pairs) >= limit:
            break
    if not pairs:
        raise ConfigError(f"{path} holds no mention-entity pairs")
    return pairs


def split_languages(directory: Path, split: str) -> list[str]:
    """Languages with both a mentions and a labels file for `split`, sorted."""
    mentions = {
        p.name[len(split) + 1 : -len(".jsonl")]
        for p in (directory / "wikinews_mentions").glob(f"{split}-*.jsonl")
    }
    labels = {
        p.name[len(split) + 1 : -len(".json")]
        for p in (directory / "wikinews_labels").glob(f"{split}-*.json")
    }
    return sorted(mentions & labels)
