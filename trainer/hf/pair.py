"""Sentence-pair classification rows (XNLI, PAWS-X, MNLI, QQP, ANLI) to `Example`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.example import Example
from generator.tasks.base import FieldError, extra_meta, need
from trainer.hf.spec import Row, RowContext


def _label(value: Any, labels: Sequence[str], field: str) -> int:
    """A pair label from a class name, a label code ("0", "1") or an index; -1 and "-" mean no label."""
    if value in (-1, "-", "", None):
        return -1
    if isinstance(value, str) and value in labels:
        return labels.index(value)
    if value == "contradictory" and "contradiction" in labels:
        return labels.index("contradiction")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(labels):
        return value
    raise FieldError(field, f"{value!r} is not one of the labels ({', '.join(labels)})")


@dataclass(frozen=True)
class PairRows:
    """Two texts and a label (ClassLabel, class name or code); optionally an id and a language column."""

    text_a: str
    text_b: str
    label: str = "label"
    id_key: str | None = None
    lang_key: str | None = None

    def convert(self, row: Row, ctx: RowContext) -> Example:
        from generator.tasks import get_format

        labels = get_format(ctx.task).labels
        value = ctx.class_name(self.label, need(row, self.label, (str, int)))
        known = [k for k in (self.id_key, self.text_a, self.text_b, self.label, self.lang_key) if k]
        return Example(
            id=ctx.row_id(row, self.id_key),
            task=ctx.task,
            kind="pair",
            lang=ctx.lang,
            text_a=need(row, self.text_a),
            text_b=need(row, self.text_b),
            label=_label(value, labels, self.label),
            meta=extra_meta(row, known),
        )
