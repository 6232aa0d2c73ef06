"""The Ray executor on a local two-CPU Ray: same shards as the local executor, errors, stop, worker plan."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.errors import Cancelled, ConfigError, MissingDependencyError
from generator.executors import create_executor
from generator.pipeline.config import GenerateConfig
from generator.pipeline.runner import run
from generator.ray_executor import RayExecutor, WorkerPlan
from generator.shards import load_manifest

SQUAD_SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tasks" / "squad" / "dev-v1.1.json"
FREEDICT_SPA = Path("/usr/share/dictd/freedict-eng-spa.index")


def test_worker_plan_is_one_actor_per_gpu_else_a_few_cpu_actors() -> None:
    executor = RayExecutor()
    assert executor.plan_workers({"CPU": 32.0, "GPU": 3.0}) == WorkerPlan(3, num_gpus=1, num_cpus=0)
    assert executor.plan_workers({"CPU": 32.0}) == WorkerPlan(4, num_gpus=0, num_cpus=1)
    assert executor.plan_workers({"CPU": 2.0}) == WorkerPlan(2, num_gpus=0, num_cpus=1)
    assert RayExecutor(workers=6).plan_workers({"CPU": 2.0}) == WorkerPlan(6, num_gpus=0, num_cpus=1)
    with pytest.raises(ConfigError, match="at least one worker"):
        RayExecutor(workers=0)


def test_missing_ray_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a)
    )
    with pytest.raises(MissingDependencyError, match=r"pip install 'xstilts\[ray\]'"):
        create_executor("ray")


# --- on a local Ray ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One local Ray with two CPUs for the module; the executor finds it initialised and uses it."""
    ray = pytest.importorskip("ray", reason="needs ray: pip install 'xstilts[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def pid_of(unit: int) -> tuple[int, int]:
    return unit, os.getpid()


@dataclass
class StoppableDouble:
    """A unit function with a driver-side `should_stop` that cannot be pickled (it holds a lock)."""

    should_stop: Callable[[], bool] | None

    def __call__(self, unit: int) -> int:
        return unit * 2


def fails_on_three(unit: int) -> int:
    if unit == 3:
        raise ConfigError("unit three is bad, fix it")
    return unit


@pytest.mark.slow
def test_units_spread_over_two_actors_and_every_result_comes_back(local_ray: None) -> None:
    results = list(RayExecutor().map_units(pid_of, list(range(8))))
    assert sorted(unit for unit, _ in results) == list(range(8))
    pids = {pid for _, pid in results}
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.slow
def test_unit_errors_arrive_as_raised(local_ray: None) -> None:
    with pytest.raises(ConfigError, match="unit three is bad"):
        list(RayExecutor().map_units(fails_on_three, [1, 2, 3, 4]))


@pytest.mark.slow
def test_should_stop_stays_in_the_driver(local_ray: None) -> None:
    lock = threading.Lock()
    assert list(RayExecutor().map_units(StoppableDouble(lambda: lock.locked()), [1, 2])) in ([2, 4], [4, 2])
    with lock, pytest.raises(Cancelled, match="finished shards are kept"):
        list(RayExecutor().map_units(StoppableDouble(lambda: lock.locked()), [1, 2, 3]))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("apertium") is None, reason="needs apertium + apertium-eng-spa")
@pytest.mark.skipif(not FREEDICT_SPA.exists(), reason="needs dict-freedict-eng-spa")
def test_generate_on_ray_writes_the_local_executor_shards(local_ray: None, tmp_path: Path) -> None:
    """`xstilts generate --executor ray` and an in-process run of the same settings agree byte for byte."""
    from generator.cli import app

    local = run(
        GenerateConfig.build(
            task="squad",
            input=SQUAD_SAMPLE,
            langs=["es"],
            methods=["translate", "codeswitch"],
            out=tmp_path / "local",
            rows_per_shard=2,
            batch_size=2,
        )
    )
    args = ["generate", "--task", "squad", "--input", str(SQUAD_SAMPLE), "--langs", "es"]
    args += ["--method", "translate,codeswitch", "--rows-per-shard", "2", "--batch-size", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "ray"), "--executor", "ray"])
    assert result.exit_code == 0, result.output
    distributed = load_manifest(tmp_path / "ray")
    assert distributed.complete and distributed.config["executor"] == "ray"
    assert len(local.shards) == 6  # 5 questions in shards of 2, translated and code-switched
    described = [(s.path, s.rows, s.input_rows, s.sha256, s.drops) for s in distributed.shards]
    assert described == [(s.path, s.rows, s.input_rows, s.sha256, s.drops) for s in local.shards]
    for shard in local.shards:
        assert (tmp_path / "ray" / shard.path).read_bytes() == (tmp_path / "local" / shard.path).read_bytes()
    assert distributed.backend == local.backend
    assert sum(s.rows for s in distributed.shards if s.method == "translate") > 0
