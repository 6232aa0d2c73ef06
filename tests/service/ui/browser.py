"""Headless Chromium for the console tests: found or skipped (failed when XSTILTS_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "ui" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]
INSTALL = (
    "install Debian chromium (scripts/install.sh system-dev), playwright (the dev extra) and axe-core "
    "(cd tests/ui && npm install)"
)


def missing_or_skip() -> None:
    """Skip, or fail under XSTILTS_REQUIRE_BROWSER=1, when the browser, Playwright or axe-core is absent."""
    problems = []
    executable = CHROMIUM if CHROMIUM.is_file() else Path(shutil.which("chromium") or "/nonexistent")
    if not executable.is_file():
        problems.append("no chromium executable")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("playwright is not installed")
    if not AXE.is_file():
        problems.append(f"{AXE} is missing")
    if not problems:
        return
    message = f"{'; '.join(problems)}: {INSTALL}"
    if os.environ.get("XSTILTS_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str:
    return str(CHROMIUM) if CHROMIUM.is_file() else str(shutil.which("chromium"))
