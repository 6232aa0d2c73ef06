"""The supported dataset ids and config families: the task format, row schema and language of each."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.errors import ConfigError
from generator.tasks.qa import TYDIQA_LANGUAGES
from generator.tasks.retrieval import TATOEBA_LANGS
from trainer.hf.choice import ChoiceRows, KeyedChoiceRows
from trainer.hf.pair import PairRows
from trainer.hf.qa import SquadRows
from trainer.hf.retrieval import RetrievalRows
from trainer.hf.spec import HfSpec, Row
from trainer.hf.tagging import TaggingRows

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


def _tydiqa_lang(_match: re.Match[str] | None, row: Row) -> str:
    prefix = str(row.get("id", "")).split("-", 1)[0]
    return TYDIQA_LANGUAGES.get(prefix, "en")


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
    hidden: str | None = None  # full-match pattern of the splits published without gold labels

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
    HfSource(
        ("nyu-mll/glue", "glue"), "mnli", "mnli", "mnli", PairRows("premise", "hypothesis", id_key="idx"),
        hidden=r"test.*",
    ),
    HfSource(
        ("nyu-mll/glue", "glue"), "qqp", "qqp", "qqp", PairRows("question1", "question2", id_key="idx"),
        hidden="test",
    ),
    HfSource(("facebook/anli", "anli"), None, "", "anli", PairRows("premise", "hypothesis", id_key="uid")),
    HfSource(("Rowan/hellaswag", "hellaswag"), None, "", "hellaswag", ChoiceRows("ctx", "endings"), hidden="test"),
    HfSource(
        ("tau/commonsense_qa", "commonsense_qa"), None, "", "commonsenseqa", KeyedChoiceRows(), hidden="test"
    ),
    HfSource(
        ("allenai/cosmos_qa", "cosmos_qa"), None, "", "cosmosqa",
        ChoiceRows("context", tuple(f"answer{i}" for i in range(4)), "question", id_key="id"), hidden="test",
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


def hides_gold(spec: HfSpec) -> bool:
    """Whether `spec`'s split is published without gold labels (GLUE, HellaSwag, ... test splits)."""
    hidden = resolve(spec).hidden
    return hidden is not None and re.fullmatch(hidden, spec.split) is not None
