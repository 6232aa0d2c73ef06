"""English sentence-pair classification: MNLI (MultiNLI JSON lines or GLUE TSV), SNLI, ANLI / ANLI+
(JSON lines) and QQP (GLUE TSV). XNLI and PAWS-X live in `pair_xtreme`.

`Example.label` indexes the format's `labels`; -1 is SNLI/MNLI's "-" (no annotator consensus) and
the label of a test record whose release hides it (GLUE test TSVs have no label column). ANLI+
files (ANLI rounds trained together with MNLI and SNLI) mix ANLI lines (uid, context, hypothesis,
label e/n/c) with MultiNLI / SNLI lines (pairID, sentence1, sentence2, gold_label): each line is
read in its own shape and written back in it. Record ids: MNLI/SNLI `pairID`, ANLI `uid`, QQP `id`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    RAW,
    FieldError,
    Layout,
    Parsed,
    TaskFormat,
    cell,
    extra_fields,
    extra_meta,
    json_object,
    label_index,
    line_id,
    need,
    per_line,
)
from generator.tasks.files import first_line, numbered, write_jsonl, write_lines
from generator.tasks.gold import label_gold
from generator.tasks.pair_xtreme import NLI

NO_CONSENSUS = "-"
SHAPE = "shape"


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

    def example(self, task: str, path: Path, number: int, record: dict[str, object]) -> Example:
        premise_key = next((key for key in self.premise_keys if key in record), self.premise_keys[0])
        known = (self.id_key, premise_key, self.hypothesis_key, self.label_key)
        return Example(
            id=str(record.get(self.id_key) or line_id(path, number)),
            task=task,
            kind="pair",
            text_a=need(record, premise_key),
            text_b=need(record, self.hypothesis_key),
            label=self.index(need(record, self.label_key, (str, int))),
            meta=extra_meta(record, known),
        )

    def row(self, example: Example) -> dict[str, object]:
        label = self.unlabeled if example.label == -1 else self.codes[example.label]
        return {
            self.id_key: example.id,
            self.premise_keys[0]: example.text_a,
            self.hypothesis_key: example.text_b,
            self.label_key: label,
        } | extra_fields(example)


_SNLI_STYLE = JsonlPair("pairID", ("sentence1",), "sentence2", "gold_label", NLI, {}, NO_CONSENSUS)
_ANLI = JsonlPair("uid", ("context", "premise"), "hypothesis", "label", ("e", "n", "c"), {})


def _jsonl_pair(spec: JsonlPair, task: str, path: Path) -> Iterator[Parsed]:
    return per_line(path, lambda number, line: spec.example(task, path, number, json_object(line)))


def _write_jsonl_pair(spec: JsonlPair, examples: Sequence[Example], path: Path) -> None:
    write_jsonl(path, (spec.row(example) for example in examples))


def _anli_plus(path: Path) -> Iterator[Parsed]:
    """ANLI lines, and in ANLI+ files MultiNLI / SNLI lines too, each in its own shape."""

    def build(number: int, line: str) -> Example:
        record = json_object(line)
        if "sentence1" in record and "hypothesis" not in record:
            example = _SNLI_STYLE.example("anli", path, number, record)
            return replace(example, meta=example.meta | {SHAPE: "snli"})
        return _ANLI.example("anli", path, number, record)

    return per_line(path, build)


def _write_anli_plus(examples: Sequence[Example], path: Path) -> None:
    def row(example: Example) -> dict[str, object]:
        if example.meta.get(SHAPE) == "snli":
            return _SNLI_STYLE.row(example)
        return _ANLI.row(example)

    write_jsonl(path, (row(example) for example in examples))


GLUE_MNLI = "sentence1", "sentence2", "gold_label", "pairID"


def _glue_mnli(path: Path) -> Iterator[Parsed]:
    """GLUE's MNLI TSV: a header names the columns; test files have no gold_label (label -1)."""
    lines = numbered(path)
    number, header_line = next(lines, (1, ""))
    header = header_line.split("\t")
    missing = [name for name in ("sentence1", "sentence2", "pairID") if name not in header]
    if missing:
        raise InputError(
            str(path), f"line {number}", "header", f"has no {', '.join(missing)} (GLUE MNLI TSV)"
        )
    codes = {code: i for i, code in enumerate(NLI)} | {NO_CONSENSUS: -1}

    def build(number: int, line: str) -> Example:
        cells = line.split("\t")
        if len(cells) != len(header):
            raise FieldError(
                "columns", f"has {len(cells)} tab-separated columns, the header has {len(header)}"
            )
        row = dict(zip(header, cells, strict=True))
        label = label_index(row["gold_label"], codes, "gold_label") if "gold_label" in row else -1
        return Example(
            id=row["pairID"],
            task="mnli",
            kind="pair",
            text_a=row["sentence1"],
            text_b=row["sentence2"],
            label=label,
            meta=extra_meta(row, GLUE_MNLI),
        )

    yield from per_line(path, build, lines)


