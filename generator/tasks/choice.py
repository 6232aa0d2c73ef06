"""Multiple choice: HellaSwag, CommonsenseQA and Cosmos QA (COPA / XCOPA and Social IQa: `copa_siqa`).

`Example.context` holds the premise / context, `question` the question, `choices` the candidate
answers and `label` the index of the right one, -1 in test files whose release hides it (no
`label` / `answerKey`). Record ids: CommonsenseQA and Cosmos QA `id`; HellaSwag `<file stem>-<line>`.
Source fields without a place in `Example` (HellaSwag `ind`, `activity_label`…) are kept in
`meta["extra"]`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    RAW,
    Emitter,
    FieldError,
    Layout,
    Parsed,
    Parser,
    TaskFormat,
    choice_label,
    collect,
    extra_fields,
    extra_meta,
    json_object,
    line_id,
    need,
    need_strings,
    per_line,
)
from generator.tasks.files import write_jsonl
from generator.tasks.gold import label_gold

JsonBuilder = Callable[[Path, int, dict[str, Any]], Example]


def jsonl_records(build: JsonBuilder, path: Path) -> Iterator[Parsed]:
    """One example per JSON-lines record, `build(path, line number, record)`."""

    def one(number: int, line: str) -> Example:
        return build(path, number, json_object(line))

    return per_line(path, one)


def optional_label(record: dict[str, Any], key: str, count: int, *, base: int = 0) -> int:
    """The choice label under `key`, or -1 when the record has none (a test file without gold)."""
    if key not in record:
        return -1
    return choice_label(need(record, key, (int, str)), count, key, base=base)


def _hellaswag(path: Path, number: int, record: dict[str, Any]) -> Example:
    endings = need_strings(record, "endings")
    return Example(
        id=line_id(path, number),
        task="hellaswag",
        kind="choice",
        context=need(record, "ctx"),
        choices=endings,
        label=optional_label(record, "label", len(endings)),
        meta=extra_meta(record, ("ctx", "endings", "label")),
    )


def _write_hellaswag(examples: Sequence[Example], path: Path) -> None:
    rows = (
        {"ctx": ex.context, "endings": ex.choices}
        | ({"label": ex.label} if ex.label >= 0 else {})
        | extra_fields(ex)
        for ex in examples
    )
    write_jsonl(path, rows)


def _commonsenseqa(path: Path, number: int, record: dict[str, Any]) -> Example:
    question = need(record, "question", dict)
    options = need(question, "choices", list, prefix="question.")
    keys = [need(option, "label", prefix=f"question.choices[{i}].") for i, option in enumerate(options)]
    texts = [need(option, "text", prefix=f"question.choices[{i}].") for i, option in enumerate(options)]
    answer = need(record, "answerKey") if "answerKey" in record else None
    if answer is not None and answer not in keys:
        raise FieldError("answerKey", f"{answer!r} is not one of the choice labels {' '.join(keys)}")
    meta = {"choice_labels": json.dumps(keys)}
    if "question_concept" in question:
        meta["question_concept"] = need(question, "question_concept", prefix="question.")
    return Example(
        id=need(record, "id"),
        task="commonsenseqa",
        kind="choice",
        question=need(question, "stem", prefix="question."),
        choices=texts,
        label=-1 if answer is None else keys.index(answer),
        meta=meta | extra_meta(record, ("id", "question", "answerKey")),
    )


def _write_commonsenseqa(examples: Sequence[Example], path: Path) -> None:
    def row(ex: Example) -> dict[str, Any]:
        keys = json.loads(ex.meta["choice_labels"]) if "choice_labels" in ex.meta else None
        keys = keys or [chr(ord("A") + i) for i in range(len(ex.choices))]
        question: dict[str, Any] = {}
        if "question_concept" in ex.meta:
            question["question_concept"] = ex.meta["question_concept"]
        question["choices"] = [{"label": k, "text": t} for k, t in zip(keys, ex.choices, strict=True)]
        question["stem"] = ex.question
        answer = {"answerKey": keys[ex.label]} if ex.label >= 0 else {}
        return answer | {"id": ex.id, "question": question} | extra_fields(ex)

    write_jsonl(path, (row(ex) for ex in examples))


COSMOS_COLUMNS = ("id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label")


def _cosmos_example(record: dict[str, Any]) -> Example:
    choices = [need(record, f"answer{i}") for i in range(4)]
    return Example(
        id=str(need(record, "id")),
        task="cosmosqa",
        kind="choice",
        context=need(record, "context"),
        question=need(record, "question"),
        choices=choices,
        label=optional_label(record, "label", 4),
    )


def _cosmos_jsonl(path: Path) -> Iterator[Parsed]:
    return jsonl_records(lambda _path, _number, record: _cosmos_example(record), path)


def _cosmos_csv(path: Path) -> Iterator[Parsed]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, [])
        if tuple(header) != COSMOS_COLUMNS:
            raise InputError(str(path), "line 1", "header", f"should be {','.join(COSMOS_COLUMNS)}")

        def one(row: list[str]) -> Example:
            if len(row) != len(COSMOS_COLUMNS):
                raise FieldError("columns", f"has {len(row)} CSV columns, expected {len(COSMOS_COLUMNS)}")
            return _cosmos_example(dict(zip(COSMOS_COLUMNS, row, strict=True)))

        records = (
            (f"record {n} (ending on line {rows.line_num})", partial(one, row))
            for n, row in enumerate(rows, 1)
        )
        yield from collect(path, records)


def _cosmos_rows(examples: Sequence[Example], path: Path) -> Iterator[dict[str, Any]]:
    for ex in examples:
        if len(ex.choices) != 4:
            raise InputError(str(path), f"example {ex.id}", "choices", "Cosmos QA needs exactly 4 choices")
        row = {"id": ex.id, "context": ex.context, "question": ex.question}
        row |= {f"answer{i}": choice for i, choice in enumerate(ex.choices)}
        yield row | ({"label": ex.label} if ex.label >= 0 else {})


def _write_cosmos_csv(examples: Sequence[Example], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COSMOS_COLUMNS)
        writer.writerows(
            [row.get(name, "") for name in COSMOS_COLUMNS] for row in _cosmos_rows(examples, path)
        )


def _write_cosmos_jsonl(examples: Sequence[Example], path: Path) -> None:
    write_jsonl(path, _cosmos_rows(examples, path))


def _format(
    name: str, family: str, description: str, extensions: tuple[str, ...], layouts: tuple[Layout, ...]
) -> TaskFormat:
    return TaskFormat(name, "choice", family, (), description, extensions, layouts, label_gold(name))


def _raw(naming: str, parse: Parser, emit: Emitter, pattern: str | None = None) -> Layout:
    return Layout(RAW, naming, parse, emit, pattern)


FORMATS = (
    _format(
        name="hellaswag",
        family="jsonl",
        description="HellaSwag: pick the ending of ctx among 4 endings",
        extensions=(".jsonl",),
        layouts=(
            _raw("hellaswag_{train,val,test}.jsonl", partial(jsonl_records, _hellaswag), _write_hellaswag),
        ),
    ),
    _format(
        name="commonsenseqa",
        family="jsonl",
        description="CommonsenseQA: question.stem with 5 labelled choices, answerKey",
        extensions=(".jsonl",),
        layouts=(
            _raw(
                "{train,dev}_rand_split.jsonl, test_rand_split_no_answers.jsonl",
                partial(jsonl_records, _commonsenseqa),
                _write_commonsenseqa,
            ),
        ),
    ),
    _format(
        name="cosmosqa",
        family="jsonl|csv",
        description="Cosmos QA: context, question, answer0..3, label (.jsonl or .csv)",
        extensions=(".jsonl", ".csv"),
        layouts=(
            _raw(
                "{train,valid}.csv (header id,context,question,answer0..3,label)",
                _cosmos_csv,
                _write_cosmos_csv,
                r"\.csv$",
            ),
            _raw("{train,valid,test}.jsonl", _cosmos_jsonl, _write_cosmos_jsonl, r"\.jsonl$"),
        ),
    ),
)
