"""The install path: the Makefile's stamp follows TORCH, and the install script swaps torch when the
asked build differs from the installed one (a stub interpreter records what pip would be asked)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUB_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../calls.log"
case "$*" in
  *"import torch; print"*) v="${STUB_TORCH_VERSION:-}"; echo "${v%%+*}" ;;
  *"import torch"*) [ -n "${STUB_TORCH_VERSION:-}" ] ;;
esac
"""


def _make_dry_run(venv: Path, torch: str) -> str:
    done = subprocess.run(
        # -o: the sources count as old, so only the stamps decide
        [
            "make",
            "-n",
            "-o",
            "pyproject.toml",
            "-o",
            "scripts/install.sh",
            "setup",
            f"VENV={venv}",
            f"TORCH={torch}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_makefile_install_stamp_depends_on_torch(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert "install.sh python" in _make_dry_run(venv, "torch==2.13.0")  # a new environment installs
    assert (venv / ".torch-requested").read_text().strip() == "torch==2.13.0"
    stamp = venv / ".installed"
    stamp.touch()
    now = time.time()
    os.utime(venv / ".torch-requested", (now - 10, now - 10))
    os.utime(stamp, (now - 5, now - 5))  # installed after the last TORCH change
    assert "install.sh" not in _make_dry_run(venv, "torch==2.13.0")  # same TORCH: nothing to do
    run = _make_dry_run(venv, "torch")
    assert f'TORCH="torch" bash scripts/install.sh python {venv}' in run
    assert (venv / ".torch-requested").read_text().strip() == "torch"


def _install(venv: Path, torch: str, installed: str | None) -> list[str]:
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    python = venv / "bin" / "python"
    python.write_text(STUB_PYTHON)
    python.chmod(0o755)
    log = venv / "calls.log"
    log.write_text("")
    env = {**os.environ, "TORCH": torch, "STUB_TORCH_VERSION": installed or ""}
    subprocess.run(["bash", "scripts/install.sh", "python", str(venv), "dev"], cwd=ROOT, env=env, check=True)
    return [line for line in log.read_text().splitlines() if line.startswith("-m pip")]


def test_install_script_swaps_torch_only_when_the_build_changes(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    pip = _install(venv, "torch==2.13.0", installed="2.13.0+cpu")
    assert not any("torch" in call for call in pip[1:-1]), "a matching pinned build stays"
    assert (venv / ".torch-installed").read_text().strip() == "torch==2.13.0"
    pip = _install(venv, "torch", installed="2.13.0+cpu")
    assert "-m pip uninstall -q -y torch" in pip and "-m pip install -q torch" in pip
    assert (venv / ".torch-installed").read_text().strip() == "torch"
    assert not any("torch" in call for call in _install(venv, "torch", installed="2.13.0")[1:-1])
    assert "-m pip install -q torch==2.13.0" in _install(tmp_path / "fresh", "torch==2.13.0", installed=None)
