"""Reading a phase's task data: files in their layout or Hugging Face splits, QA answers realigned,
mixed-language sources narrowed to the language asked for, and what was read logged for the report.

Each read is recorded in a `DataLog` as a `DataRead`: the role (train or eval) and language, the
source (file path or `hf:` split), the split and layout it was read as, how many examples it gave,
the languages dropped from a mixed source, the examples skipped at its start, and, for Hugging Face QA rows, the realignment counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.example import Example
from generator.tasks.realign import Realigner
from generator.tasks.splits import split_of
from trainer.config.sources import DataSource
from trainer.hf.spec import HfSpec


@dataclass(slots=True)
class DataRead:
    """What one read of a task file or dataset split gave."""

    task: str
    role: str
    lang: str
    source: str
    split: str
    layout: str
    examples: int
    other_languages: int = 0
    skipped: int = 0
    realigned: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DataLog:
    """Every read of one run, for `data.json` and the report's data section."""

    reads: list[DataRead] = field(default_factory=list)

    def to_list(self) -> list[dict[str, Any]]:
        return [read.to_dict() for read in self.reads]

    def summary(self) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
        """Per task and role (intermediate, train, eval), per language: what was read (the first read
        of a task, role and language counts)."""
        out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        for read in self.reads:
            entry = {k: v for k, v in read.to_dict().items() if k not in ("task", "role", "lang")}
            out.setdefault(read.task, {}).setdefault(read.role, {}).setdefault(read.lang, entry)
        return out


def read_task_data(
    task: str,
    source: DataSource,
    limit: int | None = None,
    *,
    skip: int = 0,
    train: bool = True,
    lang: str | None = None,
    layout: str | None = None,
    log: DataLog | None = None,
    role: str = "train",
    name: str | None = None,
) -> list[Example]:
    """Examples of a task file or Hugging Face dataset split (in `layout`, default: detected); a file
    or split without gold labels raises ConfigError saying where the gold is.

    With `lang`, a source mixing languages (XNLI-1.0's xnli.test.tsv, TyDiQA's train file, the
    google/xtreme tydiqa split) keeps the examples of `lang` only. Training drops unlabelled
    pair/choice records (MNLI's "-"). `skip` leaves out the first examples (before `limit` counts).
    """
    realigner = Realigner()
    if isinstance(source, HfSpec):
        from trainer.hf.loading import load_hf_examples
        from trainer.hf.registry import hides_gold, is_mixed

        if hides_gold(source):
            raise ConfigError(
                f"{source.describe()} is published without gold labels; use its validation split"
            )
        if lang is not None and source.lang is None and is_mixed(source):
            source = source.model_copy(update={"lang": lang})
        examples = load_hf_examples(source, realigner=realigner)
        described, split, read_layout = source.describe(), source.split, "hf"
    else:
        from generator.tasks import read_examples

        result = read_examples(task, source, layout=layout)
        if result.no_gold:
            raise ConfigError(f"{result.no_gold}; nothing is trained or scored on a file without gold")
        examples, described, read_layout = result.examples, str(source), result.layout
        split = split_of(Path(source), task)
    other = 0
    if lang is not None and len({e.lang for e in examples}) > 1:
        kept = [e for e in examples if e.lang == lang]
        if not kept:
            raise ConfigError(
                f"{described}: holds no {lang} examples; point the {lang} entry at a {lang} file"
            )
        other, examples = len(examples) - len(kept), kept
    if train:
        examples = [e for e in examples if e.kind in ("qa", "tagging") or e.label >= 0]
    examples = examples[skip:]
    examples = examples[:limit] if limit else examples
    if log is not None:
        realigned = _total(realigner)
        log.reads.append(
            DataRead(
                name or task,
                role,
                lang or "en",
                described,
                split,
                read_layout,
                len(examples),
                other,
                skip,
                realigned if realigned.get("answers") else {},
            )
        )
    return examples


def _total(realigner: Realigner) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in realigner.counts.values():
        for key, value in counts.as_dict().items():
            total[key] = total.get(key, 0) + value
    return total


def read_task_file(
    task: str, source: DataSource, limit: int | None = None, *, train: bool = True
) -> list[Example]:
    """Examples of a task file or Hugging Face dataset split, nothing logged; see `read_task_data`."""
    return read_task_data(task, source, limit, train=train)
