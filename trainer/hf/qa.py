"""Extractive QA rows (SQuAD schema: v1.1, v2.0, MLQA, TyDiQA-GoldP, XQuAD) to `Example`s.

google/xtreme strips contexts and answer texts but keeps `answer_start`, so every answer goes through
the row context's `Realigner` (the occurrence of the stripped text closest to `answer_start` within
20 characters); an answer it cannot place is dropped and counted, and a question left without
answers is skipped, never fatal. XQuAD rows have no `title`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.example import Example
from generator.tasks.base import FieldError, SkipRecord, extra_meta, need
from trainer.hf.spec import Row, RowContext


@dataclass(frozen=True)
class SquadRows:
    """id, title (not in XQuAD), context, question, answers{text[], answer_start[]}; v2: empty answers =
    no answer."""

    v2: bool = False

    def convert(self, row: Row, ctx: RowContext) -> Example:
        context = need(row, "context")
        raw = need(row, "answers", dict)
        texts, starts = raw.get("text", []), raw.get("answer_start", [])
        if len(texts) != len(starts):
            raise FieldError("answers", f"has {len(texts)} texts and {len(starts)} answer_start values")
        if not texts and not self.v2:
            raise FieldError("answers", "is empty; an answerable question needs at least one answer")
        answers = ctx.realigner.answers(ctx.lang, context, zip(texts, starts, strict=True))
        if texts and not answers:
            raise SkipRecord("answers", "no answer text occurs within 20 characters of its answer_start")
        known = ("id", "title", "context", "question", "answers")
        return Example(
            id=ctx.row_id(row, "id"),
            task=ctx.task,
            kind="qa",
            lang=ctx.lang,
            title=need(row, "title") if "title" in row else "",
            context=context,
            question=need(row, "question"),
            answers=answers,
            is_impossible=self.v2 and not answers,
            meta=extra_meta(row, known),
        )


def number_paragraphs(examples: list[Example]) -> list[Example]:
    """Article and paragraph positions, as the SQuAD file reader keeps them, from runs of title and context."""
    out: list[Example] = []
    article = paragraph = 0
    previous: Example | None = None
    for ex in examples:
        if previous is None or ex.title != previous.title:
            article, paragraph = article + 1, 0
        if previous is None or paragraph == 0 or ex.context != previous.context:
            paragraph += 1
        meta = {"article": str(article), "paragraph": str(paragraph)} | ex.meta
        out.append(replace(ex, meta=meta))
        previous = ex
    return out
