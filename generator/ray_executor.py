"""The Ray executor: units fanned out to one actor per GPU (or CPU actors), locally or on a cluster.

The driver ships the unit function once to the object store; each actor keeps it, so the pipeline
resources it loads (translator, translation memory, filters, lexicons) are built once per actor
process and reused for every unit it gets. Results come back with `ray.wait` as units finish and
the caller writes the shards, so actors never touch the shard directory.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from generator.errors import Cancelled, ConfigError, MissingDependencyError, XstiltsError

U = TypeVar("U")
R = TypeVar("R")

INSTALL = "the ray executor needs Ray: pip install 'xstilts[ray]'"
# How often the driver checks `should_stop` while every actor is busy, in seconds.
POLL_S = 1.0


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingDependencyError(INSTALL) from exc
    return ray


class UnitWorker:
    """The actor: holds the unit function and applies it to the units it is sent."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self._fn = fn

    def run(self, unit: Any) -> Any:
        return self._fn(unit)


@dataclasses.dataclass(frozen=True, slots=True)
class WorkerPlan:
    """How many actors to start and the resources each one asks for."""

    count: int
    num_gpus: int
    num_cpus: int


def _detach_stop(fn: Callable[[U], R]) -> tuple[Callable[[], bool] | None, Callable[[U], R]]:
    """Split a `should_stop` callback off a dataclass unit function: it reads driver state, so it stays here."""
    stop = getattr(fn, "should_stop", None)
    if stop is None or not dataclasses.is_dataclass(fn) or isinstance(fn, type):
        return None, fn
    detached: Callable[[U], R] = dataclasses.replace(fn, should_stop=None)
    return stop, detached


class RayExecutor:
    """Runs units on Ray actors: one per GPU when the cluster has GPUs, else `workers` one-CPU actors.

    `address` connects to a running cluster ("auto", "host:6379" or "ray://host:10001"); without it
    a local Ray instance is started (no dashboard, `local_cpus` CPUs, worker logs kept out of the
    terminal). A Ray already initialised in this process is used as it is and left running.
    """

    name = "ray"

    def __init__(
        self, address: str | None = None, *, workers: int | None = None, local_cpus: int | None = None
    ) -> None:
        if importlib.util.find_spec("ray") is None:
            raise MissingDependencyError(INSTALL)
        if workers is not None and workers < 1:
            raise ConfigError(f"the ray executor needs at least one worker, got {workers}")
        self.address = address
        self.workers = workers
        self.local_cpus = local_cpus or min(4, os.cpu_count() or 1)

    def _connect(self, ray: Any) -> None:
        if ray.is_initialized():
            return
        if self.address:
            try:
                ray.init(address=self.address, log_to_driver=False)
            except ConnectionError as exc:
                raise ConfigError(
                    f"cannot connect to the Ray cluster at {self.address} ({exc}); check that it runs "
                    "(`ray status` on the head), the address (host:6379 or ray://host:10001) and, with "
                    "token authentication, RAY_AUTH_TOKEN"
                ) from exc
        else:
            ray.init(num_cpus=self.local_cpus, include_dashboard=False, log_to_driver=False)

    def plan_workers(self, available: dict[str, float]) -> WorkerPlan:
        """Actors for the resources `available`: one per GPU, else min(4, CPUs) (or `workers`) on CPU."""
        gpus = int(available.get("GPU", 0))
        if gpus > 0:
            return WorkerPlan(self.workers or gpus, num_gpus=1, num_cpus=0)
        cpus = int(available.get("CPU", 0))
        return WorkerPlan(self.workers or max(1, min(4, cpus)), num_gpus=0, num_cpus=1)

    def map_units(self, fn: Callable[[U], R], units: Sequence[U]) -> Iterator[R]:
        """Yield `fn(unit)` for every unit, in the order units finish; stops every actor when done."""
        if not units:
            return
        ray = _import_ray()
        self._connect(ray)
        plan = self.plan_workers(ray.available_resources())
        should_stop, shipped = _detach_stop(fn)
        fn_ref = ray.put(shipped)
        actor_cls = ray.remote(UnitWorker).options(num_gpus=plan.num_gpus, num_cpus=plan.num_cpus)
        actors = [actor_cls.remote(fn_ref) for _ in range(min(plan.count, len(units)))]
        todo = iter(units)
        pending: dict[Any, tuple[Any, U]] = {}

        def submit(actor: Any) -> None:
            unit = next(todo, None)
            if unit is not None:
                pending[actor.run.remote(unit)] = (actor, unit)

        try:
            for actor in actors:
                submit(actor)
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_S)
                if should_stop is not None and should_stop():
                    raise Cancelled(
                        f"stopped with {len(pending)} unit(s) running on Ray; finished shards are kept"
                    )
                for ref in ready:
                    actor, unit = pending.pop(ref)
                    result: R = _result(ray, ref, unit)
                    submit(actor)
                    yield result
        finally:
            for actor in actors:
                ray.kill(actor)


def _result(ray: Any, ref: Any, unit: object) -> Any:
    """The value of a finished unit; a unit's own error is raised as it is, a lost actor says to resume."""
    from ray.exceptions import RayActorError, RayTaskError

    try:
        return ray.get(ref)
    except RayTaskError as exc:
        if isinstance(exc.cause, XstiltsError):
            raise exc.cause from None
        raise XstiltsError(f"{unit} failed on a Ray worker: {exc.cause!r}") from exc
    except RayActorError as exc:
        raise XstiltsError(
            f"the Ray worker running {unit} died ({exc}); finished shards are kept, run again to resume"
        ) from exc
