"""The files of a run folder: `run.json` (condition, seed, pretrained model), `data.json` (every
file or split read: role, language, split, layout, examples, realignment counts), per phase
`done.json` (a finished phase) and resumable `checkpoint-<optimiser step>` folders, and per target
`selection.json` (its model selection points)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DONE = "done.json"
RUN_FILE = "run.json"
DATA_FILE = "data.json"
CHECKPOINT_PREFIX = "checkpoint-"
_POSITION = "position.json"
SELECTION_FILE = "selection.json"


def save_checkpoint(accelerator: Any, directory: Path, micro_step: int, losses: list[float]) -> None:
    """Model, optimiser, scheduler and RNG states, and the position in the phase's batch schedule."""
    accelerator.save_state(str(directory))
    if accelerator.is_main_process:
        position = {"micro_step": micro_step, "losses": losses}
        (directory / _POSITION).write_text(json.dumps(position), encoding="utf-8")


def checkpoint_position(checkpoint: Path) -> tuple[int, list[float]]:
    """The micro-step a checkpoint resumes at and the losses logged before it."""
    state = json.loads((checkpoint / _POSITION).read_text())
    return state["micro_step"], state["losses"]


def latest_checkpoint(phase_dir: Path) -> Path | None:
    """The phase's checkpoint with the most optimiser steps, or None when it has none."""
    found = [p for p in phase_dir.glob(f"{CHECKPOINT_PREFIX}*") if (p / _POSITION).is_file()]
    return max(found, key=lambda p: int(p.name.removeprefix(CHECKPOINT_PREFIX)), default=None)


def oracle_from_points(points: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per language of the selection points: its test scores at the point its dev score is best
    (ties: the earlier point)."""
    langs = points[0]["dev"] if points else {}
    return {lang: max(points, key=lambda p: (p["dev"][lang], -p["step"]))["test"][lang] for lang in langs}


def stored_oracle(target_dir: Path) -> dict[str, dict[str, float]]:
    """The oracle scores of a target phase from its `selection.json`; {} without one."""
    state = target_dir / SELECTION_FILE
    if not state.is_file():
        return {}
    return oracle_from_points(json.loads(state.read_text(encoding="utf-8"))["points"])
