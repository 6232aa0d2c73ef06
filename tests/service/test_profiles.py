"""Backend profiles: declared by the operator (environment or file), validated at start, chosen by requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.backends.apertium import ApertiumCallOptions, ApertiumLoadOptions
from generator.backends.ctranslate2 import CT2CallOptions, CT2LoadOptions
from service.errors import ServiceError
from service.profiles import BackendProfile, choose_profile
from service.settings import Settings

NLLB = {"backend": "ct2", "options": {"model": "/models/nllb", "device": "cuda", "beam_size": 4}}


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None, **values)  # type: ignore[call-arg]


def test_the_default_is_one_apertium_profile(tmp_path: Path) -> None:
    made = settings(tmp_path)
    assert made.default_profile == "apertium"
    assert made.backends == {"apertium": BackendProfile(backend="apertium")}


def test_profiles_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSTILTS_BACKENDS", json.dumps({"nllb": NLLB}))
    monkeypatch.setenv("XSTILTS_DEFAULT_PROFILE", "nllb")
    made = settings(tmp_path)
    assert list(made.backends) == ["nllb"] and made.backends["nllb"].options["beam_size"] == 4


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_profiles_come_from_a_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"backends{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps({"nllb": NLLB}), encoding="utf-8")
    else:
        path.write_text(
            "nllb:\n  backend: ct2\n  description: NLLB-200\n  options:\n    model: /models/nllb\n",
            encoding="utf-8",
        )
    made = settings(tmp_path, backends_file=path, default_profile="nllb")
    assert made.backends["nllb"].backend == "ct2"


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (
            {"backends": {"x": {"backend": "babelfish"}}, "default_profile": "x"},
            "unknown backend 'babelfish'",
        ),
        ({"backends": {"x": {"backend": "ct2", "options": {"beem": 2}}}}, "unknown option 'beem'"),
        ({"backends": {"x": {"backend": "ct2"}}, "default_profile": "x"}, "model"),
        ({"backends": {"x": {"backend": "apertium", "colour": 1}}}, "Extra inputs"),
        ({"backends": {"nllb": NLLB}}, "default profile 'apertium' is not among the backend profiles (nllb)"),
        ({"backends": {"nllb": NLLB}, "backends_file": "b.json"}, "not both"),
        ({"backends_file": "missing.yaml"}, "cannot read the backends file"),
    ],
)
def test_bad_profiles_stop_the_start_with_a_message(
    tmp_path: Path, values: dict[str, object], words: str
) -> None:
    if "backends_file" in values:
        values = {**values, "backends_file": tmp_path / str(values["backends_file"])}
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        settings(tmp_path, **values)


@pytest.mark.parametrize(
    ("text", "words"), [("nllb: [unclosed", "not valid JSON or YAML"), ("- just a list", "nllb|dict|object")]
)
def test_a_bad_backends_file_is_named(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "backends.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=words):
        settings(tmp_path, backends_file=path)


def test_a_request_tunes_call_options_over_the_profiles_own() -> None:
    profiles = {"nllb": BackendProfile.model_validate(NLLB), "apertium": BackendProfile(backend="apertium")}
    choice = choose_profile(profiles, "nllb", {"max_decoding_length": 32}, "options")
    assert choice.load == CT2LoadOptions(model="/models/nllb", device="cuda")
    assert choice.call == CT2CallOptions(beam_size=4, max_decoding_length=32)
    assert choice.generator_options() == {
        "model": "/models/nllb",
        "device": "cuda",
        "beam_size": 4,
        "max_decoding_length": 32,
    }
    plain = choose_profile(profiles, "apertium", {}, "options")
    assert (plain.load, plain.call) == (ApertiumLoadOptions(), ApertiumCallOptions())


@pytest.mark.parametrize(
    ("name", "requested", "code", "field"),
    [
        ("nope", {}, "unknown_profile", "profile"),
        ("nllb", {"model": "/tmp/x"}, "option_not_allowed", "options.model"),
        ("nllb", {"mark_unknown": True}, "unknown_option", "options.mark_unknown"),
        ("nllb", {"beam_size": "4"}, "invalid_options", "options.beam_size"),
        ("nllb", {"beam_size": True}, "invalid_options", "options.beam_size"),
        ("nllb", {"beam_size": 64}, "invalid_options", "options.beam_size"),
    ],
)
def test_what_a_request_may_not_choose(
    name: str, requested: dict[str, object], code: str, field: str
) -> None:
    profiles = {"nllb": BackendProfile.model_validate(NLLB)}
    with pytest.raises(ServiceError) as err:
        choose_profile(profiles, name, requested, "options")
    assert (err.value.status, err.value.code, err.value.field) == (422, code, field)
    assert field in err.value.message
