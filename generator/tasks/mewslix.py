"""Mewsli-X entity linking: the JSON-lines schemas of the Mewsli-X tool (`utils_mewslix.py` in XTREME).

A line is one of
- ContextualMentions `{"context": {document_title, document_url, document_id, language, text,
  sentence_spans}, "mentions": [{example_id, mention_span: {start, end, text}, entity_id,
  metadata}, ...]}`: `wikinews_mentions-{dev,test}.jsonl`, one example per mention;
- ContextualMention `{"context", "mention"}`: one mention;
- MentionEntityPair `{"contextual_mention": {"context", "mention"}, "entity": {...}}`: the English
  `wikipedia_pairs-{train,dev}.jsonl`, the mention with its entity (`text_b` its description);
- Entity `{entity_id, title, description, sentence_spans, description_language, description_url}`:
  `candidate_set_entities.jsonl`, a candidate without a mention (`text_a` empty).

A mention reads as `text_a`, `answers[0]` its span in `context` (end exclusive) and
`meta["entity_id"]` its gold WikiData id. Raw layout: the tool's files (every language in one).
XTREME-R layout (`utils_preprocess.py` mewslix): `wikinews_mentions/<split>-<lang>.jsonl`, test
`entity_id`s emptied (no gold), each split's gold in `wikinews_labels/<split>-<lang>.json`
(`{example_id: [entity_id]}`). The released `*_no_text` files carry an empty `context.text` and are
refused with how to fill it. Meta: `entity_id`, `shape`, `record` (the line), `context` (the context
without its text, JSON), `metadata` / `entity` (JSON), other mention fields in `meta["extra"]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.example import Answer, Example
from generator.tasks.base import (
    RAW,
    XTREME_R,
    FieldError,
    Layout,
    Parsed,
    Record,
    TaskFormat,
    collect,
    extra_fields,
    extra_meta,
    fail,
    json_object,
    load_json,
    need,
)
from generator.tasks.files import numbered, write_jsonl
from generator.tasks.gold import entity_gold

_MENTION_FIELDS = ("example_id", "mention_span", "entity_id", "metadata")
SHAPES = ("mentions", "mention", "pair", "entity")


def _mention(
    number: int,
    shape: str,
    context: dict[str, Any],
    where: str,
    mention: Any,
    entity: dict[str, Any] | None = None,
) -> Example:
    text = need(context, "text", prefix="context.")
    span = need(mention, "mention_span", dict, prefix=where)
    start = need(span, "start", int, prefix=f"{where}mention_span.")
    end = need(span, "end", int, prefix=f"{where}mention_span.")
    surface = need(span, "text", prefix=f"{where}mention_span.")
    if not 0 <= start < end <= len(text) or text[start:end] != surface:
        raise FieldError(f"{where}mention_span", f"[{start}:{end}] does not hold {surface!r} in context.text")
    meta = {
        "entity_id": need(mention, "entity_id", prefix=where),
        "shape": shape,
        "record": str(number),
        "context": json.dumps(context | {"text": None}, ensure_ascii=False),
    }
    if "metadata" in mention:
        meta["metadata"] = json.dumps(mention["metadata"], ensure_ascii=False)
    if entity is not None:
        meta["entity"] = json.dumps(entity, ensure_ascii=False)
    return Example(
        id=need(mention, "example_id", prefix=where),
        task="mewslix",
        kind="retrieval",
        lang=need(context, "language", prefix="context."),
        title=need(context, "document_title", prefix="context."),
        context=text,
        answers=[Answer(surface, start)],
        text_a=surface,
        text_b=need(entity, "description", prefix="entity.") if entity is not None else "",
        meta=meta | extra_meta(mention, _MENTION_FIELDS),
    )


def _entity(number: int, entity: dict[str, Any]) -> Example:
    return Example(
        id=need(entity, "entity_id"),
        task="mewslix",
        kind="retrieval",
        lang=need(entity, "description_language"),
        title=need(entity, "title"),
        text_b=need(entity, "description"),
        meta={
            "entity_id": entity["entity_id"],
            "shape": "entity",
            "record": str(number),
            "entity": json.dumps(entity, ensure_ascii=False),
        },
    )


def _no_text(path: Path, where: str, context: dict[str, Any]) -> None:
    if context.get("text") == "":
        raise InputError(
            str(path),
            where,
            "context.text",
            "is empty: this is the released no-text file (wikinews_mentions_no_text-<split>.jsonl); run "
            "the Mewsli-X tool (get-mewsli-x.sh) to fill in the texts and read its wikinews_mentions-<split>.jsonl",
        )


def _line_records(path: Path, number: int, record: dict[str, Any]) -> Iterator[Record]:
    where = f"line {number}"
    if "mentions" in record:
        context, mentions = need(record, "context", dict), need(record, "mentions", list)
        if mentions:
            _no_text(path, where, context)
        for i, mention in enumerate(mentions):
            build = partial(_mention, number, "mentions", context, f"mentions[{i}].", mention)
            yield f"{where} mention {i + 1}", build
    elif "mention" in record:
        context = need(record, "context", dict)
        _no_text(path, where, context)
        yield where, partial(_mention, number, "mention", context, "mention.", need(record, "mention", dict))
    elif "contextual_mention" in record:
        pair = need(record, "contextual_mention", dict)
        context, entity = need(pair, "context", dict), need(record, "entity", dict)
        mention = need(pair, "mention", dict, prefix="contextual_mention.")
        yield (
            where,
            partial(_mention, number, "pair", context, "contextual_mention.mention.", mention, entity),
        )
    elif "description" in record:
        yield where, partial(_entity, number, record)
    else:
        problem = "is none of the Mewsli-X line shapes: {context, mentions}, {context, mention}, "
        yield where, partial(fail, "(record)", problem + "{contextual_mention, entity} or an entity")


def _records(path: Path) -> Iterator[Record]:
    for number, line in numbered(path):
        try:
            record = json_object(line)
            records = list(_line_records(path, number, record))
        except FieldError as err:
            yield f"line {number}", partial(fail, err.field, err.problem)
            continue
        yield from records


def _mewslix(path: Path) -> Iterator[Parsed]:
    return collect(path, _records(path))


def _context(ex: Example) -> dict[str, Any]:
    context: dict[str, Any] = json.loads(ex.meta.get("context", "{}"))
    return {"document_title": ex.title, **context, "language": ex.lang, "text": ex.context}


def _mention_object(ex: Example, path: Path) -> dict[str, Any]:
    if len(ex.answers) != 1 or "entity_id" not in ex.meta:
        raise InputError(
            str(path), f"example {ex.id}", "answers", "needs one mention span and meta entity_id"
        )
    span = ex.answers[0]
    mention: dict[str, Any] = {
        "example_id": ex.id,
        "mention_span": {"start": span.start, "end": span.start + len(span.text), "text": span.text},
        "entity_id": ex.meta["entity_id"],
    }
    if "metadata" in ex.meta:
        mention["metadata"] = json.loads(ex.meta["metadata"])
    return mention | extra_fields(ex)


def _line(group: list[Example], path: Path) -> dict[str, Any]:
    first = group[0]
    shape = first.meta.get("shape", "mentions")
    if shape == "entity":
        entity: dict[str, Any] = json.loads(first.meta["entity"])
        return entity
    if shape == "mention":
        return {"context": _context(first), "mention": _mention_object(first, path)}
    if shape == "pair":
        pair = {"context": _context(first), "mention": _mention_object(first, path)}
        return {"contextual_mention": pair, "entity": json.loads(first.meta["entity"])}
    return {"context": _context(first), "mentions": [_mention_object(ex, path) for ex in group]}


def _write_mewslix(examples: Sequence[Example], path: Path) -> None:
    """One line per run of examples from one source line (or, without `record`, one context)."""
    runs = groupby(
        examples, key=lambda ex: (ex.meta.get("record"), ex.meta.get("shape"), ex.title, ex.context)
    )
    write_jsonl(path, (_line(list(group), path) for _, group in runs))


def read_labels(path: Path) -> dict[str, list[str]]:
    """XTREME-R's `wikinews_labels/<split>-<lang>.json`: example id -> [gold entity id] ('' in test)."""
    labels = load_json(path)
    if not isinstance(labels, dict) or not all(
        isinstance(v, list) and all(isinstance(e, str) for e in v) for v in labels.values()
    ):
        raise InputError(str(path), "top level", "(json)", "should map example ids to lists of entity ids")
    return labels


FORMATS = (
    TaskFormat(
        name="mewslix",
        kind="retrieval",
        family="jsonl",
        labels=(),
        description="Mewsli-X: JSON lines of {context, mentions: [...]} (or one mention, mention-entity "
        "pairs, entities); each mention's gold WikiData entity id",
        extensions=(".jsonl",),
        layouts=(
            Layout(
                RAW,
                "the Mewsli-X tool's wikinews_mentions-<split>.jsonl (every language), "
                "wikipedia_pairs-<split>.jsonl, candidate_set_entities.jsonl",
                _mewslix,
                _write_mewslix,
            ),
            Layout(
                XTREME_R,
                "download/mewslix/wikinews_mentions/<split>-<lang>.jsonl (test entity_id emptied)",
                _mewslix,
                _write_mewslix,
                r"^(?:dev|test)-[a-z]{2,3}\.jsonl$",
            ),
        ),
        gold=entity_gold("mewslix"),
    ),
)
