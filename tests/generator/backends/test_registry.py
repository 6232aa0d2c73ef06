from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.backends.apertium import ApertiumCallOptions, ApertiumLoadOptions
from generator.backends.base import Translator
from generator.backends.ctranslate2 import CT2CallOptions, CT2LoadOptions
from generator.backends.registry import (
    BACKENDS,
    call_options,
    create_translator,
    describe_backends,
    load_translator,
    split_options,
)
from generator.errors import ConfigError


def test_names() -> None:
    assert set(BACKENDS) == {"ct2", "transformers", "vllm", "apertium"}


def test_unknown_backend_lists_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown backend 'nope'.*ct2, transformers, vllm, apertium"):
        create_translator("nope")


def test_bad_options_raise_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"ct2' options: device: .*; beam_size: .*greater than or equal to 1"
    ):
        split_options("ct2", {"model": "/x", "device": "tpu", "beam_size": 0})
    with pytest.raises(ConfigError, match=r"unknown option 'colour'; it takes load-time options binary"):
        create_translator("apertium", colour="red")


def test_mixed_options_split_by_the_backends_models() -> None:
    split = split_options("ct2", {"model": "/m", "device": "cpu", "device_index": [0, 1], "beam_size": 4})
    assert split.load == CT2LoadOptions(model="/m", device="cpu", device_index=(0, 1))
    assert split.call == CT2CallOptions(beam_size=4)
    assert split_options("apertium", {}).call == ApertiumCallOptions()


def test_options_given_at_the_wrong_time_say_where_they_go() -> None:
    with pytest.raises(ConfigError, match=r"mark_unknown: call-time option.*translate\(\)"):
        create_translator("apertium", mark_unknown=True)
    with pytest.raises(ConfigError, match=r"binary: load-time option.*create_translator"):
        call_options("apertium", binary="/bin/sh")
    with pytest.raises(ConfigError, match="takes ApertiumLoadOptions, not CT2LoadOptions"):
        load_translator("apertium", CT2LoadOptions(model="/m"))


def test_call_options_name_no_file_program_url_device_or_compute_type() -> None:
    for spec in BACKENDS.values():
        fields = set(spec.call_options.model_fields)
        assert fields, spec.name
        assert not fields & set(spec.load_options.model_fields)
        assert not fields & {"model", "binary", "server_url", "api_key", "device", "device_index", "dtype"}
        assert not {f for f in fields if f.endswith(("_dir", "_path", "_url", "compute_type", "threads"))}
        for name, field in spec.call_options.model_fields.items():
            bounded = any(hasattr(m, "le") or hasattr(m, "max_length") for m in field.metadata)
            assert bounded or field.annotation in (bool, str) or "Literal" in str(field.annotation), name


def test_describe_backends_has_schemas_and_install_state() -> None:
    described = {d["name"]: d for d in describe_backends()}
    assert described["apertium"]["installed"] is True
    assert described["ct2"]["installed"] is True
    assert "beam_size" in described["ct2"]["call_options"]["properties"]
    assert "model" in described["ct2"]["load_options"]["properties"]
    assert "server_url" in described["vllm"]["load_options"]["properties"]
    assert "prompt_template" in described["vllm"]["call_options"]["properties"]
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
    assert isinstance(load_translator("apertium", ApertiumLoadOptions()), Translator)
    ct2 = create_translator("ct2", model=str(tiny_marian_dir), device="cpu")
    assert isinstance(ct2, Translator) and ct2.call_options_model is CT2CallOptions
