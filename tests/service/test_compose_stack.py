"""docker/compose.yaml's api and worker services run as local processes against the tests' PostgreSQL
server standing in for its postgres service: the stack's wiring without Docker."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.settings import Settings
from tests.postgres import create_database, pg_bindir
from tests.service.conftest import needs_apertium
from tests.service.processes import REPO, base_env, free_port, start, stop, wait_until_up

COMPOSE = REPO / "docker" / "compose.yaml"
SQUAD = REPO / "samples" / "tasks" / "squad" / "dev-v1.1.json"
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}")


def _substitute(match: re.Match[str], env: Mapping[str, str]) -> str:
    name, kind, text = match.groups()
    if env.get(name):
        return env[name]
    assert kind != ":?", f"compose needs {name}: {text}"
    return text or ""


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's `${VAR}` / `${VAR:-default}` / `${VAR:?error}` substitution."""
    return _VARIABLE.sub(lambda m: _substitute(m, env), value)


def service(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"][name]
    return spec


def service_env(
    name: str, host: Mapping[str, str], paths: Mapping[str, Path], hosts: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The service's environment as compose would set it, container paths moved to local folders
    and compose host names (`postgres:5432`) to local addresses."""
    env: dict[str, str] = {}
    for key, value in service(name).get("environment", {}).items():
        if value is None:  # passed through from the host when set there
            if key in host:
                env[key] = host[key]
            continue
        text = interpolate(str(value), host)
        for container, local in paths.items():
            text = re.sub(rf"(?<![\w.]){re.escape(container)}(?=/|$)", str(local), text)
        for compose_host, local_host in (hosts or {}).items():
            text = text.replace(f"@{compose_host}/", f"@{local_host}/")
        env[key] = text
    return env


def test_every_xstilts_variable_in_compose_is_a_setting() -> None:
    for name in ("api", "worker"):
        for key in service(name).get("environment", {}):
            if key.startswith("XSTILTS_"):
                field = key.removeprefix("XSTILTS_").lower()
                assert field in Settings.model_fields, f"{name}: {key} sets no service setting"


def test_compose_defaults_load_as_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = {"/data": tmp_path / "data", "/models": tmp_path / "models"}
    for name in ("api", "worker"):
        for key in [k for k in os.environ if k.startswith("XSTILTS_")]:
            monkeypatch.delenv(key)
        for key, value in service_env(name, {"XSTILTS_POSTGRES_PASSWORD": "pw"}, paths).items():
            monkeypatch.setenv(key, value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.data_dir == tmp_path / "data"
        assert list(settings.backends) == [settings.default_profile] and settings.ray_address is None
        assert settings.require_keys
        assert settings.run_worker is (name != "api")


def command(name: str, host: Mapping[str, str], port: int | None = None) -> list[str]:
    """The service's command with the console script from this environment and a loopback port."""
    args = [interpolate(str(a), host) for a in service(name)["command"]]
    assert args[0] == "xstilts"
    args[0] = shutil.which("xstilts", path=str(Path(sys.executable).parent)) or "xstilts"
    if port is not None:
        args[args.index("--port") + 1] = str(port)
        args[args.index("--host") + 1] = "127.0.0.1"
    return args


def published_port(host: Mapping[str, str]) -> int:
    (mapping,) = service("api")["ports"]
    return int(interpolate(mapping, host).split(":")[0])


def wait_succeeded(client: httpx.Client, job_id: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        assert job["state"] not in ("failed", "cancelled"), job["error"]
        if job["state"] == "succeeded":
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def local_postgres(server_url: str, password: str) -> str:
    """The compose postgres service's role and database on the tests' server; its local host:port.

    The service's healthcheck runs against it, so its command is checked too.
    """
    spec = service("postgres")
    env = {
        k: interpolate(str(v), {"XSTILTS_POSTGRES_PASSWORD": password})
        for k, v in spec["environment"].items()
    }
    assert env["POSTGRES_PASSWORD"] == password
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{env["POSTGRES_DB"]}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{env["POSTGRES_USER"]}"'))
    admin.dispose()
    create_database(server_url, env["POSTGRES_DB"], (env["POSTGRES_USER"], password))
    address = make_url(server_url)
    healthcheck = spec["healthcheck"]["test"]
    assert healthcheck[0] == "CMD"
    bindir = pg_bindir()
    if bindir is not None:
        probe = [
            str(bindir / healthcheck[1]),
            *healthcheck[2:],
            "-h",
            str(address.host),
            "-p",
            str(address.port),
        ]
        assert subprocess.run(probe, capture_output=True, check=False).returncode == 0, probe
    return f"{address.host}:{address.port}"


@pytest.mark.slow
def test_api_and_two_workers_from_compose_run_jobs(tmp_path: Path, postgres_server: str) -> None:
    needs_apertium()
    host = {
        "XSTILTS_DEFAULT_PROFILE": "apertium",
        "XSTILTS_PORT": str(free_port()),
        "XSTILTS_POSTGRES_PASSWORD": secrets.token_hex(8),
    }
    host.update({k: v for k, v in os.environ.items() if k.startswith("RAY_")})
    paths = {"/data": tmp_path / "data", "/models": tmp_path / "models"}
    paths["/models"].mkdir()
    hosts = {"postgres:5432": local_postgres(postgres_server, host["XSTILTS_POSTGRES_PASSWORD"])}
    api_env = base_env(**service_env("api", host, paths, hosts))
    worker_env = base_env(**service_env("worker", host, paths, hosts))
    assert api_env["XSTILTS_RUN_WORKER"] == "false"
    assert api_env["XSTILTS_DATABASE_URL"].startswith("postgresql+psycopg://")
    port = published_port(host)
    base = f"http://127.0.0.1:{port}"

    created = subprocess.run(
        [*command("api", host)[:1], "keys", "create", "--name", "compose-test"],
        env=api_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    secret = re.search(r"secret:\s+(\S+)", created.stdout)
    assert secret is not None, created.stdout
    log = tmp_path / "stack.log"
    api = start(command("api", host, port), api_env, log)
    workers = [start(command("worker", host), worker_env, log) for _ in range(2)]
    try:
        wait_until_up(base, api, log)
        headers = {"Authorization": f"Bearer {secret.group(1)}"}
        with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
            assert httpx.get(f"{base}/v1/jobs", timeout=5).status_code == 401
            upload = client.post(
                "/v1/datasets", data={"task": "squad"}, files={"file": ("dev.json", SQUAD.read_bytes())}
            )
            assert upload.status_code == 201, upload.text
            dataset = upload.json()["id"]
            bodies = [
                {"dataset_id": dataset, "langs": ["es"], "rows_per_shard": 2},
                {"dataset_id": dataset, "langs": ["es"], "methods": ["codeswitch"], "rows_per_shard": 2},
            ]
            submitted = [client.post("/v1/jobs", json=body) for body in bodies]
            assert [r.status_code for r in submitted] == [202, 202], [r.text for r in submitted]
            job_ids = [r.json()["id"] for r in submitted]
            for job_id in job_ids:
                job = wait_succeeded(client, job_id)
                assert job["lease_owner"] and not job["lease_owner"].endswith("-api")
                manifest = client.get(f"/v1/jobs/{job_id}/manifest").json()
                assert manifest["complete"] and manifest["shards"]
                shard = client.get(f"/v1/jobs/{job_id}/shards/{manifest['shards'][0]['path']}")
                assert shard.status_code == 200 and shard.content.startswith(b"PAR1")
    finally:
        for process in [*workers, api]:
            stop(process)
    assert all(p.returncode == 0 for p in workers), log.read_text()[-3000:]
    engine = create_engine(api_env["XSTILTS_DATABASE_URL"], connect_args={"password": api_env["PGPASSWORD"]})
    with engine.connect() as conn:
        states = conn.execute(text("SELECT state FROM jobs")).scalars().all()
    engine.dispose()
    assert states == ["succeeded", "succeeded"]
    assert not (paths["/data"] / "xstilts.db").exists()
