"""App and client fixtures for the service tests (real Apertium backend, temp data directory)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


def needs_apertium() -> None:
    if shutil.which("apertium") is None:
        pytest.skip("apertium is not installed (apt-get install apertium apertium-eng-spa)")


@pytest.fixture
def make_client(tmp_path: Path) -> ClientFactory:
    """A context manager giving a started TestClient for settings overrides (rate limits off by default)."""

    @contextmanager
    def factory(**overrides: Any) -> Iterator[TestClient]:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "rate_limit_per_minute": 0}
        values.update(overrides)
        with TestClient(create_app(Settings(**values))) as client:
            yield client

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    with make_client() as started:
        yield started
