"""The GPU check's reduced CPU mode runs every part end to end, so the GPU mode cannot rot."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_gpu_check_cpu_mode_runs_every_part(tmp_path: Path) -> None:
    command = [sys.executable, str(ROOT / "bench" / "gpu_check.py"), "--cpu", "--out", str(tmp_path)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads((tmp_path / "results-gpu-cpu-mode.json").read_text())
    parts = report["parts"]
    assert list(parts) == ["train", "generate", "ct2", "vllm"]
    train = parts["train"]
    assert train["status"] == "ok" and train["steps_per_s"] > 0
    assert train["losses"] and all(math.isfinite(x) for x in train["losses"])
    generate = parts["generate"]
    assert generate["status"] == "ok" and [r["batch"] for r in generate["runs"]] == [2, 8]
    assert all(r["tokens_per_s"] > 0 for r in generate["runs"])
    ct2 = parts["ct2"]
    assert ct2["status"] == "ok", ct2
    assert {r["compute_type"] for r in ct2["runs"] if r["status"] == "ok"} == {"int8", "float32"}
    assert parts["vllm"]["status"] == "skipped" and parts["vllm"]["reason"]
    for name in ("train", "generate", "ct2"):
        assert parts[name]["imported"] == [], f"{name} imported {parts[name]['imported']}"
    text = (tmp_path / "results-gpu-cpu-mode.md").read_text()
    assert "## train: ok" in text and "| int8 | 8 | ok |" in text and "## vllm: skipped" in text
