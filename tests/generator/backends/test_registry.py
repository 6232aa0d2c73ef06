from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.backends import BACKENDS, Translator, create_translator, describe_backends
from generator.errors import ConfigError


def test_names() -> None:
    assert set(BACKENDS) == {"ct2", "transformers", "vllm", "apertium"}


def test_unknown_backend_lists_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown backend 'nope'.*ct2, transformers, vllm, apertium"):
        create_translator("nope")


def test_bad_options_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="beam_size"):
        create_translator("ct2", model="/x", beam_size=0)
    with pytest.raises(ConfigError, match="colour"):
        create_translator("apertium", colour="red")


def test_describe_backends_has_schema_and_install_state() -> None:
    described = {d["name"]: d for d in describe_backends()}
    assert described["apertium"]["installed"] is True
    assert described["ct2"]["installed"] is True
    assert "beam_size" in described["ct2"]["options"]["properties"]
    assert "server_url" in described["vllm"]["options"]["properties"]
    assert described["vllm"]["install"].startswith("pip install 'xstilts[gpu]'")


def test_importing_the_registry_stays_light() -> None:
    code = (
        "import sys, generator.backends; "
        "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'vllm') if m in sys.modules))"
    )
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    assert out.stdout.strip() == "[]"


def test_created_backends_satisfy_the_protocol(tiny_marian_dir: Path) -> None:
    assert isinstance(create_translator("apertium"), Translator)
    assert isinstance(create_translator("ct2", model=str(tiny_marian_dir), device="cpu"), Translator)
