"""Where pipeline units run: the `Executor` protocol and the in-process executor.

An executor maps a unit function over units and yields each unit's result as it finishes; the
pipeline writes shards from those results in the calling process, so an executor never touches
the shard directory. Results may arrive in any order: each carries its unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

from generator.errors import ConfigError

U = TypeVar("U")
R = TypeVar("R")


class Executor(Protocol):
    """Runs `fn` on every unit and yields the results (in any order; results name their unit)."""

    name: str

    def map_units(self, fn: Callable[[U], R], units: Sequence[U]) -> Iterator[R]: ...


class LocalExecutor:
    """Runs units one after another in this process, in order; the default.

    A unit function with a `stream(units)` method (the pipeline's `UnitTask`) gets all units at
    once, so its batches flow through the backend without a pause at unit boundaries.
    """

    name = "local"

    def map_units(self, fn: Callable[[U], R], units: Sequence[U]) -> Iterator[R]:
        stream = getattr(fn, "stream", None)
        if callable(stream):
            yield from stream(units)
            return
        for unit in units:
            yield fn(unit)


ExecutorFactory = Callable[[str | None], Executor]


def _ray_executor(address: str | None) -> Executor:
    from generator.ray_executor import RayExecutor

    return RayExecutor(address)


EXECUTORS: dict[str, ExecutorFactory] = {"local": lambda address: LocalExecutor(), "ray": _ray_executor}


def create_executor(name: str, address: str | None = None) -> Executor:
    """An executor by name (`address` is the cluster address for distributed ones)."""
    factory = EXECUTORS.get(name)
    if factory is None:
        raise ConfigError(f"unknown executor '{name}'; this installation offers: {', '.join(EXECUTORS)}")
    return factory(address)
