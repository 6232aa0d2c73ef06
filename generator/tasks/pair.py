"""Sentence-pair classification: MNLI, SNLI, ANLI (JSON lines), QQP (GLUE TSV), XNLI and PAWS-X (XTREME TSV).

`Example.label` indexes the format's `labels`; -1 is SNLI/MNLI's "-" (no annotator consensus).
Record ids: MNLI/SNLI `pairID`, ANLI `uid`, QQP `id`; XNLI/PAWS-X `<file stem>-<line>`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    Emitter,
    Parsed,
    Parser,
    TaskFormat,
    cell,
    columns,
    extra_fields,
    extra_meta,
    json_object,
    label_index,
    lang_from_name,
    line_id,
    need,
    numbered,
    per_line,
    write_jsonl,
    write_lines,
)

NLI = ("entailment", "neutral", "contradiction")
NO_CONSENSUS = "-"


@dataclass(frozen=True)
class JsonlPair:
    """Where one JSON-lines pair format keeps its fields, and how it spells its labels."""

    id_key: str
    premise_keys: tuple[str, ...]  # the first is written; the others are accepted aliases
    hypothesis_key: str
    label_key: str
    codes: tuple[str, ...]  # written label code per label index
    aliases: Mapping[str, int]  # further accepted label codes
    unlabeled: str | None = None  # a code meaning "no gold label" (read as -1)

    def index(self, value: object) -> int:
        codes = {code: i for i, code in enumerate(self.codes)} | dict(self.aliases)
        if self.unlabeled is not None:
            codes[self.unlabeled] = -1
        return label_index(value, codes, self.label_key)


def _jsonl_pair(spec: JsonlPair, task: str, path: Path) -> Iterator[Parsed]:
    def build(number: int, line: str) -> Example:
        record = json_object(line)
        premise_key = next((key for key in spec.premise_keys if key in record), spec.premise_keys[0])
        known = (spec.id_key, premise_key, spec.hypothesis_key, spec.label_key)
        return Example(
            id=str(record.get(spec.id_key) or line_id(path, number)),
            task=task,
            kind="pair",
            text_a=need(record, premise_key),
            text_b=need(record, spec.hypothesis_key),
            label=spec.index(need(record, spec.label_key, (str, int))),
            meta=extra_meta(record, known),
        )

    return per_line(path, build)


def _write_jsonl_pair(spec: JsonlPair, examples: Sequence[Example], path: Path) -> None:
    def row(example: Example) -> dict[str, object]:
        label = spec.unlabeled if example.label == -1 else spec.codes[example.label]
        return {
            spec.id_key: example.id,
            spec.premise_keys[0]: example.text_a,
            spec.hypothesis_key: example.text_b,
            spec.label_key: label,
        } | extra_fields(example)

    write_jsonl(path, (row(example) for example in examples))


@dataclass(frozen=True)
class TsvPair:
    """A headerless XTREME pair TSV: text_a, text_b, label per line."""

    names: tuple[str, str, str]
    codes: tuple[str, ...]
    aliases: Mapping[str, int]
    lang_pattern: str


def _tsv_pair(spec: TsvPair, task: str, path: Path) -> Iterator[Parsed]:
    lang = lang_from_name(path, spec.lang_pattern)
    codes = {code: i for i, code in enumerate(spec.codes)} | dict(spec.aliases)

    def build(number: int, line: str) -> Example:
        text_a, text_b, label = columns(line, spec.names)
        return Example(
            id=line_id(path, number),
            task=task,
            kind="pair",
            lang=lang,
            text_a=text_a,
            text_b=text_b,
            label=label_index(label, codes, spec.names[2]),
        )

    return per_line(path, build)


def _write_tsv_pair(spec: TsvPair, examples: Sequence[Example], path: Path) -> None:
    write_lines(
        path,
        (
            "\t".join(
                (
                    cell(ex, "text_a", ex.text_a, path),
                    cell(ex, "text_b", ex.text_b, path),
                    spec.codes[ex.label],
                )
            )
            for ex in examples
        ),
    )


QQP_COLUMNS = ("id", "qid1", "qid2", "question1", "question2", "is_duplicate")


def _qqp(path: Path) -> Iterator[Parsed]:
    lines = numbered(path)
    number, header = next(lines, (1, ""))
    if tuple(header.split("\t")) != QQP_COLUMNS:
        raise InputError(
            str(path),
            f"line {number}",
            "header",
            f"is {header!r}; a GLUE QQP file starts with {' '.join(QQP_COLUMNS)}",
        )

    def build(number: int, line: str) -> Example:
        qid, qid1, qid2, question1, question2, duplicate = columns(line, QQP_COLUMNS)
        return Example(
            id=qid,
            task="qqp",
            kind="pair",
            text_a=question1,
            text_b=question2,
            label=label_index(duplicate, {"0": 0, "1": 1}, "is_duplicate"),
            meta={"qid1": qid1, "qid2": qid2},
        )

    yield from per_line(path, build, lines)


def _write_qqp(examples: Sequence[Example], path: Path) -> None:
    rows = (
        (
            ex.id,
            ex.meta.get("qid1", ""),
            ex.meta.get("qid2", ""),
            cell(ex, "text_a", ex.text_a, path),
            cell(ex, "text_b", ex.text_b, path),
            str(ex.label),
        )
        for ex in examples
    )
    write_lines(path, ["\t".join(QQP_COLUMNS), *("\t".join(row) for row in rows)])


def _format(
    name: str,
    family: str,
    labels: tuple[str, ...],
    description: str,
    extensions: tuple[str, ...],
    spec: object,
) -> TaskFormat:
    parse: Parser
    emit: Emitter
    if isinstance(spec, JsonlPair):
        parse, emit = partial(_jsonl_pair, spec, name), partial(_write_jsonl_pair, spec)
    elif isinstance(spec, TsvPair):
        parse, emit = partial(_tsv_pair, spec, name), partial(_write_tsv_pair, spec)
    else:
        parse, emit = _qqp, _write_qqp
    return TaskFormat(name, "pair", family, labels, description, extensions, parse, emit)


_SNLI_STYLE = JsonlPair("pairID", ("sentence1",), "sentence2", "gold_label", NLI, {}, NO_CONSENSUS)
_XTREME_TSV = r"-([a-z]{2})\.tsv$"

FORMATS = (
    _format(
        name="mnli",
        family="jsonl",
        labels=NLI,
        description="MultiNLI: 3-way NLI, JSON lines (sentence1/sentence2/gold_label)",
        extensions=(".jsonl",),
        spec=_SNLI_STYLE,
    ),
    _format(
        name="snli",
        family="jsonl",
        labels=NLI,
        description="SNLI: 3-way NLI, JSON lines; gold_label '-' reads as label -1",
        extensions=(".jsonl",),
        spec=_SNLI_STYLE,
    ),
    _format(
        name="anli",
        family="jsonl",
        labels=NLI,
        description="Adversarial NLI: JSON lines context (or premise)/hypothesis, labels e/n/c",
        extensions=(".jsonl",),
        spec=JsonlPair("uid", ("context", "premise"), "hypothesis", "label", ("e", "n", "c"), {}),
    ),
    _format(
        name="qqp",
        family="tsv",
        labels=("not_duplicate", "duplicate"),
        description="Quora Question Pairs: GLUE TSV, header id qid1 qid2 question1 question2 is_duplicate",
        extensions=(".tsv",),
        spec=None,
    ),
    _format(
        name="xnli",
        family="tsv",
        labels=NLI,
        description="XNLI as XTREME ships it: premise, hypothesis, label TSV (<split>-<lang>.tsv)",
        extensions=(".tsv",),
        spec=TsvPair(("premise", "hypothesis", "label"), NLI, {"contradictory": 2}, _XTREME_TSV),
    ),
    _format(
        name="pawsx",
        family="tsv",
        labels=("not_paraphrase", "paraphrase"),
        description="PAWS-X as XTREME ships it: sentence1, sentence2, label 0/1 TSV (<split>-<lang>.tsv)",
        extensions=(".tsv",),
        spec=TsvPair(("sentence1", "sentence2", "label"), ("0", "1"), {}, _XTREME_TSV),
    ),
)
