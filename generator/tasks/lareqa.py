"""LAReQA's XQuAD-R: answer-sentence retrieval from SQuAD JSON whose paragraphs carry `sentence_breaks`.

One example per question: `text_a` the question, `text_b` the sentence holding its answer (the
paragraph cut at `sentence_breaks`), the answer span kept in `answers`. As XTREME's reader
(`third_party/utils_lareqa.py`) does, a paragraph's `sentences` field is ignored (in `tr.json` it does
not match the context cut at its breaks) and a question whose answer no sentence holds is skipped
with a warning, never fatal for the file; so is one whose answer text is not at its offset.
XTREME-R's download keeps these files untouched (`download/lareqa/xquad-r/<lang>.json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from generator.example import Example
from generator.tasks.base import (
    RAW,
    XTREME_R,
    FieldError,
    Layout,
    Parsed,
    SkipRecord,
    TaskFormat,
    collect,
    extra_fields,
    extra_meta,
    lang_in_name,
    load_json,
    need,
)
from generator.tasks.files import write_json
from generator.tasks.gold import answer_gold
from generator.tasks.qa import answer_dicts, answers_at, squad_document, squad_records

SENTENCE_BREAKS = "sentence_breaks"


def _breaks(paragraph: dict[str, Any]) -> list[list[int]]:
    breaks = need(paragraph, SENTENCE_BREAKS, list)
    if not all(isinstance(b, list) and len(b) == 2 and all(isinstance(x, int) for x in b) for b in breaks):
        raise FieldError(SENTENCE_BREAKS, "should be a list of [start, end] offsets")
    return breaks


def _question(
    task: str, lang: str, title: str, context: str, paragraph: dict[str, Any], qa: Any, meta: dict[str, str]
) -> Example:
    breaks = _breaks(paragraph)
    raw = need(qa, "answers", list)
    if len(raw) != 1:
        raise FieldError("answers", f"has {len(raw)} answers; LAReQA needs exactly one")
    try:
        answers = answers_at(raw, context, "answers")
    except FieldError as err:
        raise SkipRecord(err.field, f"{err.problem}; skipped, as XTREME skips it") from None
    holding = [context[s:e] for s, e in breaks if s <= answers[0].start < e]
    if not holding:
        raise SkipRecord(
            SENTENCE_BREAKS,
            f"no sentence holds the answer at offset {answers[0].start}; skipped, as XTREME skips it",
        )
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
    lang = lang_in_name(path, r"^([a-z]{2,3})\.json$", "<lang>.json (xquad-r/de.json)")
    return collect(path, squad_records(path, load_json(path), "lareqa", lang, _question))


def _write_lareqa(examples: Sequence[Example], path: Path) -> None:
    def paragraph_fields(group: list[Example]) -> dict[str, Any]:
        breaks = json.loads(group[0].meta.get(SENTENCE_BREAKS, "[]"))
        context = group[0].context
        return {"sentences": [context[s:e] for s, e in breaks], SENTENCE_BREAKS: breaks}

    def question(ex: Example) -> dict[str, Any]:
        return {"id": ex.id, "question": ex.question, "answers": answer_dicts(ex.answers)} | extra_fields(ex)

    write_json(path, squad_document(examples, "1.1", question, paragraph_fields))


FORMATS = (
    TaskFormat(
        name="lareqa",
        kind="retrieval",
        family="squad-json+sentences",
        labels=(),
        description="XQuAD-R (LAReQA): SQuAD JSON with sentence_breaks; gold = the answer's sentence",
        extensions=(".json",),
        layouts=(
            Layout(RAW, "google-research-datasets/lareqa xquad-r/<lang>.json", _lareqa, _write_lareqa),
            Layout(XTREME_R, "download/lareqa/xquad-r/<lang>.json (untouched)", _lareqa, _write_lareqa),
        ),
        gold=answer_gold("lareqa"),
    ),
)
