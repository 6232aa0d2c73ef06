"""Backends by name: creation from validated options and a description for the API and CLI."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.backends.apertium import ApertiumOptions
from generator.backends.base import Translator
from generator.backends.ctranslate2 import CT2Options
from generator.backends.transformers import HFOptions
from generator.backends.vllm import VLLMOptions
from generator.errors import ConfigError


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """One backend: its options model, where its class lives and what it needs installed."""

    name: str
    description: str
    options: type[BaseModel]
    target: str
    dependency: str
    installed: Callable[[], bool]


def _has_module(module: str) -> Callable[[], bool]:
    return lambda: importlib.util.find_spec(module) is not None


BACKENDS: dict[str, BackendSpec] = {
    spec.name: spec
    for spec in (
        BackendSpec(
            "ct2",
            "CTranslate2 (NLLB-200, M2M100, OPUS-MT): int8 / int8_float16, token batches, GPU replicas",
            CT2Options,
            "generator.backends.ctranslate2:CT2Translator",
            "pip install ctranslate2",
            _has_module("ctranslate2"),
        ),
        BackendSpec(
            "transformers",
            "Hugging Face generate on a seq2seq checkpoint (reference implementation)",
            HFOptions,
            "generator.backends.transformers:HFTranslator",
            "pip install torch transformers",
            lambda: _has_module("torch")() and _has_module("transformers")(),
        ),
        BackendSpec(
            "vllm",
            "LLM translation by prompt: offline vLLM engine or an OpenAI-compatible server URL",
            VLLMOptions,
            "generator.backends.vllm:VLLMTranslator",
            "pip install 'xstilts[gpu]' (server_url mode needs only httpx)",
            _has_module("vllm"),
        ),
        BackendSpec(
            "apertium",
            "Apertium rule-based MT from Debian packages (CPU; eng->spa and other installed pairs)",
            ApertiumOptions,
            "generator.backends.apertium:ApertiumTranslator",
            "apt-get install apertium apertium-eng-spa",
            lambda: shutil.which("apertium") is not None,
        ),
    )
}


def create_translator(name: str, **options: Any) -> Translator:
    """A backend by name with validated options; ConfigError names what is wrong."""
    spec = BACKENDS.get(name)
    if spec is None:
        raise ConfigError(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
    try:
        opts = spec.options(**options)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'options'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"backend '{name}' options: {problems}") from exc
    module_name, _, class_name = spec.target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    translator: Translator = cls(opts)
    return translator


def describe_backends() -> list[dict[str, Any]]:
    """Name, description, install state and options JSON schema of every backend."""
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "installed": spec.installed(),
            "install": spec.dependency,
            "options": spec.options.model_json_schema(),
        }
        for spec in BACKENDS.values()
    ]
