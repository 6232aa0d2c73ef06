"""Multiple-choice rows, answers in columns or keyed (XCOPA, HellaSwag, CommonsenseQA, Cosmos QA, SIQA)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.example import Example
from generator.tasks.base import FieldError, choice_label, extra_meta, need, need_strings
from trainer.hf.spec import Row, RowContext


@dataclass(frozen=True)
class ChoiceRows:
    """Context, optional question, answers in several columns (or one list column), the right one's number."""

    context: str
    choices: tuple[str, ...] | str
    question: str | None = None
    label: str = "label"
    base: int = 0
    id_key: str | None = None

    def convert(self, row: Row, ctx: RowContext) -> Example:
        if isinstance(self.choices, str):
            choices = need_strings(row, self.choices)
            columns: tuple[str, ...] = (self.choices,)
        else:
            choices = [need(row, key) for key in self.choices]
            columns = self.choices
        value = ctx.class_name(self.label, need(row, self.label, (str, int)))
        unlabelled = value in ("", -1)
        label = -1 if unlabelled else choice_label(value, len(choices), self.label, base=self.base)
        known = [k for k in (self.id_key, self.context, self.question, *columns, self.label) if k]
        return Example(
            id=ctx.row_id(row, self.id_key),
            task=ctx.task,
            kind="choice",
            lang=ctx.lang,
            context=need(row, self.context),
            question=need(row, self.question) if self.question else "",
            choices=choices,
            label=label,
            meta=extra_meta(row, known),
        )


@dataclass(frozen=True)
class KeyedChoiceRows:
    """id, question, question_concept, choices{label[], text[]}, answerKey (CommonsenseQA)."""

    def convert(self, row: Row, ctx: RowContext) -> Example:
        import json

        options = need(row, "choices", dict)
        keys, texts = list(options.get("label", [])), list(options.get("text", []))
        if not texts or len(keys) != len(texts):
            raise FieldError("choices", f"has {len(keys)} labels and {len(texts)} texts")
        answer = need(row, "answerKey")
        if answer and answer not in keys:
            raise FieldError("answerKey", f"{answer!r} is not one of the choice labels {' '.join(keys)}")
        meta = {"choice_labels": json.dumps(keys)}
        if row.get("question_concept"):
            meta["question_concept"] = need(row, "question_concept")
        known = ("id", "question", "question_concept", "choices", "answerKey")
        return Example(
            id=ctx.row_id(row, "id"),
            task=ctx.task,
            kind="choice",
            lang=ctx.lang,
            question=need(row, "question"),
            choices=texts,
            label=keys.index(answer) if answer else -1,
            meta=meta | extra_meta(row, known),
        )
