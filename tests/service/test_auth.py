from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from service import ratelimit
from service.db import Database
from service.keys import create_key, list_keys, revoke_key, verify_key
from service.ratelimit import RateLimiter
from service.settings import Settings
from tests.service.conftest import ClientFactory
from xstilts.cli import app as cli_app


def _database(data_dir: Path) -> Database:
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.connect(Settings(data_dir=data_dir).resolved_database_url())
    db.init_db()
    return db


def test_keys_are_stored_hashed_and_verified(tmp_path: Path) -> None:
    db = _database(tmp_path)
    with db.session() as session:
        new = create_key(session, "ci", rate_limit=5)
    with db.session() as session:
        assert verify_key(session, new.secret) == new.info
        assert verify_key(session, new.secret + "x") is None
        assert verify_key(session, "not-a-key") is None
        revoke_key(session, new.info.id)
        assert verify_key(session, new.secret) is None
        assert [k.id for k in list_keys(session)] == [new.info.id]
        assert list_keys(session, include_revoked=False) == []
    raw = (tmp_path / "xstilts.db").read_bytes()
    assert new.secret.encode() not in raw


def test_without_keys_the_api_is_open(make_client: ClientFactory) -> None:
    with make_client() as client:
        assert client.get("/v1/languages").status_code == 200


def test_require_keys_gives_401_with_challenge(make_client: ClientFactory) -> None:
    with make_client(require_keys=True) as client:
        response = client.get("/v1/languages")
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] == "missing_key"
        assert "Authorization: Bearer" in response.json()["error"]["message"]
        for open_path in ("/healthz", "/metrics", "/openapi.json", "/docs"):
            assert client.get(open_path).status_code == 200, open_path


def test_an_existing_key_turns_auth_on_and_revocation_locks_it_out(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    db = _database(tmp_path / "data")
    with db.session() as session:
        new = create_key(session, "alice")
    headers = {"Authorization": f"Bearer {new.secret}"}
    with make_client() as client:
        assert client.get("/v1/languages").status_code == 401
        assert (
            client.get("/v1/languages", headers={"Authorization": "Bearer xst_nope_nope"}).status_code == 401
        )
        assert client.get("/v1/languages", headers=headers).status_code == 200
        with db.session() as session:
            revoke_key(session, new.info.id)
        response = client.get("/v1/languages", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_key"
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_rate_limit_gives_429_with_retry_after(make_client: ClientFactory) -> None:
    with make_client(rate_limit_per_minute=2) as client:
        assert [client.get("/v1/languages").status_code for _ in range(2)] == [200, 200]
        response = client.get("/v1/languages")
        assert client.get("/healthz").status_code == 200
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


def test_a_key_can_carry_its_own_rate_limit(make_client: ClientFactory, tmp_path: Path) -> None:
    db = _database(tmp_path / "data")
    with db.session() as session:
        slow = create_key(session, "slow", rate_limit=1)
        fast = create_key(session, "fast")
    with make_client(rate_limit_per_minute=100) as client:
        slow_headers = {"Authorization": f"Bearer {slow.secret}"}
        assert client.get("/v1/languages", headers=slow_headers).status_code == 200
        assert client.get("/v1/languages", headers=slow_headers).status_code == 429
        assert (
            client.get("/v1/languages", headers={"Authorization": f"Bearer {fast.secret}"}).status_code == 200
        )


def test_keys_cli_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"XSTILTS_DATA_DIR": str(tmp_path)}
    created = runner.invoke(cli_app, ["keys", "create", "--name", "ops"], env=env)
    assert created.exit_code == 0, created.output
    key_id = created.output.split("id:")[1].split()[0]
    secret = created.output.split("secret:")[1].split()[0]
    listed = runner.invoke(cli_app, ["keys", "list"], env=env)
    assert key_id in listed.output and secret not in listed.output
    assert runner.invoke(cli_app, ["keys", "revoke", key_id], env=env).exit_code == 0
    missing = runner.invoke(cli_app, ["keys", "revoke", "nosuchkey"], env=env)
    assert missing.exit_code != 0 and "nosuchkey" in missing.output
    db = _database(tmp_path)
    with db.session() as session:
        assert verify_key(session, secret) is None


def test_keys_cli_sets_scope_and_owner_and_refuses_unknown_scopes(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"XSTILTS_DATA_DIR": str(tmp_path)}
    created = runner.invoke(
        cli_app, ["keys", "create", "--name", "r", "--scope", "read", "--owner", "team-a"], env=env
    )
    assert created.exit_code == 0, created.output
    assert "scope:  read, owner: team-a" in created.output
    own = runner.invoke(cli_app, ["keys", "create", "--name", "w"], env=env)
    assert "scope:  write" in own.output
    listed = runner.invoke(cli_app, ["keys", "list"], env=env).output
    assert "team-a" in listed and "(own)" in listed
    bad = runner.invoke(cli_app, ["keys", "create", "--name", "x", "--scope", "root"], env=env)
    assert bad.exit_code != 0 and "unknown scope 'root'" in bad.output
    blank = runner.invoke(cli_app, ["keys", "create", "--name", "x", "--owner", " "], env=env)
    assert blank.exit_code != 0 and "owner" in blank.output
    db = _database(tmp_path)
    with db.session() as session:
        keys = {k.name: k for k in list_keys(session)}
    assert (keys["r"].scope, keys["r"].owner) == ("read", "team-a")
    assert (keys["w"].scope, keys["w"].owner) == ("write", f"key:{keys['w'].id}")
    assert keys["r"].caller().allows("read") and not keys["r"].caller().allows("write")


def test_rate_limiter_wait_takes_no_token_and_idle_buckets_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.wait("a") == 0.0 and limiter.acquire("a") == 0.0 and limiter.acquire("a") == 0.0
    assert limiter.wait("a") == pytest.approx(30.0) and limiter.wait("a") == pytest.approx(30.0)
    assert RateLimiter(0).wait("a") == 0.0
    monkeypatch.setattr(ratelimit, "MAX_BUCKETS", 2)
    limiter.acquire("b")
    now[0] = 61.0
    limiter.acquire("c")
    assert set(limiter._buckets) == {"c"}
