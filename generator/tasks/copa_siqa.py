"""Choice of plausible alternatives and social commonsense: COPA / XCOPA and Social IQa.

COPA / XCOPA: `context` holds the premise, `question` "cause" or "effect", `choices` choice1 and
choice2. The language comes from the file name: XTREME-R's `<split>-<lang>.jsonl`, cambridgeltl's
`<split>.<lang>.jsonl`, COPA's own `<split>.jsonl` is English. XTREME-R's download sets every label
of its `test-<lang>.jsonl` files to 0 ("a label is still required by the dataset format"): such a
file reads with label -1 and is reported as having no gold, as is SuperGLUE's COPA test (no label).

Social IQa: AI2's release keeps labels "1"-"3" beside the data (train.jsonl + train-labels.lst, or
an inline "label"); the v1.4 files XTREME-R downloads carry `"correct": "A" / "B" / "C"`.
Record ids: `<file stem>-<line>`; COPA `idx`, XCOPA `changed` stay in `meta["extra"]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    RAW,
    XTREME_R,
    FieldError,
    Layout,
    Parsed,
    TaskFormat,
    choice_label,
    collect,
    extra_fields,
    extra_meta,
    json_object,
    lang_from_name,
    line_id,
    need,
)
from generator.tasks.choice import optional_label
from generator.tasks.files import first_line, numbered, write_jsonl, write_lines
from generator.tasks.gold import label_gold

COPA_FIELDS = ("premise", "choice1", "choice2", "question", "label")
XCOPA_XTREME_R = r"^(?:train|val|test)-([a-z]{2,3})\.jsonl$"
XCOPA_RAW = r"^(?:train|val|test)\.([a-z]{2,3})\.jsonl$"
_FORCED_TEST = r"^test-[a-z]{2,3}\.jsonl$"


def _copa_example(task: str, path: Path, lang: str, forced: bool, number: int, line: str) -> Example:
    record = json_object(line)
    question = need(record, "question")
    if question not in ("cause", "effect"):
        raise FieldError("question", f"{question!r} should be 'cause' or 'effect'")
    return Example(
        id=line_id(path, number),
        task=task,
        kind="choice",
        lang=lang,
        context=need(record, "premise"),
        question=question,
        choices=[need(record, "choice1"), need(record, "choice2")],
        label=-1 if forced else optional_label(record, "label", 2),
        meta=extra_meta(record, COPA_FIELDS),
    )


def _forced_to_zero(path: Path, lines: list[tuple[int, str]]) -> bool:
    """XTREME-R's `test-<lang>.jsonl`: every label 0, set by its preprocessing in place of the gold."""
    if not re.search(_FORCED_TEST, path.name):
        return False
    labels = []
    for _, line in lines:
        try:
            labels.append(json.loads(line).get("label"))
        except (json.JSONDecodeError, AttributeError):
            return False
    return bool(labels) and all(label == 0 for label in labels)


def _copa(task: str, path: Path) -> Iterator[Parsed]:
    lines = list(numbered(path))
    match = re.search(XCOPA_XTREME_R, path.name) or re.search(XCOPA_RAW, path.name)
    lang = match.group(1) if match else lang_from_name(path, r"\.([a-z]{2,3})\.jsonl$")
    build = partial(_copa_example, task, path, lang, _forced_to_zero(path, lines))
    return collect(path, ((f"line {n}", partial(build, n, line)) for n, line in lines))


def _write_copa(examples: Sequence[Example], path: Path) -> None:
    forced = re.search(_FORCED_TEST, path.name) is not None

    def row(ex: Example) -> dict[str, Any]:
        first, second = ex.choices
        label = {"label": 0 if forced and ex.label < 0 else ex.label} if ex.label >= 0 or forced else {}
        body = {"premise": ex.context, "choice1": first, "choice2": second, "question": ex.question}
        return body | label | extra_fields(ex)

    write_jsonl(path, (row(ex) for ex in examples))


SIQA_ANSWERS = ("answerA", "answerB", "answerC")
SIQA_LETTERS = ("A", "B", "C")


def siqa_labels_path(path: Path) -> Path:
    """Social IQa keeps labels beside the data: train.jsonl -> train-labels.lst (1, 2 or 3 per line)."""
    return path.with_name(f"{path.stem}-labels.lst")


def _siqa_example(path: Path, number: int, line: str, label_of: Any) -> Example:
    record = json_object(line)
    return Example(
        id=line_id(path, number),
        task="siqa",
        kind="choice",
        context=need(record, "context"),
        question=need(record, "question"),
        choices=[need(record, key) for key in SIQA_ANSWERS],
        label=label_of(record),
        meta=extra_meta(record, ("context", "question", *SIQA_ANSWERS, "label", "correct")),
    )


