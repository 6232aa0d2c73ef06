"""One process of the data-parallel checks: evaluate a fixed run folder, then train a multi-task
intermediate phase, recording the features of every micro-batch this process trains on.

`test_distributed.py` runs `run()` in its own process (one process) and launches this file with
`torch.distributed.run --nproc_per_node 2` (two gloo processes); each writes `rank<N>.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def run(config_file: Path, run_dir: Path, out: Path) -> None:
    import trainer.distributed as distributed_module
    import trainer.train as train_module
    from trainer.config.loading import parse_experiment
    from trainer.distributed import process_state
    from trainer.evaluate import evaluate_checkpoint

    experiment = parse_experiment(json.loads(config_file.read_text(encoding="utf-8")), config_file.parent)
    scores = evaluate_checkpoint(run_dir, experiment)
    calls: list[Any] = []
    original = distributed_module.rank_micro_batches

    def recording(step: Any, rank: int, world: int, device_batch: int | None) -> list[tuple[int, ...]]:
        batches = original(step, rank, world, device_batch)
        calls.append([step.task, [list(b) for b in batches]])
        return batches

    distributed_module.rank_micro_batches = recording  # type: ignore[assignment]
    try:
        recipe = train_module.StiltsRecipe(experiment, condition="english", out_dir=out / "train", quiet=True)
        result = recipe.intermediate_phase()
    finally:
        distributed_module.rank_micro_batches = original
    state = process_state()
    record = {"world": state.num_processes, "scores": scores, "calls": calls, "losses": result.losses}
    (out / f"rank{state.process_index}.json").write_text(json.dumps(record), encoding="utf-8")


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
