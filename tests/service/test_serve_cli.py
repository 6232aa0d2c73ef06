"""`xstilts serve` is secure by default: no non-loopback bind while authentication would be off."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import is_loopback
from tests.service.conftest import add_key
from tests.service.test_compose_stack import command, service_env
from xstilts.cli import app as cli_app


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every uvicorn.run call (which does not start a server here)."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    for name in [n for n in os.environ if n.startswith("XSTILTS_")]:
        monkeypatch.delenv(name)
    return calls


def serve(tmp_path: Path, *args: str, **env: str) -> Any:
    return CliRunner().invoke(cli_app, ["serve", *args], env={"XSTILTS_DATA_DIR": str(tmp_path), **env})


def test_a_public_bind_without_keys_is_refused_and_says_how_to_fix_it(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    result = serve(tmp_path, "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "xstilts keys create --name admin --scope admin" in result.output
    assert "XSTILTS_REQUIRE_KEYS=true" in result.output and "--insecure-no-auth" in result.output
    assert served == [], "no server was started"


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--host", "0.0.0.0", "--insecure-no-auth"], {}),
        (["--host", "0.0.0.0"], {"XSTILTS_REQUIRE_KEYS": "true"}),
        (["--host", "127.0.0.1"], {}),
        (["--host", "localhost"], {}),
        (["--host", "::1"], {}),
        ([], {}),
    ],
)
def test_serving_goes_ahead_when_it_is_safe_or_asked_for(
    tmp_path: Path, served: list[dict[str, Any]], args: list[str], env: dict[str, str]
) -> None:
    result = serve(tmp_path, *args, **env)
    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["proxy_headers"] is False, "X-Forwarded-For is the service's to judge"


def test_an_existing_key_turns_auth_on_so_a_public_bind_is_fine(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    add_key(tmp_path, "admin", scope="admin")
    assert serve(tmp_path, "--host", "0.0.0.0").exit_code == 0
    assert served[0]["host"] == "0.0.0.0"


def test_the_compose_api_command_starts(tmp_path: Path, served: list[dict[str, Any]]) -> None:
    host = {"XSTILTS_POSTGRES_PASSWORD": "pw", "XSTILTS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env = service_env("api", host, {"/data": tmp_path / "data", "/models": tmp_path / "models"})
    args = command("api", {})[1:]
    result = CliRunner().invoke(cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    assert served[0]["host"] == "0.0.0.0"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
