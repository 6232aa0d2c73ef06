"""Translators for requests (the operator's backend profiles, from the process registry) and the cached, batched translate path."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from generator.backends.base import CallOptions, Translator, cache_key
from generator.backends.loaded import LoadedTranslators
from generator.cache import TranslationCache
from generator.errors import ConfigError
from service.batching import MicroBatcher
from service.errors import ServiceError
from service.metrics import Metrics
from service.profiles import ProfileChoice, choose_profile
from service.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selected:
    """A loaded translator, the profile it came from and the call-time options to call it with."""

    profile: str
    translator: Translator
    call: CallOptions


class ConfiguredTranslators:
    """Translators of the process registry for the operator's backend profiles.

    A profile's load-time options pick the instance (one per backend + load-time options, shared
    with the job pipeline in this process); the call-time options a request may tune go with
    each call.
    """

    def __init__(self, settings: Settings, loaded: LoadedTranslators) -> None:
        self.settings = settings
        self.loaded = loaded

    def choose(
        self, profile: str | None, requested: Mapping[str, Any] | None = None, field: str = "options"
    ) -> ProfileChoice:
        """Profile `profile` (the default one when None) with the request's call-time options; 422 otherwise."""
        name = profile or self.settings.default_profile
        return choose_profile(self.settings.backends, name, requested or {}, field)

    def get(self, choice: ProfileChoice) -> Selected:
        """The loaded translator of `choice`, created on first use (503 when the profile cannot load)."""
        try:
            translator = self.loaded.get(choice.backend, choice.load)
        except ConfigError as exc:
            log.warning("backend profile %r cannot be loaded: %s", choice.name, exc)
            raise ServiceError(
                503,
                "profile_unavailable",
                f"backend profile '{choice.name}' cannot be loaded on this server ({exc}); the "
                "operator must fix the profile (the service log has the details)",
                "profile",
            ) from exc
        return Selected(choice.name, translator, choice.call)

    async def aget(self, choice: ProfileChoice) -> Selected:
        """`get` without blocking the event loop when the translator must be created."""
        translator = self.loaded.peek(choice.backend, choice.load)
        if translator is None:
            return await asyncio.to_thread(self.get, choice)
        return Selected(choice.name, translator, choice.call)


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
