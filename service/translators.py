"""Translator instances shared by requests (one per backend + options) and the cached, batched translate path."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from generator.backends import Translator
from generator.cache import CacheKey, TranslationCache
from service.batching import MicroBatcher
from service.metrics import Metrics
from service.settings import Settings


def pool_key(backend: str, options: dict[str, Any]) -> str:
    """A canonical key for a backend and its options."""
    return f"{backend}:{json.dumps(options, sort_keys=True, separators=(',', ':'), default=str)}"


def _cache_key(translator: Translator, src: str, tgt: str) -> CacheKey:
    """The translation-memory key of `translator`'s output for src->tgt."""
    return CacheKey.build(translator.name, translator.model_id, translator.options, src, tgt)


class TranslatorPool:
    """Translators created lazily and kept (least recently used first out) per (backend, options)."""

    def __init__(self, settings: Settings, max_size: int = 8) -> None:
        self.settings = settings
        self.max_size = max_size
        self._items: OrderedDict[str, Translator] = OrderedDict()
        self._lock = threading.Lock()

    def options_for(self, backend: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Configured options for `backend` with request `overrides` on top."""
        return {**self.settings.options_for(backend), **(overrides or {})}

    def peek(self, backend: str, overrides: dict[str, Any] | None = None) -> Translator | None:
        """The pooled translator, or None when it has not been created yet."""
        return self._items.get(pool_key(backend, self.options_for(backend, overrides)))

    def get(self, backend: str, overrides: dict[str, Any] | None = None) -> Translator:
        """The translator for `backend` and options, created on first use (ConfigError when invalid)."""
        from generator.backends import create_translator

        options = self.options_for(backend, overrides)
        key = pool_key(backend, options)
        with self._lock:
            translator = self._items.get(key)
            if translator is None:
                translator = create_translator(backend, **options)
                self._items[key] = translator
                while len(self._items) > self.max_size:
                    self._items.popitem(last=False)
            self._items.move_to_end(key)
            return translator

    async def aget(self, backend: str, overrides: dict[str, Any] | None = None) -> Translator:
        """`get` without blocking the event loop when the translator must be created."""
        found = self.peek(backend, overrides)
        if found is not None:
            return found
        return await asyncio.to_thread(self.get, backend, overrides)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class BatchKey:
    """Requests merge when they share translator (by backend + options), source and target language."""

    pool_key: str
    src: str
    tgt: str
    translator: Translator = field(compare=False, hash=False)


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

    async def translate(
        self, translator: Translator, backend_key: str, texts: list[str], src: str, tgt: str
    ) -> Translated:
        known: dict[str, str] = {}
        if self.cache is not None:
            known = await asyncio.to_thread(self.cache.get_many, _cache_key(translator, src, tgt), texts)
        misses = [text for text in dict.fromkeys(texts) if text not in known]
        self.metrics.record_cache(translator.name, len(known), len(misses))
        if misses:
            fresh = await self.batcher.submit(BatchKey(backend_key, src, tgt, translator), misses)
            known.update(zip(misses, fresh, strict=True))
        missed = set(misses)
        cached = sum(1 for text in texts if text not in missed)
        return Translated([known[text] for text in texts], cached)

    def _run_batch(self, key: BatchKey, texts: list[str]) -> list[str]:
        unique = list(dict.fromkeys(texts))
        produced = key.translator.translate(unique, key.src, key.tgt)
        mapping = dict(zip(unique, produced, strict=True))
        if self.cache is not None:
            self.cache.put_many(_cache_key(key.translator, key.src, key.tgt), mapping)
        return [mapping[text] for text in texts]

    def _observe(self, key: Hashable, requests: int, items: int, seconds: float) -> None:
        assert isinstance(key, BatchKey)
        self.metrics.record_batch(key.translator.name, "translate", requests, items, seconds)

    async def close(self) -> None:
        await self.batcher.close()
