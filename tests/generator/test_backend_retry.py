"""Transient backend failures are retried with backoff within a run; permanent ones are raised at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import BackendError, TransientError
from generator.pipeline import resources as resources_module
from generator.pipeline.config import GenerateConfig
from generator.pipeline.resources import BACKEND_TRIES, resources
from tests.service.conftest import needs_apertium


def _flaky(failures: list[Exception]) -> object:
    calls: list[int] = []

    def translate(texts: list[str], *_: object) -> list[str]:
        calls.append(len(texts))
        if failures:
            raise failures.pop(0)
        return [t.upper() for t in texts]

    translate.calls = calls  # type: ignore[attr-defined]
    return translate


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GenerateConfig:
    needs_apertium()
    monkeypatch.setattr(resources_module, "BACKOFF_S", 0.01)
    return GenerateConfig.build(task="squad", input=tmp_path / "in.json", langs=["es"], out=tmp_path / "out")


def test_transient_failures_are_retried(config: GenerateConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    res = resources(config)
    flaky = _flaky([TransientError("timed out")] * (BACKEND_TRIES - 1))
    monkeypatch.setattr(res.translator, "translate", flaky)
    assert res.backend_call("es", ["a", "b"]) == ["A", "B"]
    assert flaky.calls == [2] * BACKEND_TRIES  # type: ignore[attr-defined]


def test_persistent_or_permanent_failures_are_raised(
    config: GenerateConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = resources(config)
    monkeypatch.setattr(res.translator, "translate", _flaky([TransientError("timed out")] * BACKEND_TRIES))
    with pytest.raises(TransientError, match="timed out"):
        res.backend_call("es", ["a"])
    permanent = _flaky([BackendError("exit 1")])
    monkeypatch.setattr(res.translator, "translate", permanent)
    with pytest.raises(BackendError):
        res.backend_call("es", ["a"])
    assert permanent.calls == [1]  # type: ignore[attr-defined]
