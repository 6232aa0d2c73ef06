"""Mewsli-X entity linking: JSON lines of one news context and the entity mentions in it.

Each line is `{"context": {document_title, document_url, document_id, language, text,
sentence_spans, ...}, "mentions": [{example_id, mention_span: {start, end, text}, entity_id,
metadata}, ...]}`; one example per mention: `text_a` the mention, `answers[0]` its span in `context`
(end exclusive), `meta["entity_id"]` the gold WikiData id. Raw layout: the Mewsli-X tool's
`wikinews_mentions-{dev,test}.jsonl` (every language in one file). XTREME-R layout
(`utils_preprocess.py` mewslix): `wikinews_mentions/<split>-<lang>.jsonl`, test `entity_id`s emptied
(no gold), the gold of each split in `wikinews_labels/<split>-<lang>.json`
(`{example_id: [entity_id]}`). The released `*_no_text` files carry an empty `context.text` and are
refused with how to fill it. Meta: `entity_id`, `context` (the context object without its text,
JSON), `record` (the line), `metadata` (JSON), other mention fields in `meta["extra"]`.
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


def _mention(path: Path, number: int, context: dict[str, Any], index: int, mention: Any) -> Example:
    prefix = f"mentions[{index}]."
    text = need(context, "text", prefix="context.")
    span = need(mention, "mention_span", dict, prefix=prefix)
    start = need(span, "start", int, prefix=f"{prefix}mention_span.")
    end = need(span, "end", int, prefix=f"{prefix}mention_span.")
    surface = need(span, "text", prefix=f"{prefix}mention_span.")
    if not 0 <= start < end <= len(text) or text[start:end] != surface:
        raise FieldError(
            f"{prefix}mention_span", f"[{start}:{end}] does not hold {surface!r} in context.text"
        )
    meta = {
        "entity_id": need(mention, "entity_id", prefix=prefix),
        "context": json.dumps(context | {"text": None}, ensure_ascii=False),
        "record": str(number),
    }
    if "metadata" in mention:
        meta["metadata"] = json.dumps(mention["metadata"], ensure_ascii=False)
    return Example(
        id=need(mention, "example_id", prefix=prefix),
        task="mewslix",
        kind="retrieval",
        lang=need(context, "language", prefix="context."),
        title=need(context, "document_title", prefix="context."),
        context=text,
        answers=[Answer(surface, start)],
        text_a=surface,
        meta=meta | extra_meta(mention, _MENTION_FIELDS),
    )


def _records(path: Path) -> Iterator[Record]:
    for number, line in numbered(path):
        where = f"line {number}"
        try:
            record = json_object(line)
            context = need(record, "context", dict)
            if "mentions" not in record and "mention" in record:
                raise FieldError(
                    "mentions", "is missing: Mewsli-X lines hold a list `mentions`, not one `mention`"
                )
            mentions = need(record, "mentions", list)
        except FieldError as err:
            yield where, partial(fail, err.field, err.problem)
            continue
        if context.get("text") == "" and mentions:
            raise InputError(
                str(path),
                where,
                "context.text",
                "is empty: this is the released no-text file (wikinews_mentions_no_text-<split>.jsonl); run "
                "the Mewsli-X tool (get-mewsli-x.sh) to fill in the texts and read its wikinews_mentions-<split>.jsonl",
            )
        for index, mention in enumerate(mentions):
            yield f"{where} mention {index + 1}", partial(_mention, path, number, context, index, mention)


def _mewslix(path: Path) -> Iterator[Parsed]:
    return collect(path, _records(path))


def _line(group: list[Example], path: Path) -> dict[str, Any]:
    first = group[0]
    context: dict[str, Any] = json.loads(first.meta.get("context", "{}"))
    context = {"document_title": first.title, **context, "language": first.lang, "text": first.context}
    mentions = []
    for ex in group:
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
        mentions.append(mention | extra_fields(ex))
    return {"context": context, "mentions": mentions}


def _write_mewslix(examples: Sequence[Example], path: Path) -> None:
    """One line per run of examples from one source line (or, without `record`, one context)."""
    runs = groupby(examples, key=lambda ex: (ex.meta.get("record"), ex.title, ex.context))
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
        description="Mewsli-X: JSON lines of {context, mentions: [...]}, each mention's gold WikiData entity id",
        extensions=(".jsonl",),
        layouts=(
            Layout(
                RAW,
                "the Mewsli-X tool's wikinews_mentions-<split>.jsonl (every language)",
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
