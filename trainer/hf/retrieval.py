"""Sentence-retrieval rows (Tatoeba: a sentence and its English translation) to `Example`s."""

from __future__ import annotations

from dataclasses import dataclass

from generator.example import Example
from generator.tasks.base import need
from trainer.hf.spec import Row, RowContext


@dataclass(frozen=True)
class RetrievalRows:
    """A source sentence and its English translation."""

    text_a: str = "source_sentence"
    text_b: str = "target_sentence"

    def convert(self, row: Row, ctx: RowContext) -> Example:
        return Example(
            id=ctx.row_id(row, None),
            task=ctx.task,
            kind="retrieval",
            lang=ctx.lang,
            text_a=need(row, self.text_a),
            text_b=need(row, self.text_b),
        )
