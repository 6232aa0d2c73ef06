"""Task data from Hugging Face dataset ids: the supported ids, their row schemas, rows to `Example`s.

Each supported id (or config family of an id) names the task format its rows become and the row
schema it publishes; one converter per schema (SQuAD, sentence pair, choice with answer fields,
choice with keyed answers, token tags, sentence retrieval) turns a row into the same `Example` the
generator's file reader makes of the original file. Class labels are read by name from the
dataset's `features`, so a ClassLabel column and a column of label strings both work.
`datasets` is imported only when data is loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from generator.errors import ConfigError, InputError, MissingDependencyError
from generator.example import Example
from generator.tasks.base import FieldError, choice_label, extra_meta, need, need_strings
from generator.tasks.qa import answers_at
from generator.tasks.retrieval import TATOEBA_LANGS

Row = Mapping[str, Any]
_TRUE = {"1", "ON", "YES", "TRUE"}


class HfSpec(BaseModel):
    """A Hugging Face dataset split: `datasets.load_dataset(id, config, split=split, revision=revision)`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    config: str | None = None
    split: str
    revision: str | None = None
    lang: str | None = Field(default=None, description="keep only rows of this language")

    def describe(self) -> str:
        config = f" {self.config}" if self.config else ""
        return f"hf:{self.id}{config} [{self.split}]"


@dataclass(frozen=True, slots=True)
class RowContext:
    """What a converter needs besides the row: task format, language, position, class names."""

    task: str
    lang: str
    name: str
    index: int
    classes: Mapping[str, Sequence[str]]

    def row_id(self, row: Row, key: str | None) -> str:
        return str(need(row, key, (str, int))) if key else f"{self.name}-{self.index}"

    def class_name(self, column: str, value: Any) -> Any:
        """The class name of a ClassLabel value (-1, "no label", stays -1); other values as they are."""
        names = self.classes.get(column)
        if names is None or not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return value
        return names[value]


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
class SquadRows:
    """id, title, context, question, answers{text[], answer_start[]}; v2: empty answers = no answer."""

    v2: bool = False

    def convert(self, row: Row, ctx: RowContext) -> Example:
        context = need(row, "context")
        raw = need(row, "answers", dict)
        texts, starts = raw.get("text", []), raw.get("answer_start", [])
        if len(texts) != len(starts):
            raise FieldError("answers", f"has {len(texts)} texts and {len(starts)} answer_start values")
        pairs = [{"text": t, "answer_start": s} for t, s in zip(texts, starts, strict=True)]
        answers = answers_at(pairs, context, "answers")
        if not answers and not self.v2:
            raise FieldError("answers", "is empty; an answerable question needs at least one answer")
        known = ("id", "title", "context", "question", "answers")
        return Example(
            id=ctx.row_id(row, "id"),
            task=ctx.task,
            kind="qa",
            lang=ctx.lang,
            title=need(row, "title"),
            context=context,
            question=need(row, "question"),
            answers=answers,
            is_impossible=self.v2 and not answers,
            meta=extra_meta(row, known),
        )


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


Schema = SquadRows | PairRows | ChoiceRows | KeyedChoiceRows | TaggingRows | RetrievalRows
LangOf = Callable[[re.Match[str] | None, Row], str]


def _english(_match: re.Match[str] | None, _row: Row) -> str:
    return "en"


def _from_config(match: re.Match[str] | None, _row: Row) -> str:
    return match.group(1) if match else "en"


def _from_column(column: str) -> LangOf:
    return lambda _match, row: str(row.get(column, "en"))


def _udpos_lang(match: re.Match[str] | None, _row: Row) -> str:
    from generator.languages import LANGUAGES

    name = match.group(1) if match else "English"
    return next((lang.code for lang in LANGUAGES.values() if lang.name == name), name.lower())


def _tatoeba_lang(match: re.Match[str] | None, _row: Row) -> str:
    code = match.group(1) if match else "eng"
    return TATOEBA_LANGS.get(code, code)


_TYDIQA = {
    "arabic": "ar",
    "bengali": "bn",
    "english": "en",
    "finnish": "fi",
    "indonesian": "id",
    "korean": "ko",
    "russian": "ru",
    "swahili": "sw",
    "telugu": "te",
}


def _tydiqa_lang(_match: re.Match[str] | None, row: Row) -> str:
    prefix = str(row.get("id", "")).split("-", 1)[0]
    return _TYDIQA.get(prefix, "en")


