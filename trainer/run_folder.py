"""The files of a run folder: `run.json` (condition, seed, pretrained model), `data.json` (every
file or split read: role, language, split, layout, examples, realignment counts), and per phase
`done.json` (a finished phase) and resumable `checkpoint-<optimiser step>` folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DONE = "done.json"
RUN_FILE = "run.json"
DATA_FILE = "data.json"
CHECKPOINT_PREFIX = "checkpoint-"
_POSITION = "position.json"


def save_checkpoint(accelerator: Any, directory: Path, step: int, losses: list[float]) -> None:
    """Model, optimiser, scheduler and RNG states, and the position (optimiser steps done) in the
    phase's batch schedule."""
    accelerator.save_state(str(directory))
    if accelerator.is_main_process:
        position = {"step": step, "losses": losses}
        (directory / _POSITION).write_text(json.dumps(position), encoding="utf-8")


def checkpoint_position(checkpoint: Path) -> tuple[int, list[float]]:
    """The optimiser step a checkpoint resumes at and the losses logged before it."""
    state = json.loads((checkpoint / _POSITION).read_text())
    return state["step"], state["losses"]


def latest_checkpoint(phase_dir: Path) -> Path | None:
    """The phase's checkpoint with the most optimiser steps, or None when it has none."""
    found = [p for p in phase_dir.glob(f"{CHECKPOINT_PREFIX}*") if (p / _POSITION).is_file()]
    return max(found, key=lambda p: int(p.name.removeprefix(CHECKPOINT_PREFIX)), default=None)
