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
from service.db import Database
from service.keys import create_key
from service.settings import Settings

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


def needs_apertium() -> None:
    if shutil.which("apertium") is None:
        pytest.skip("apertium is not installed (apt-get install apertium apertium-eng-spa)")


@pytest.fixture
def make_client(tmp_path: Path) -> ClientFactory:
    """A context manager giving a started TestClient for settings overrides (rate limits off by default).

    `peer` is the client address the app sees.
    """

    @contextmanager
    def factory(peer: tuple[str, int] = ("testclient", 50000), **overrides: Any) -> Iterator[TestClient]:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "rate_limit_per_minute": 0}
        values.update(overrides)
        with TestClient(create_app(Settings(**values)), client=peer) as client:
            yield client

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    with make_client() as started:
        yield started


def add_key(
    data_dir: Path, name: str = "key", scope: str = "write", owner: str | None = None
) -> dict[str, str]:
    """Create an API key in the database of `data_dir`; the Authorization header that sends it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.connect(Settings(data_dir=data_dir).resolved_database_url())
    db.init_db()
    try:
        with db.session() as session:
            secret = create_key(session, name, scope=scope, owner=owner).secret
    finally:
        db.dispose()
    return {"Authorization": f"Bearer {secret}"}
