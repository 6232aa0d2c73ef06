"""Operations logging: one JSON object per line (or plain text), with the request's or job's ids.

The ids of the request or job being handled live in context variables, so every log line emitted
while handling it carries them; an explicit `extra={...}` on a call takes precedence.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.config
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
key_id_var: ContextVar[str | None] = ContextVar("key_id", default=None)
job_id_var: ContextVar[str | None] = ContextVar("job_id", default=None)

# Fields a line carries when known, in this order; the context variables fill in the ids.
CONTEXT_VARS: dict[str, ContextVar[str | None]] = {
    "request_id": request_id_var,
    "key_id": key_id_var,
    "job_id": job_id_var,
}
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
FIELDS = ("request_id", *REQUEST_FIELDS, "key_id", "job_id")


def context_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The known fields of `record`: its `extra` values, else the ids of the current request or job."""
    fields: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(record, name, None)
        if value is None and name in CONTEXT_VARS:
            value = CONTEXT_VARS[name].get()
        if value is not None:
            fields[name] = value
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (ISO-8601 UTC), level, logger, message and the known ids."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **context_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # ASCII escapes: a lone surrogate from a request cannot break the line or its encoding.
        return json.dumps(line, ensure_ascii=True, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value ...` for reading logs in a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(f"{name}={value}" for name, value in context_fields(record).items())
        if not fields:
            return text
        first, newline, rest = text.partition("\n")
        return f"{first} {fields}{newline}{rest}"


FORMATTERS: dict[LogFormat, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


def log_config(log_format: LogFormat, level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping (also uvicorn's `log_config`): every logger to stderr."""
    formatter = FORMATTERS[log_format]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"ops": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "ops", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # uvicorn's own loggers propagate to the root handler; its access log is replaced by ours.
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure_logging(log_format: LogFormat, level: str = "info") -> None:
    """Send every log line of this process to stderr in `log_format`."""
    logging.config.dictConfig(log_config(log_format, level))


@contextlib.contextmanager
def bound(var: ContextVar[str | None], value: str | None) -> Iterator[None]:
    """Set `var` to `value` for the duration of the block."""
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
