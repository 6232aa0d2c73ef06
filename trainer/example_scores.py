"""Per-example scores of a run folder: `<run>/examples/<target>/<lang>.json`, `{example id: percent}`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

EXAMPLES_DIR = "examples"


def write_example_scores(root: Path, task: str, lang: str, scores: Mapping[str, float]) -> Path:
    """Write one task-language file of per-example scores under `root`."""
    path = root / task / f"{lang}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(scores), ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_example_scores(run_dir: Path, task: str, lang: str) -> dict[str, float] | None:
    """A run's per-example scores of one task and language; None when the run wrote none."""
    path = run_dir / EXAMPLES_DIR / task / f"{lang}.json"
    if not path.is_file():
        return None
    return {str(k): float(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
