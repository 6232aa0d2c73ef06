"""The error types the generator raises; each message says what to fix."""

from __future__ import annotations


class XstiltsError(Exception):
    """Base class for every error xstilts raises on purpose."""


class InputError(XstiltsError):
    """A task file that does not parse; names file, record/line and field."""

    def __init__(self, path: str, where: str, field: str, problem: str) -> None:
        self.path, self.where, self.field, self.problem = path, where, field, problem
        super().__init__(f"{path}: {where}: field '{field}': {problem}")


class ConfigError(XstiltsError):
    """A request or configuration that cannot be carried out (unknown language, missing model...)."""


class ShardError(XstiltsError):
    """A shard or manifest that is missing, corrupted, truncated or of another schema version."""


class MissingDependencyError(XstiltsError):
    """An optional package or system tool is needed; the message says how to install it."""


class Cancelled(XstiltsError):
    """`should_stop` asked the run to stop; finished shards are kept and a rerun resumes."""


class TransientError(XstiltsError):
    """A backend failure that may pass (a timeout, a dropped connection); retried with backoff."""


class BackendError(XstiltsError):
    """A backend failure that retrying does not fix (its program exits with an error, bad output)."""