@dataclass(frozen=True)
class HfSource:
    """One supported dataset id (aliases included) or one config family of it."""

    ids: tuple[str, ...]
    config: str | None  # full-match pattern of the config names; None: the dataset has no configs
    shown: str  # the config as the docs and errors show it
    format: str
    schema: Schema
    lang: LangOf = _english
    mixed: bool = False  # one split holds several languages

    def config_match(self, config: str | None) -> re.Match[str] | None:
        return re.fullmatch(self.config, config) if self.config and config else None


_XTREME = ("google/xtreme", "xtreme")
_SQUAD = SquadRows()

SOURCES: tuple[HfSource, ...] = (
    HfSource(
        _XTREME, "XNLI", "XNLI", "xnli", PairRows("sentence1", "sentence2", "gold_label", lang_key="language"),
        _from_column("language"), mixed=True,
    ),
    HfSource(_XTREME, r"PAWS-X\.(\w+)", "PAWS-X.<lang>", "pawsx", PairRows("sentence1", "sentence2"), _from_config),
    HfSource(_XTREME, r"udpos\.(\w+)", "udpos.<Language>", "udpos", TaggingRows("pos_tags"), _udpos_lang),
    HfSource(_XTREME, r"PAN-X\.([\w-]+)", "PAN-X.<lang>", "wikiann", TaggingRows("ner_tags"), _from_config),
    HfSource(_XTREME, r"MLQA\.(\w+)\.\w+", "MLQA.<context>.<question>", "mlqa", _SQUAD, _from_config),
    HfSource(_XTREME, "tydiqa", "tydiqa", "tydiqa", _SQUAD, _tydiqa_lang, mixed=True),
    HfSource(_XTREME, r"XQuAD\.(\w+)", "XQuAD.<lang>", "xquad", _SQUAD, _from_config),
    HfSource(_XTREME, r"tatoeba\.(\w+)", "tatoeba.<xxx>", "tatoeba", RetrievalRows(), _tatoeba_lang),
    HfSource(
        ("cambridgeltl/xcopa", "xcopa"), r"(?:translation-)?(\w+)", "<lang>", "xcopa",
        ChoiceRows("premise", ("choice1", "choice2"), "question"), _from_config,
    ),
    HfSource(("rajpurkar/squad", "squad"), None, "", "squad", _SQUAD),
    HfSource(("rajpurkar/squad_v2", "squad_v2"), None, "", "squad_v2", SquadRows(v2=True)),
    HfSource(("nyu-mll/glue", "glue"), "mnli", "mnli", "mnli", PairRows("premise", "hypothesis", id_key="idx")),
    HfSource(("nyu-mll/glue", "glue"), "qqp", "qqp", "qqp", PairRows("question1", "question2", id_key="idx")),
    HfSource(("facebook/anli", "anli"), None, "", "anli", PairRows("premise", "hypothesis", id_key="uid")),
    HfSource(("Rowan/hellaswag", "hellaswag"), None, "", "hellaswag", ChoiceRows("ctx", "endings")),
    HfSource(("tau/commonsense_qa", "commonsense_qa"), None, "", "commonsenseqa", KeyedChoiceRows()),
    HfSource(
        ("allenai/cosmos_qa", "cosmos_qa"), None, "", "cosmosqa",
        ChoiceRows("context", tuple(f"answer{i}" for i in range(4)), "question", id_key="id"),
    ),
    HfSource(
        ("allenai/social_i_qa", "social_i_qa"), None, "", "siqa",
        ChoiceRows("context", ("answerA", "answerB", "answerC"), "question", base=1),
    ),
)  # fmt: skip


def supported() -> str:
    """The supported ids and configs, one per line, for error messages."""
    lines: dict[str, list[str]] = {}
    for source in SOURCES:
        configs = lines.setdefault(source.ids[0], [])
        if source.shown:
            configs.append(source.shown)
    return "\n".join(f"    {i}" + (f" (config {', '.join(c)})" if c else "") for i, c in lines.items())


def resolve(spec: HfSpec) -> HfSource:
    """The supported source `spec` names; ConfigError listing the supported ids when there is none."""
    candidates = [s for s in SOURCES if spec.id in s.ids]
    if not candidates:
        raise ConfigError(
            f"unknown Hugging Face dataset {spec.id!r}; supported ids:\n{supported()}\n"
            "  for another dataset, download its files and name them with `path:` and a task format"
        )
    for source in candidates:
        if source.config is None and spec.config is None:
            return source
        if source.config_match(spec.config):
            return source
    shown = ", ".join(s.shown for s in candidates if s.shown)
    if spec.config is None:
        raise ConfigError(f"{spec.id} needs a config: one of {shown}")
    if not shown:
        raise ConfigError(f"{spec.id} has no configs; drop `config: {spec.config}`")
    raise ConfigError(f"{spec.id} has no supported config {spec.config!r}; use one of {shown}")


