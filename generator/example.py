"""The canonical example every task format reads into and writes back from."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Kind = Literal["qa", "pair", "choice", "tagging", "retrieval"]


@dataclass(slots=True)
class Answer:
    """An answer span: `text` occurs in the context at character offset `start`."""

    text: str
    start: int


@dataclass(slots=True)
class Switch:
    """One code-switched token: `source` was replaced by `target` from language `lang`."""

    source: str
    target: str
    lang: str


@dataclass(slots=True)
class Example:
    """One training/eval example of any task kind.

    Fields unused by a kind stay empty. By kind:
    qa: title, context, question, answers (empty + is_impossible for SQuAD v2 no-answer);
    pair: text_a, text_b, label (index into the task's label set);
    choice: context (premise / ctx), question (optional), choices, label (index of the right choice);
    tagging: tokens, tags (one per token);
    retrieval: text_a (query / source sentence), text_b (target / gold candidate).
    `meta` keeps format-specific fields a writer needs to round-trip the original file.
    Provenance (`method`, `projection`, `confidence`, `switched`) is set by the generator.
    """

    id: str
    task: str
    kind: Kind
    lang: str = "en"
    title: str = ""
    context: str = ""
    question: str = ""
    answers: list[Answer] = field(default_factory=list)
    is_impossible: bool = False
    text_a: str = ""
    text_b: str = ""
    choices: list[str] = field(default_factory=list)
    label: int = -1
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    method: str = "original"
    projection: str = ""
    confidence: float = 1.0
    switched: list[Switch] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain data (answers and switches as dicts, lists and meta copied)."""
        row = {name: getattr(self, name) for name in _FIELD_NAMES}
        row["answers"] = [{"text": a.text, "start": a.start} for a in self.answers]
        row["switched"] = [{"source": s.source, "target": s.target, "lang": s.lang} for s in self.switched]
        for key in ("choices", "tokens", "tags"):
            row[key] = list(row[key])
        row["meta"] = dict(self.meta)
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Example:
        data = dict(row)
        data["answers"] = [Answer(**a) for a in data.get("answers") or []]
        data["switched"] = [Switch(**s) for s in data.get("switched") or []]
        meta = data.get("meta") or {}
        # Parquet map columns come back as a list of (key, value) pairs.
        data["meta"] = dict(meta) if not isinstance(meta, dict) else meta
        for key in ("choices", "tokens", "tags"):
            data[key] = list(data.get(key) or [])
        return cls(**data)


_FIELD_NAMES = tuple(f.name for f in fields(Example))
