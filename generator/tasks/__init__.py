"""English and XTREME task files read into canonical `Example`s and written back, one format per name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.errors import ConfigError
from generator.example import Example
from generator.tasks import (
    ccg,
    choice,
    copa_siqa,
    lareqa,
    mewslix,
    pair,
    pair_xtreme,
    qa,
    retrieval,
    tagging,
)
from generator.tasks.base import LAYOUTS, ReadResult, TaskFormat

_MODULES = (qa, pair, pair_xtreme, choice, copa_siqa, ccg, tagging, retrieval, lareqa, mewslix)
FORMATS: dict[str, TaskFormat] = {fmt.name: fmt for module in _MODULES for fmt in module.FORMATS}


def get_format(name: str) -> TaskFormat:
    """The format registered under `name`."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown task format {name!r}; known formats: {', '.join(FORMATS)}") from None


def read_examples(
    name: str, path: str | Path, skip_invalid: bool = False, *, layout: str | None = None
) -> ReadResult:
    """Read a task file of format `name` in `layout` (default: detected); see `TaskFormat.read`."""
    return get_format(name).read(path, skip_invalid=skip_invalid, layout=layout)


def write_examples(
    name: str, examples: Sequence[Example], path: str | Path, *, layout: str | None = None
) -> None:
    """Write examples as a task file of format `name` in `layout` (default: the one the name shows)."""
    get_format(name).write(examples, path, layout=layout)


__all__ = ["FORMATS", "LAYOUTS", "ReadResult", "TaskFormat", "get_format", "read_examples", "write_examples"]
