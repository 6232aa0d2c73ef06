"""Capture the JSON log lines a logger emits, formatted in the emitting context like the service's handler."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from service.logs import JsonFormatter


class JsonLines(logging.Handler):
    """Formats each record as it is emitted (inside its context), as the service's handler does."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@contextmanager
def json_lines(name: str) -> Iterator[list[dict[str, Any]]]:
    """The JSON lines logger `name` emits inside the block."""
    logger, handler = logging.getLogger(name), JsonLines()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
