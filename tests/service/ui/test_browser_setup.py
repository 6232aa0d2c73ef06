"""Without a browser, Playwright or axe-core the console's browser tests skip, or fail when required."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.ui import browser


def test_missing_axe_skips_or_fails_saying_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser, "AXE", tmp_path / "axe.min.js")
    monkeypatch.delenv("XSTILTS_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"axe\.min\.js is missing"):
        browser.missing_or_skip()
    monkeypatch.setenv("XSTILTS_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match=r"npm install"):
        browser.missing_or_skip()
