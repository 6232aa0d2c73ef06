"""A Hugging Face dataset split as the config names it, and what a row converter gets besides the row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from generator.tasks.base import need
from generator.tasks.realign import Realigner

Row = Mapping[str, Any]


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
    """What a converter needs besides the row: task format, language, position, class names, and the
    realigner QA answers go through."""

    task: str
    lang: str
    name: str
    index: int
    classes: Mapping[str, Sequence[str]]
    realigner: Realigner = field(default_factory=Realigner)

    def row_id(self, row: Row, key: str | None) -> str:
        return str(need(row, key, (str, int))) if key else f"{self.name}-{self.index}"

    def class_name(self, column: str, value: Any) -> Any:
        """The class name of a ClassLabel value (-1, "no label", stays -1); other values as they are."""
        names = self.classes.get(column)
        if names is None or not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return value
        return names[value]
