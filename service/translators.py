"""Translators for requests (from the process registry, under the configured options) and the cached, batched translate path."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from generator.backends.base import CallOptions, Translator, cache_key
from generator.backends.loaded import LoadedTranslators
from generator.backends.registry import BackendOptions, split_options
from generator.cache import TranslationCache
from service.batching import MicroBatcher
from service.metrics import Metrics
from service.settings import Settings


@dataclass(frozen=True)
class Selected:
    """A loaded translator and the call-time options to call it with."""

    translator: Translator
    call: CallOptions


class ConfiguredTranslators:
    """Translators of the process registry, with the configured options of each backend under request overrides.

    Load-time options pick the instance (one per backend + load-time options, shared with the job
    pipeline in this process); call-time options go with each call.
    """

    def __init__(self, settings: Settings, loaded: LoadedTranslators) -> None:
        self.settings = settings
        self.loaded = loaded

    def options(self, backend: str, overrides: dict[str, Any] | None = None) -> BackendOptions:
        """Configured options for `backend` with `overrides` on top, split by the backend's models."""
        return split_options(backend, {**self.settings.options_for(backend), **(overrides or {})})

    def get(self, backend: str, overrides: dict[str, Any] | None = None) -> Selected:
        """The translator for `backend` and options, created on first use (ConfigError when invalid)."""
        options = self.options(backend, overrides)
        return Selected(self.loaded.get(backend, options.load), options.call)

    async def aget(self, backend: str, overrides: dict[str, Any] | None = None) -> Selected:
        """`get` without blocking the event loop when the translator must be created."""
        options = self.options(backend, overrides)
        translator = self.loaded.peek(backend, options.load)
        if translator is None:
            translator = await asyncio.to_thread(self.loaded.get, backend, options.load)
        return Selected(translator, options.call)


@dataclass(frozen=True)
class BatchKey:
    """Requests merge when they share translator instance, call-time options, source and target language."""

    translator: Translator
    call: CallOptions
    src: str
    tgt: str


@dataclass(frozen=True)
class Translated:
    """Translations aligned with the request's texts; `cached` counts texts answered by the cache."""

    translations: list[str]
    cached: int


class TranslationRunner:
    """Translate through the cache first, sending misses through the micro-batcher."""

    def __init__(self, settings: Settings, metrics: Metrics, cache: TranslationCache | None) -> None:
        self.metrics = metrics
        self.cache = cache
        self.batcher: MicroBatcher[BatchKey, str, str] = MicroBatcher.from_settings(
            self._run_batch, settings, self._observe
        )

    async def translate(self, selected: Selected, texts: list[str], src: str, tgt: str) -> Translated:
        translator = selected.translator
        known: dict[str, str] = {}
        if self.cache is not None:
            key = cache_key(translator, selected.call, src, tgt)
            known = await asyncio.to_thread(self.cache.get_many, key, texts)
        misses = [text for text in dict.fromkeys(texts) if text not in known]
        self.metrics.record_cache(translator.name, len(known), len(misses))
        if misses:
            fresh = await self.batcher.submit(BatchKey(translator, selected.call, src, tgt), misses)
            known.update(zip(misses, fresh, strict=True))
        missed = set(misses)
        cached = sum(1 for text in texts if text not in missed)
        return Translated([known[text] for text in texts], cached)

    def _run_batch(self, key: BatchKey, texts: list[str]) -> list[str]:
        unique = list(dict.fromkeys(texts))
        produced = key.translator.translate(unique, key.src, key.tgt, key.call)
        mapping = dict(zip(unique, produced, strict=True))
        if self.cache is not None:
            self.cache.put_many(cache_key(key.translator, key.call, key.src, key.tgt), mapping)
        return [mapping[text] for text in texts]

    def _observe(self, key: Hashable, requests: int, items: int, seconds: float) -> None:
        assert isinstance(key, BatchKey)
        self.metrics.record_batch(key.translator.name, "translate", requests, items, seconds)

    async def close(self) -> None:
        await self.batcher.close()