def _write_glue_mnli(examples: Sequence[Example], path: Path) -> None:
    header = ["index", "pairID", "sentence1", "sentence2"]
    extra = [key for key in (extra_fields(examples[0]) if examples else {}) if key not in header]
    labelled = any(ex.label >= 0 for ex in examples)
    names = header + extra + (["gold_label"] if labelled else [])

    def line(i: int, ex: Example) -> str:
        row = {"index": str(i)} | {k: str(v) for k, v in extra_fields(ex).items()}
        row |= {"pairID": ex.id, "sentence1": ex.text_a, "sentence2": ex.text_b}
        row["gold_label"] = NLI[ex.label] if ex.label >= 0 else NO_CONSENSUS
        return "\t".join(cell(ex, name, row.get(name, ""), path) for name in names)

    write_lines(path, ["\t".join(names), *(line(i, ex) for i, ex in enumerate(examples))])


QQP_COLUMNS = ("id", "qid1", "qid2", "question1", "question2", "is_duplicate")
QQP_TEST_COLUMNS = ("id", "question1", "question2")


def _qqp(path: Path) -> Iterator[Parsed]:
    lines = numbered(path)
    number, header = next(lines, (1, ""))
    names = tuple(header.split("\t"))
    if names not in (QQP_COLUMNS, QQP_TEST_COLUMNS):
        raise InputError(
            str(path),
            f"line {number}",
            "header",
            f"is {header!r}; a GLUE QQP file starts with {' '.join(QQP_COLUMNS)} "
            f"(test: {' '.join(QQP_TEST_COLUMNS)})",
        )

    def build(number: int, line: str) -> Example:
        cells = line.split("\t")
        if len(cells) != len(names):
            raise FieldError(
                "columns",
                f"has {len(cells)} tab-separated columns, expected {len(names)} ({' '.join(names)})",
            )
        row = dict(zip(names, cells, strict=True))
        labelled = "is_duplicate" in row
        return Example(
            id=row["id"],
            task="qqp",
            kind="pair",
            text_a=row["question1"],
            text_b=row["question2"],
            label=label_index(row["is_duplicate"], {"0": 0, "1": 1}, "is_duplicate") if labelled else -1,
            meta={"qid1": row["qid1"], "qid2": row["qid2"]} if labelled else {},
        )

    yield from per_line(path, build, lines)


def _write_qqp(examples: Sequence[Example], path: Path) -> None:
    if examples and all(ex.label < 0 for ex in examples):
        rows = (
            (ex.id, cell(ex, "text_a", ex.text_a, path), cell(ex, "text_b", ex.text_b, path))
            for ex in examples
        )
        write_lines(path, ["\t".join(QQP_TEST_COLUMNS), *("\t".join(row) for row in rows)])
        return
    full = (
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
    write_lines(path, ["\t".join(QQP_COLUMNS), *("\t".join(row) for row in full)])


def _glue_header(path: Path) -> bool:
    return "sentence1" in first_line(path).split("\t")


def _jsonl_layout(spec: JsonlPair, task: str, naming: str) -> Layout:
    return Layout(RAW, naming, partial(_jsonl_pair, spec, task), partial(_write_jsonl_pair, spec))


FORMATS = (
    TaskFormat(
        "mnli",
        "pair",
        "jsonl|tsv",
        NLI,
        "MultiNLI: 3-way NLI, JSON lines (sentence1/sentence2/gold_label) or GLUE's MNLI TSV",
        (".jsonl", ".tsv"),
        (
            _jsonl_layout(_SNLI_STYLE, "mnli", "multinli_1.0_<split>.jsonl (MultiNLI JSON lines)"),
            Layout(
                RAW,
                "GLUE MNLI <split>.tsv (header: index promptID pairID genre ... sentence1 sentence2 ...)",
                _glue_mnli,
                _write_glue_mnli,
                r"\.tsv$",
                _glue_header,
            ),
        ),
        label_gold("mnli"),
    ),
    TaskFormat(
        "snli",
        "pair",
        "jsonl",
        NLI,
        "SNLI: 3-way NLI, JSON lines; gold_label '-' reads as label -1",
        (".jsonl",),
        (_jsonl_layout(_SNLI_STYLE, "snli", "snli_1.0_<split>.jsonl (JSON lines)"),),
        label_gold("snli"),
    ),
    TaskFormat(
        "anli",
        "pair",
        "jsonl",
        NLI,
        "Adversarial NLI: JSON lines context (or premise)/hypothesis, labels e/n/c; ANLI+ mixes in "
        "MNLI/SNLI lines",
        (".jsonl",),
        (
            Layout(
                RAW,
                "anli_v<version>/R<round>/{train,dev,test}.jsonl, or an ANLI+ mix",
                _anli_plus,
                _write_anli_plus,
            ),
        ),
        label_gold("anli"),
    ),
    TaskFormat(
        "qqp",
        "pair",
        "tsv",
        ("not_duplicate", "duplicate"),
        "Quora Question Pairs: GLUE TSV, header id qid1 qid2 question1 question2 is_duplicate",
        (".tsv",),
        (Layout(RAW, "GLUE QQP {train,dev,test}.tsv (header)", _qqp, _write_qqp),),
        label_gold("qqp"),
    ),
)