def _siqa_ai2(path: Path) -> Iterator[Parsed]:
    records = list(numbered(path))
    labels_path = siqa_labels_path(path)
    labels: list[tuple[int, str] | None] = [None] * len(records)
    if labels_path.is_file():
        labels = list(numbered(labels_path))
        if len(labels) != len(records):
            raise InputError(
                str(labels_path), "file", "label", f"has {len(labels)} labels for {len(records)} records"
            )

    def label_of(from_file: tuple[int, str] | None, record: dict[str, Any]) -> int:
        if from_file is not None:
            where = f"line {from_file[0]}"
            return choice_label(from_file[1].strip(), 3, "label", base=1, where=where, path=labels_path)
        if "label" in record:
            return choice_label(record["label"], 3, "label", base=1)
        raise FieldError("label", f"is missing and there is no {labels_path.name} beside the file")

    steps = (
        (f"line {n}", partial(_siqa_example, path, n, line, partial(label_of, label)))
        for (n, line), label in zip(records, labels, strict=True)
    )
    return collect(path, steps)


def _correct(record: dict[str, Any]) -> int:
    letter = need(record, "correct")
    if letter not in SIQA_LETTERS:
        raise FieldError("correct", f"{letter!r} should be A, B or C")
    return SIQA_LETTERS.index(letter)


def _siqa_v14(path: Path) -> Iterator[Parsed]:
    steps = ((f"line {n}", partial(_siqa_example, path, n, line, _correct)) for n, line in numbered(path))
    return collect(path, steps)


def _siqa_rows(examples: Sequence[Example]) -> Iterator[dict[str, Any]]:
    for ex in examples:
        yield {"context": ex.context, "question": ex.question} | dict(
            zip(SIQA_ANSWERS, ex.choices, strict=True)
        )


def _write_siqa_ai2(examples: Sequence[Example], path: Path) -> None:
    rows = (row | extra_fields(ex) for row, ex in zip(_siqa_rows(examples), examples, strict=True))
    write_jsonl(path, rows)
    write_lines(siqa_labels_path(path), (str(ex.label + 1) for ex in examples))


def _write_siqa_v14(examples: Sequence[Example], path: Path) -> None:
    rows = (
        row | {"correct": SIQA_LETTERS[ex.label]} | extra_fields(ex)
        for row, ex in zip(_siqa_rows(examples), examples, strict=True)
    )
    write_jsonl(path, rows)


def _has_correct(path: Path) -> bool:
    try:
        return "correct" in json.loads(first_line(path))
    except (json.JSONDecodeError, TypeError):
        return False


def _copa_layouts(task: str) -> tuple[Layout, ...]:
    parse, emit = partial(_copa, task), _write_copa
    raw = "COPA {train,val,test}.jsonl (English) or cambridgeltl/xcopa data/<lang>/{val,test}.<lang>.jsonl"
    xtreme_r = "download/xcopa/{train,val,test}-<lang>.jsonl: test labels all set to 0"
    return (
        Layout(RAW, raw, parse, emit),
        Layout(XTREME_R, xtreme_r, parse, emit, XCOPA_XTREME_R),
    )


def _format(name: str, description: str, layouts: tuple[Layout, ...]) -> TaskFormat:
    return TaskFormat(name, "choice", "jsonl", (), description, (".jsonl",), layouts, label_gold(name))


FORMATS = (
    _format("copa", "COPA: premise, cause/effect question, choice1/choice2", _copa_layouts("copa")),
    _format(
        "xcopa",
        "XCOPA: COPA in 11 languages (<split>.<lang>.jsonl, XTREME-R <split>-<lang>.jsonl)",
        _copa_layouts("xcopa"),
    ),
    _format(
        "siqa",
        "Social IQa: context, question, answerA/B/C; labels 1-3 in <stem>-labels.lst or inline, "
        "or v1.4 'correct' A/B/C",
        (
            Layout(
                RAW,
                "AI2 socialiqa-train-dev/{train,dev}.jsonl + <split>-labels.lst",
                _siqa_ai2,
                _write_siqa_ai2,
            ),
            Layout(
                XTREME_R,
                "socialIQa_v1.4_{trn,dev,tst}.jsonl ('correct': A/B/C)",
                _siqa_v14,
                _write_siqa_v14,
                r"^socialIQa_v1\.4_\w+\.jsonl$",
                _has_correct,
            ),
        ),
    ),
)
