"""Backends by name: their load-time and call-time options, creation, and a description for the API and CLI."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.backends.apertium import ApertiumCallOptions, ApertiumLoadOptions
from generator.backends.base import CallOptions, LoadOptions, Translator
from generator.backends.ctranslate2 import CT2CallOptions, CT2LoadOptions
from generator.backends.transformers import HFCallOptions, HFLoadOptions
from generator.backends.vllm import VLLMCallOptions, VLLMLoadOptions
from generator.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """One backend: its two options models, where its class lives and what it needs installed."""

    name: str
    description: str
    load_options: type[LoadOptions]
    call_options: type[CallOptions]
    target: str
    dependency: str
    installed: Callable[[], bool]


@dataclass(frozen=True, slots=True)
class BackendOptions:
    """A backend's options split by when they apply: `load` picks the instance, `call` goes to `translate()`."""

    load: LoadOptions
    call: CallOptions


def _has_module(module: str) -> Callable[[], bool]:
    return lambda: importlib.util.find_spec(module) is not None


BACKENDS: dict[str, BackendSpec] = {
    spec.name: spec
    for spec in (
        BackendSpec(
            "ct2",
            "CTranslate2 (NLLB-200, M2M100, OPUS-MT): int8 / int8_float16, token batches, GPU replicas",
            CT2LoadOptions,
            CT2CallOptions,
            "generator.backends.ctranslate2:CT2Translator",
            "pip install ctranslate2",
            _has_module("ctranslate2"),
        ),
        BackendSpec(
            "transformers",
            "Hugging Face generate on a seq2seq checkpoint (reference implementation)",
            HFLoadOptions,
            HFCallOptions,
            "generator.backends.transformers:HFTranslator",
            "pip install torch transformers",
            lambda: _has_module("torch")() and _has_module("transformers")(),
        ),
        BackendSpec(
            "vllm",
            "LLM translation by prompt: offline vLLM engine or an OpenAI-compatible server URL",
            VLLMLoadOptions,
            VLLMCallOptions,
            "generator.backends.vllm:VLLMTranslator",
            "pip install 'xstilts[gpu]' (server_url mode needs only httpx)",
            _has_module("vllm"),
        ),
        BackendSpec(
            "apertium",
            "Apertium rule-based MT from Debian packages (CPU; eng->spa and other installed pairs)",
            ApertiumLoadOptions,
            ApertiumCallOptions,
            "generator.backends.apertium:ApertiumTranslator",
            "apt-get install apertium apertium-eng-spa",
            lambda: shutil.which("apertium") is not None,
        ),
    )
}


def backend_spec(name: str) -> BackendSpec:
    """The backend called `name`; ConfigError listing the names otherwise."""
    spec = BACKENDS.get(name)
    if spec is None:
        raise ConfigError(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
    return spec


def _validate(model: type[M], values: Mapping[str, Any], problems: list[str]) -> M | None:
    try:
        return model(**values)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "options"
            problems.append(f"{where}: {str(err['msg']).removeprefix('Value error, ')}")
        return None


def split_options(name: str, options: Mapping[str, Any]) -> BackendOptions:
    """Validate load-time and call-time options given together; ConfigError names every bad or unknown one."""
    spec = backend_spec(name)
    load_names, call_names = spec.load_options.model_fields, spec.call_options.model_fields
    unknown = [key for key in options if key not in load_names and key not in call_names]
    if unknown:
        raise ConfigError(
            f"backend '{name}' options: unknown option {', '.join(repr(k) for k in unknown)}; it takes "
            f"load-time options {', '.join(load_names)} and call-time options {', '.join(call_names)}"
        )
    problems: list[str] = []
    load = _validate(spec.load_options, {k: v for k, v in options.items() if k in load_names}, problems)
    call = _validate(spec.call_options, {k: v for k, v in options.items() if k in call_names}, problems)
    if load is None or call is None:
        raise ConfigError(f"backend '{name}' options: {'; '.join(problems)}")
    return BackendOptions(load, call)


def call_options(name: str, **options: Any) -> CallOptions:
    """Validated call-time options of backend `name`, to pass to `translate()`."""
    split = split_options(name, options)
    loading = [key for key in options if key in type(split.load).model_fields]
    if loading:
        raise ConfigError(
            f"{', '.join(loading)}: load-time option(s) of backend '{name}'; "
            f"give them to create_translator('{name}', ...)"
        )
    return split.call


def load_translator(name: str, load: LoadOptions) -> Translator:
    """A new translator of backend `name` from its validated load-time options."""
    spec = backend_spec(name)
    if not isinstance(load, spec.load_options):
        raise ConfigError(
            f"backend '{name}' takes {spec.load_options.__name__}, not {type(load).__name__}; "
            "build them with split_options()"
        )
    module_name, _, class_name = spec.target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    translator: Translator = cls(load)
    return translator


def create_translator(name: str, **options: Any) -> Translator:
    """A new translator of backend `name` with validated load-time options; ConfigError names what is wrong.

    Call-time options (beam size, output length) are not taken here: pass them to each
    `translate()` call as `call_options(name, ...)`.
    """
    split = split_options(name, options)
    calling = [key for key in options if key in type(split.call).model_fields]
    if calling:
        raise ConfigError(
            f"{', '.join(calling)}: call-time option(s) of backend '{name}'; pass them to translate() "
            f"as options=call_options('{name}', ...)"
        )
    return load_translator(name, split.load)


def describe_backends() -> list[dict[str, Any]]:
    """Name, description, install state and the JSON schemas of the load-time and call-time options."""
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "installed": spec.installed(),
            "install": spec.dependency,
            "load_options": spec.load_options.model_json_schema(),
            "call_options": spec.call_options.model_json_schema(),
        }
        for spec in BACKENDS.values()
    ]
