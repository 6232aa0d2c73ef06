"""English and XTREME task files read into canonical `Example`s and written back, one format per name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.errors import ConfigError
from generator.example import Example
from generator.tasks import choice, pair, qa, retrieval, tagging
from generator.tasks.base import ReadResult, TaskFormat

FORMATS: dict[str, TaskFormat] = {
    fmt.name: fmt for module in (qa, pair, choice, tagging, retrieval) for fmt in module.FORMATS
}


def get_format(name: str) -> TaskFormat:
    """The format registered under `name`."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown task format {name!r}; known formats: {', '.join(FORMATS)}") from None


def read_examples(name: str, path: str | Path, skip_invalid: bool = False) -> ReadResult:
    """Read a task file of format `name`; see `TaskFormat.read`."""
    return get_format(name).read(path, skip_invalid=skip_invalid)


def write_examples(name: str, examples: Sequence[Example], path: str | Path) -> None:
    """Write examples as a task file of format `name`."""
    get_format(name).write(examples, path)


__all__ = ["FORMATS", "ReadResult", "TaskFormat", "get_format", "read_examples", "write_examples"]
