"""Multiple choice: HellaSwag, CommonsenseQA, Cosmos QA, COPA / XCOPA and Social IQa.

`Example.context` holds the premise / context, `question` the question (COPA: "cause" or "effect"),
`choices` the candidate answers and `label` the index of the right one. Record ids: CommonsenseQA
and Cosmos QA `id`; the others `<file stem>-<line>`. Source fields without a place in `Example`
(HellaSwag `ind`, `activity_label`…, COPA `idx`, XCOPA `changed`) are kept in `meta["extra"]`.
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
    Emitter,
    FieldError,
    Parsed,
    Parser,
    TaskFormat,
    choice_label,
    collect,
    extra_fields,
    extra_meta,
    json_object,
    lang_from_name,
    line_id,
    need,
    need_strings,
    numbered,
    per_line,
    write_jsonl,
    write_lines,
)

JsonBuilder = Callable[[Path, int, dict[str, Any]], Example]


def _jsonl(build: JsonBuilder, path: Path) -> Iterator[Parsed]:
    def one(number: int, line: str) -> Example:
        return build(path, number, json_object(line))

    return per_line(path, one)


def _hellaswag(path: Path, number: int, record: dict[str, Any]) -> Example:
    endings = need_strings(record, "endings")
    return Example(
        id=line_id(path, number),
        task="hellaswag",
        kind="choice",
        context=need(record, "ctx"),
        choices=endings,
        label=choice_label(need(record, "label", (int, str)), len(endings), "label"),
        meta=extra_meta(record, ("ctx", "endings", "label")),
    )


def _write_hellaswag(examples: Sequence[Example], path: Path) -> None:
    rows = (
        {"ctx": ex.context, "endings": ex.choices, "label": ex.label} | extra_fields(ex) for ex in examples
    )
    write_jsonl(path, rows)


def _commonsenseqa(path: Path, number: int, record: dict[str, Any]) -> Example:
    question = need(record, "question", dict)
    options = need(question, "choices", list, prefix="question.")
    keys = [need(option, "label", prefix=f"question.choices[{i}].") for i, option in enumerate(options)]
    texts = [need(option, "text", prefix=f"question.choices[{i}].") for i, option in enumerate(options)]
    answer = need(record, "answerKey")
    if answer not in keys:
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
        label=keys.index(answer),
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
        return {"answerKey": keys[ex.label], "id": ex.id, "question": question} | extra_fields(ex)

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
        label=choice_label(need(record, "label", (int, str)), 4, "label"),
    )


def _cosmosqa(path: Path) -> Iterator[Parsed]:
    if path.suffix == ".csv":
        return _cosmos_csv(path)
    return _jsonl(lambda _path, _number, record: _cosmos_example(record), path)


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


def _write_cosmosqa(examples: Sequence[Example], path: Path) -> None:
    rows = [[ex.id, ex.context, ex.question, *ex.choices, str(ex.label)] for ex in examples]
    for ex in examples:
        if len(ex.choices) != 4:
            raise InputError(str(path), f"example {ex.id}", "choices", "Cosmos QA needs exactly 4 choices")
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COSMOS_COLUMNS)
            writer.writerows(rows)
    else:
        write_jsonl(path, (dict(zip(COSMOS_COLUMNS, [*row[:-1], int(row[-1])], strict=True)) for row in rows))


def _copa(task: str, path: Path, number: int, record: dict[str, Any]) -> Example:
    question = need(record, "question")
    if question not in ("cause", "effect"):
        raise FieldError("question", f"{question!r} should be 'cause' or 'effect'")
    return Example(
        id=line_id(path, number),
        task=task,
        kind="choice",
        lang=lang_from_name(path, r"\.([a-z]{2})\.jsonl$"),
        context=need(record, "premise"),
        question=question,
        choices=[need(record, "choice1"), need(record, "choice2")],
        label=choice_label(need(record, "label", (int, str)), 2, "label"),
        meta=extra_meta(record, ("premise", "choice1", "choice2", "question", "label")),
    )


def _write_copa(examples: Sequence[Example], path: Path) -> None:
    def row(ex: Example) -> dict[str, Any]:
        first, second = ex.choices
        return {
            "premise": ex.context,
            "choice1": first,
            "choice2": second,
            "question": ex.question,
            "label": ex.label,
        } | extra_fields(ex)

    write_jsonl(path, (row(ex) for ex in examples))


SIQA_ANSWERS = ("answerA", "answerB", "answerC")


def siqa_labels_path(path: Path) -> Path:
    """Social IQa keeps labels beside the data: train.jsonl -> train-labels.lst (1, 2 or 3 per line)."""
    return path.with_name(f"{path.stem}-labels.lst")


def _siqa(path: Path) -> Iterator[Parsed]:
    records = list(numbered(path))
    labels_path = siqa_labels_path(path)
    labels: list[tuple[int, str] | None] = [None] * len(records)
    if labels_path.is_file():
        labels = list(numbered(labels_path))
        if len(labels) != len(records):
            raise InputError(
                str(labels_path), "file", "label", f"has {len(labels)} labels for {len(records)} records"
            )

    def one(number: int, line: str, from_file: tuple[int, str] | None) -> Example:
        record = json_object(line)
        if from_file is not None:
            where = f"line {from_file[0]}"
            label = choice_label(from_file[1].strip(), 3, "label", base=1, where=where, path=labels_path)
        elif "label" in record:
            label = choice_label(record["label"], 3, "label", base=1)
        else:
            raise FieldError("label", f"is missing and there is no {labels_path.name} beside the file")
        return Example(
            id=line_id(path, number),
            task="siqa",
            kind="choice",
            context=need(record, "context"),
            question=need(record, "question"),
            choices=[need(record, key) for key in SIQA_ANSWERS],
            label=label,
            meta=extra_meta(record, ("context", "question", *SIQA_ANSWERS, "label")),
        )

    steps = (
        (f"line {n}", partial(one, n, line, label)) for (n, line), label in zip(records, labels, strict=True)
    )
    return collect(path, steps)


def _write_siqa(examples: Sequence[Example], path: Path) -> None:
    rows = (
        {"context": ex.context, "question": ex.question} | dict(zip(SIQA_ANSWERS, ex.choices, strict=True))
        for ex in examples
    )
    write_jsonl(path, (row | extra_fields(ex) for row, ex in zip(rows, examples, strict=True)))
    write_lines(siqa_labels_path(path), (str(ex.label + 1) for ex in examples))


def _format(
    name: str, family: str, description: str, extensions: tuple[str, ...], parse: Parser, emit: Emitter
) -> TaskFormat:
    return TaskFormat(name, "choice", family, (), description, extensions, parse, emit)


FORMATS = (
    _format(
        name="hellaswag",
        family="jsonl",
        description="HellaSwag: pick the ending of ctx among 4 endings",
        extensions=(".jsonl",),
        parse=partial(_jsonl, _hellaswag),
        emit=_write_hellaswag,
    ),
    _format(
        name="commonsenseqa",
        family="jsonl",
        description="CommonsenseQA: question.stem with 5 labelled choices, answerKey",
        extensions=(".jsonl",),
        parse=partial(_jsonl, _commonsenseqa),
        emit=_write_commonsenseqa,
    ),
    _format(
        name="cosmosqa",
        family="jsonl|csv",
        description="Cosmos QA: context, question, answer0..3, label (.jsonl or .csv)",
        extensions=(".jsonl", ".csv"),
        parse=_cosmosqa,
        emit=_write_cosmosqa,
    ),
    _format(
        name="copa",
        family="jsonl",
        description="COPA: premise, cause/effect question, choice1/choice2",
        extensions=(".jsonl",),
        parse=partial(_jsonl, partial(_copa, "copa")),
        emit=_write_copa,
    ),
    _format(
        name="xcopa",
        family="jsonl",
        description="XCOPA: COPA in 11 languages (<split>.<lang>.jsonl)",
        extensions=(".jsonl",),
        parse=partial(_jsonl, partial(_copa, "xcopa")),
        emit=_write_copa,
    ),
    _format(
        name="siqa",
        family="jsonl+labels",
        description="Social IQa: context, question, answerA/B/C; labels 1-3 in <stem>-labels.lst or inline",
        extensions=(".jsonl",),
        parse=_siqa,
        emit=_write_siqa,
    ),
)
