"""Token-tagging rows (UD-POS, WikiANN NER) to `Example`s."""

from __future__ import annotations

from dataclasses import dataclass

from generator.example import Example
from generator.tasks.base import FieldError, need, need_strings
from trainer.hf.spec import Row, RowContext


@dataclass(frozen=True)
class TaggingRows:
    """A token list and a tag list (ClassLabel or strings) of the same length."""

    tags: str
    tokens: str = "tokens"

    def convert(self, row: Row, ctx: RowContext) -> Example:
        tokens = need_strings(row, self.tokens)
        tags = [str(ctx.class_name(self.tags, tag)) for tag in need(row, self.tags, list)]
        if len(tags) != len(tokens):
            raise FieldError(self.tags, f"has {len(tags)} tags for {len(tokens)} tokens")
        return Example(
            id=ctx.row_id(row, None),
            task=ctx.task,
            kind="tagging",
            lang=ctx.lang,
            tokens=tokens,
            tags=tags,
        )