def hf_format(spec: HfSpec) -> str:
    """The task format the rows of `spec` are read as."""
    return resolve(spec).format


def is_mixed(spec: HfSpec) -> bool:
    """Whether one split of `spec` holds several languages (filter with `lang`)."""
    return resolve(spec).mixed


def class_names(features: Mapping[str, Any]) -> dict[str, list[str]]:
    """ClassLabel names per column, for label columns and lists of labels."""
    from datasets import ClassLabel

    out: dict[str, list[str]] = {}
    for column, feature in features.items():
        inner = getattr(feature, "feature", feature)
        if isinstance(inner, ClassLabel):
            out[column] = list(inner.names)
    return out


def examples_from_rows(
    spec: HfSpec, rows: Iterable[Row], classes: Mapping[str, Sequence[str]] | None = None
) -> list[Example]:
    """Examples of the rows of `spec`'s dataset; a bad row raises InputError naming the row and field."""
    source = resolve(spec)
    match = source.config_match(spec.config)
    name = f"{spec.config or spec.id.rsplit('/', 1)[-1]}-{spec.split}"
    examples: list[Example] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, 1):
        ctx = RowContext(source.format, source.lang(match, row), name, index, classes or {})
        if spec.lang is not None and ctx.lang != spec.lang:
            continue
        try:
            example = source.schema.convert(row, ctx)
            if example.id in seen:
                raise FieldError("id", f"{example.id!r} repeats an earlier row's id; ids must be unique")
        except FieldError as err:
            raise InputError(spec.describe(), f"row {index}", err.field, err.problem) from None
        seen.add(example.id)
        examples.append(example)
    return _number_paragraphs(examples) if isinstance(source.schema, SquadRows) else examples


def _number_paragraphs(examples: list[Example]) -> list[Example]:
    """Article and paragraph positions, as the SQuAD file reader keeps them, from runs of title and context."""
    out: list[Example] = []
    article = paragraph = 0
    previous: Example | None = None
    for ex in examples:
        if previous is None or ex.title != previous.title:
            article, paragraph = article + 1, 0
        if previous is None or paragraph == 0 or ex.context != previous.context:
            paragraph += 1
        meta = {"article": str(article), "paragraph": str(paragraph)} | ex.meta
        out.append(replace(ex, meta=meta))
        previous = ex
    return out


def examples_from_dataset(spec: HfSpec, dataset: Any) -> list[Example]:
    """Examples of a loaded `datasets.Dataset` holding `spec`'s split, class names from its features."""
    return examples_from_rows(spec, dataset, class_names(dataset.features))


def _offline() -> bool:
    flags = (os.environ.get("HF_DATASETS_OFFLINE", ""), os.environ.get("HF_HUB_OFFLINE", ""))
    return any(flag.upper() in _TRUE for flag in flags)


def load_hf_examples(spec: HfSpec) -> list[Example]:
    """Load `spec`'s split with `datasets.load_dataset` (hub or local cache) and convert its rows."""
    resolve(spec)
    try:
        import datasets
    except ImportError:
        raise MissingDependencyError(
            "reading `hf:` data needs the datasets package: pip install datasets"
        ) from None
    try:
        dataset = datasets.load_dataset(spec.id, spec.config, split=spec.split, revision=spec.revision)
    except OSError as err:
        if _offline() or datasets.config.HF_HUB_OFFLINE:
            reason = (
                f"HF_DATASETS_OFFLINE is set and the cache ({datasets.config.HF_DATASETS_CACHE}) "
                "does not hold it: load it once where the hub is reachable to fill the cache, or"
            )
        else:
            reason = (
                "the Hugging Face hub is not reachable from here: set HF_DATASETS_OFFLINE=1 with a "
                "cache (HF_DATASETS_CACHE) that holds it, or"
            )
        raise ConfigError(
            f"{spec.describe()}: cannot load ({err}); {reason} download the dataset's files and "
            "name them with `path:` and a task format instead"
        ) from None
    except ValueError as err:
        raise ConfigError(f"{spec.describe()}: {err}; check `split` and `config`") from None
    return examples_from_dataset(spec, dataset)
