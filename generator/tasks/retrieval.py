"""Retrieval: Tatoeba, BUCC, LAReQA (XQuAD-R) and Mewsli-X.

`text_a` is the query / source sentence, `text_b` the gold candidate (English for Tatoeba and BUCC,
the answer sentence for LAReQA). Mewsli-X keeps the mention as `answers[0]` in `context` and the
gold entity in `meta["entity_id"]`. BUCC examples without a gold partner keep one side empty: the
candidate pool is part of the task.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.example import Answer, Example
from generator.tasks.base import (
    FieldError,
    Parsed,
    Record,
    TaskFormat,
    cell,
    collect,
    extra_fields,
    extra_meta,
    json_object,
    lang_from_name,
    line_id,
    load_json,
    need,
    numbered,
    per_line,
    read_lines,
    write_json,
    write_jsonl,
    write_lines,
)
from generator.tasks.qa import answer_dicts, answers_at, squad_document, squad_records

# Tatoeba file codes (ISO 639-3, Chinese as cmn, Persian as pes) -> XTREME-R codes.
_TATOEBA_CODES = (
    "afr:af ara:ar ben:bn bul:bg cmn:zh deu:de ell:el est:et eus:eu fin:fi fra:fr heb:he hin:hi hun:hu "
    "ind:id ita:it jav:jv jpn:ja kat:ka kaz:kk kor:ko mal:ml mar:mr nld:nl pes:fa por:pt rus:ru spa:es "
    "swh:sw tam:ta tel:te tgl:tl tha:th tur:tr urd:ur vie:vi"
)
TATOEBA_LANGS = {code: lang for code, _, lang in (item.partition(":") for item in _TATOEBA_CODES.split())}


def _english_side(path: Path, suffix: str) -> Path:
    if path.suffix in (suffix, ".gold"):
        raise InputError(
            str(path), "file", "path", f"give the non-English file; its {suffix} side is found beside it"
        )
    return path.with_suffix(suffix)


def _tatoeba(path: Path) -> Iterator[Parsed]:
    english = _english_side(path, ".eng")
    if not english.is_file():
        raise InputError(str(english), "file", "path", f"missing: the English side of {path.name}")
    source, target = read_lines(path), read_lines(english)
    if len(source) != len(target):
        raise InputError(
            str(english), "file", "lines", f"has {len(target)} lines, {path.name} has {len(source)}"
        )
    lang = TATOEBA_LANGS.get(path.suffix[1:], path.suffix[1:])

    def build(number: int, text_a: str, text_b: str) -> Example:
        return Example(
            id=line_id(path, number),
            task="tatoeba",
            kind="retrieval",
            lang=lang,
            text_a=text_a,
            text_b=text_b,
        )

    steps = (
        (f"line {n}", partial(build, n, a, b)) for n, (a, b) in enumerate(zip(source, target, strict=True), 1)
    )
    return collect(path, steps)


def _write_tatoeba(examples: Sequence[Example], path: Path) -> None:
    english = _english_side(path, ".eng")
    write_lines(path, (cell(ex, "text_a", ex.text_a, path) for ex in examples))
    write_lines(english, (cell(ex, "text_b", ex.text_b, english) for ex in examples))


def _bucc_sentences(path: Path, found: dict[str, str]) -> Iterator[InputError]:
    """Read `id<TAB>sentence` lines into `found`, yielding an error per bad line."""
    for number, line in numbered(path):
        sid, tab, text = line.partition("\t")
        problem = ("columns", "should be id<TAB>sentence") if not tab or not sid else None
        if problem is None and sid in found:
            problem = ("id", f"{sid!r} repeats an earlier sentence id")
        if problem:
            yield InputError(str(path), f"line {number}", *problem)
        else:
            found[sid] = text


def _bucc(path: Path) -> Iterator[Parsed]:
    english, gold = _english_side(path, ".en"), path.with_suffix(".gold")
    if not english.is_file():
        raise InputError(str(english), "file", "path", f"missing: the English side of {path.name}")
    lang = path.suffix[1:]
    source: dict[str, str] = {}
    target: dict[str, str] = {}
    yield from _bucc_sentences(path, source)
    yield from _bucc_sentences(english, target)
    paired: set[str] = set()

    def pair(line: str) -> Example:
        src, tab, tgt = line.partition("\t")
        if not tab:
            raise FieldError("columns", "should be source-id<TAB>english-id", path=gold)
        for sid, side, name in ((src, source, path.name), (tgt, target, english.name)):
            if sid not in side:
                raise FieldError("id", f"{sid!r} is not a sentence id of {name}", path=gold)
        paired.update((src, tgt))
        meta = {"source_id": src, "target_id": tgt}
        return Example(
            id=f"{src}:{tgt}",
            task="bucc",
            kind="retrieval",
            lang=lang,
            text_a=source[src],
            text_b=target[tgt],
            meta=meta,
        )

    def single(sid: str, text: str, is_source: bool) -> Example:
        key, a, b = ("source_id", text, "") if is_source else ("target_id", "", text)
        return Example(id=sid, task="bucc", kind="retrieval", lang=lang, text_a=a, text_b=b, meta={key: sid})

    def records() -> Iterator[Record]:
        if gold.is_file():
            for number, line in numbered(gold):
                yield f"{gold.name} line {number}", partial(pair, line)
        for side, is_source in ((source, True), (target, False)):
            for sid in side:
                if sid not in paired:
                    yield f"sentence {sid}", partial(single, sid, side[sid], is_source)

    yield from collect(path, records())


def _write_bucc(examples: Sequence[Example], path: Path) -> None:
    english = _english_side(path, ".en")
    for ex in examples:
        if not {"source_id", "target_id"} & ex.meta.keys():
            raise InputError(str(path), f"example {ex.id}", "meta", "needs source_id and/or target_id")
    sides = [(ex.meta.get("source_id"), ex.meta.get("target_id"), ex) for ex in examples]
    write_lines(path, (f"{s}\t{cell(ex, 'text_a', ex.text_a, path)}" for s, _, ex in sides if s))
    write_lines(english, (f"{t}\t{cell(ex, 'text_b', ex.text_b, english)}" for _, t, ex in sides if t))
    write_lines(path.with_suffix(".gold"), (f"{s}\t{t}" for s, t, _ in sides if s and t))


SENTENCE_BREAKS = "sentence_breaks"


def _lareqa_question(
    task: str, lang: str, title: str, context: str, paragraph: dict[str, Any], qa: Any, meta: dict[str, str]
) -> Example:
    breaks = need(paragraph, SENTENCE_BREAKS, list)
    if not all(isinstance(b, list) and len(b) == 2 and all(isinstance(x, int) for x in b) for b in breaks):
        raise FieldError(SENTENCE_BREAKS, "should be a list of [start, end] offsets")
    sentences = paragraph.get("sentences")
    if sentences is not None and sentences != [context[s:e] for s, e in breaks]:
        raise FieldError("sentences", f"do not match the context cut at {SENTENCE_BREAKS}")
    answers = answers_at(need(qa, "answers", list), context, "answers")
    if len(answers) != 1:
        raise FieldError("answers", f"has {len(answers)} answers; LAReQA needs exactly one")
    holding = [context[s:e] for s, e in breaks if s <= answers[0].start < e]
    if not holding:
        raise FieldError(SENTENCE_BREAKS, f"no sentence holds the answer at offset {answers[0].start}")
    meta[SENTENCE_BREAKS] = json.dumps(breaks)
    return Example(
        id=need(qa, "id"),
        task=task,
        kind="retrieval",
        lang=lang,
        title=title,
        context=context,
        question=need(qa, "question"),
        answers=answers,
        text_a=qa["question"],
        text_b=holding[0],
        meta=meta | extra_meta(qa, ("id", "question", "answers")),
    )


def _lareqa(path: Path) -> Iterator[Parsed]:
    lang = lang_from_name(path, r"^([a-z]{2})\.json$")
    return collect(path, squad_records(path, load_json(path), "lareqa", lang, _lareqa_question))


def _write_lareqa(examples: Sequence[Example], path: Path) -> None:
    def paragraph_fields(group: list[Example]) -> dict[str, Any]:
        breaks = json.loads(group[0].meta.get(SENTENCE_BREAKS, "[]"))
        context = group[0].context
        return {"sentences": [context[s:e] for s, e in breaks], SENTENCE_BREAKS: breaks}

    def question(ex: Example) -> dict[str, Any]:
        return {"id": ex.id, "question": ex.question, "answers": answer_dicts(ex.answers)} | extra_fields(ex)

    write_json(path, squad_document(examples, "1.1", question, paragraph_fields))


_CONTEXT_META = ("document_url", "document_id", "section_title")


def _mewslix(path: Path) -> Iterator[Parsed]:
    def build(_number: int, line: str) -> Example:
        record = json_object(line)
        context = need(record, "context", dict)
        mention = need(record, "mention", dict)
        text = need(context, "text", prefix="context.")
        span = need(mention, "mention_span", dict, prefix="mention.")
        start = need(span, "start", int, prefix="mention.mention_span.")
        end = need(span, "end", int, prefix="mention.mention_span.")
        surface = need(span, "text", prefix="mention.mention_span.")
        if not 0 <= start < end <= len(text) or text[start:end] != surface:
            raise FieldError(
                "mention.mention_span", f"[{start}:{end}] does not hold {surface!r} in context.text"
            )
        spans = need(context, "sentence_spans", list, prefix="context.")
        meta = {key: need(context, key, prefix="context.") for key in _CONTEXT_META if key in context}
        meta |= {
            "entity_id": need(mention, "entity_id", prefix="mention."),
            "sentence_spans": json.dumps(spans),
        }
        if "metadata" in mention:
            meta["metadata"] = json.dumps(mention["metadata"], ensure_ascii=False)
        return Example(
            id=need(mention, "example_id", prefix="mention."),
            task="mewslix",
            kind="retrieval",
            lang=need(context, "language", prefix="context."),
            title=need(context, "document_title", prefix="context."),
            context=text,
            answers=[Answer(surface, start)],
            text_a=surface,
            meta=meta,
        )

    return per_line(path, build)


def _write_mewslix(examples: Sequence[Example], path: Path) -> None:
    def row(ex: Example) -> dict[str, Any]:
        if len(ex.answers) != 1 or "entity_id" not in ex.meta:
            raise InputError(
                str(path), f"example {ex.id}", "answers", "needs one mention span and meta entity_id"
            )
        context: dict[str, Any] = {"document_title": ex.title}
        context |= {key: ex.meta[key] for key in _CONTEXT_META if key in ex.meta}
        context |= {
            "language": ex.lang,
            "text": ex.context,
            "sentence_spans": json.loads(ex.meta["sentence_spans"]),
        }
        span = ex.answers[0]
        mention: dict[str, Any] = {
            "example_id": ex.id,
            "mention_span": {"start": span.start, "end": span.start + len(span.text), "text": span.text},
            "entity_id": ex.meta["entity_id"],
        }
        if "metadata" in ex.meta:
            mention["metadata"] = json.loads(ex.meta["metadata"])
        return {"context": context, "mention": mention}

    write_jsonl(path, (row(ex) for ex in examples))


FORMATS = (
    TaskFormat(
        name="tatoeba",
        kind="retrieval",
        family="line-aligned",
        labels=(),
        description="Tatoeba: line-aligned tatoeba.<xxx>-eng.<xxx> and .eng files (read the <xxx> file)",
        extensions=(),
        parse=_tatoeba,
        emit=_write_tatoeba,
    ),
    TaskFormat(
        name="bucc",
        kind="retrieval",
        family="id-tsv+gold",
        labels=(),
        description="BUCC 2018: <xx>-en.<split>.<xx> and .en id<TAB>sentence files, .gold pairs (read <xx>)",
        extensions=(),
        parse=_bucc,
        emit=_write_bucc,
    ),
    TaskFormat(
        name="lareqa",
        kind="retrieval",
        family="squad-json+sentences",
        labels=(),
        description="XQuAD-R (LAReQA): SQuAD JSON with sentence_breaks; gold = the answer's sentence",
        extensions=(".json",),
        parse=_lareqa,
        emit=_write_lareqa,
    ),
    TaskFormat(
        name="mewslix",
        kind="retrieval",
        family="jsonl",
        labels=(),
        description="Mewsli-X mentions: JSON lines of {context, mention} with the gold WikiData entity id",
        extensions=(".jsonl",),
        parse=_mewslix,
        emit=_write_mewslix,
    ),
)
