"""Extractive QA rows (SQuAD schema: v1.1, v2.0, MLQA, TyDiQA-GoldP, XQuAD) to `Example`s."""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.example import Example
from generator.tasks.base import FieldError, extra_meta, need
from generator.tasks.qa import answers_at
from trainer.hf.spec import Row, RowContext


@dataclass(frozen=True)
class SquadRows:
    """id, title, context, question, answers{text[], answer_start[]}; v2: empty answers = no answer."""

    v2: bool = False

    def convert(self, row: Row, ctx: RowContext) -> Example:
        context = need(row, "context")
        raw = need(row, "answers", dict)
        texts, starts = raw.get("text", []), raw.get("answer_start", [])
        if len(texts) != len(starts):
            raise FieldError("answers", f"has {len(texts)} texts and {len(starts)} answer_start values")
        pairs = [{"text": t, "answer_start": s} for t, s in zip(texts, starts, strict=True)]
        answers = answers_at(pairs, context, "answers")
        if not answers and not self.v2:
            raise FieldError("answers", "is empty; an answerable question needs at least one answer")
        known = ("id", "title", "context", "question", "answers")
        return Example(
            id=ctx.row_id(row, "id"),
            task=ctx.task,
            kind="qa",
            lang=ctx.lang,
            title=need(row, "title"),
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
