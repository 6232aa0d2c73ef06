"""The translator, translation memory, filter and lexicons of a config, loaded once per process."""

from __future__ import annotations

import logging
import time
from functools import cached_property, lru_cache
from pathlib import Path

from generator.backends.base import Translator, cache_key, supports_pair
from generator.backends.loaded import loaded_translators
from generator.backends.registry import BackendOptions, split_options
from generator.cache import CacheKey, TranslationCache
from generator.errors import TransientError
from generator.filters import Filter, FilterConfig
from generator.lexicons.lexicon import Lexicon
from generator.pipeline.config import SOURCE_LANG, GenerateConfig
from generator.projection.encoder_align import CachedAligner
from generator.projection.project import SpanAligner
from generator.quality.estimator import Estimator

log = logging.getLogger(__name__)

# Tries of one backend call that fails transiently, and the first wait between them (doubling).
BACKEND_TRIES = 3
BACKOFF_S = 1.0


class Resources:
    """The translator, translation memory, filter and lexicons a config uses, shared within a process.

    Translators, filters and lexicons are kept per process by their own settings, so runs (or
    service jobs) with the same backend reuse one loaded model and one language detector.
    """

    def __init__(self, config: GenerateConfig) -> None:
        self.config = config

    @cached_property
    def backend_options(self) -> BackendOptions:
        return split_options(self.config.backend, self.config.backend_options)

    @property
    def translator(self) -> Translator:
        return loaded_translators().get(self.config.backend, self.backend_options.load)

    @property
    def cache(self) -> TranslationCache:
        return _cache(str(self.config.cache_path or self.config.out / ".cache.sqlite"))

    @property
    def filter(self) -> Filter:
        return _filter_for(self.config.filters.model_dump_json())

    @property
    def aligner(self) -> SpanAligner | None:
        """The encoder word aligner of `projection.encoder`, or None when no encoder is configured."""
        proj = self.config.projection
        return _aligner(proj.encoder, proj.encoder_layer, proj.encoder_device) if proj.encoder else None

    @cached_property
    def estimator(self) -> Estimator | None:
        """The run's quality estimator, or None when `qe.signals` is empty."""
        qe = self.config.qe
        if not qe.signals:
            return None
        aligner = self.aligner
        encoder = (
            (aligner.aligner.model, aligner.aligner.tokenizer) if isinstance(aligner, CachedAligner) else None
        )

        def back(lang: str, texts: list[str]) -> list[str]:
            return self.translator.translate(texts, lang, SOURCE_LANG, self.backend_options.call)

        return Estimator(qe, encoder, back, lambda lang: supports_pair(self.translator, lang, SOURCE_LANG))

    def lexicon(self, lang: str) -> Lexicon:
        path = self.config.codeswitch.lexicon_files.get(lang)
        return _lexicon(lang, str(path) if path else "")

    def key(self, lang: str) -> CacheKey:
        """The translation-memory key of this backend and its call options into `lang`."""
        return cache_key(self.translator, self.backend_options.call, SOURCE_LANG, lang)

    def memory(self) -> MemoryByLanguage:
        return MemoryByLanguage(self)

    def backend_call(self, lang: str, texts: list[str]) -> list[str]:
        """One backend call from English into `lang` (run in the pipeline's backend thread); a
        transient failure is retried with exponential backoff, then raised."""
        call = self.backend_options.call
        for attempt in range(BACKEND_TRIES - 1):
            try:
                return self.translator.translate(texts, SOURCE_LANG, lang, call)
            except TransientError as exc:
                delay = BACKOFF_S * 2**attempt
                log.warning("backend %s: %s; retrying in %.1f s", self.config.backend, exc, delay)
                time.sleep(delay)
        return self.translator.translate(texts, SOURCE_LANG, lang, call)


class MemoryByLanguage:
    """The translation memory of a config's backend, addressed by target language."""

    def __init__(self, res: Resources) -> None:
        self.res = res
        self.cache = res.cache
        self.keys: dict[str, CacheKey] = {}

    def _key(self, lang: str) -> CacheKey:
        if lang not in self.keys:
            self.keys[lang] = self.res.key(lang)
        return self.keys[lang]

    def get_many(self, lang: str, texts: list[str]) -> dict[str, str]:
        return self.cache.get_many(self._key(lang), texts)

    def put_many(self, lang: str, translations: dict[str, str]) -> None:
        self.cache.put_many(self._key(lang), translations)


_CACHES: dict[str, TranslationCache] = {}


def _cache(path: str) -> TranslationCache:
    """One open translation memory per file; reopened when the file was removed meanwhile."""
    cache = _CACHES.get(path)
    if cache is None or not Path(path).exists():
        cache = _CACHES[path] = TranslationCache(path)
    return cache


@lru_cache(maxsize=4)
def _filter_for(config_json: str) -> Filter:
    return Filter(FilterConfig.model_validate_json(config_json))


@lru_cache(maxsize=2)
def _aligner(model_dir: str, layer: int, device: str) -> SpanAligner:
    from generator.projection.encoder_align import load_aligner

    return load_aligner(model_dir, layer, device)


@lru_cache(maxsize=16)
def _lexicon(lang: str, muse_file: str) -> Lexicon:
    from generator.lexicons.installed import load_lexicon
    from generator.lexicons.muse import load_muse

    return load_muse(muse_file, SOURCE_LANG, lang) if muse_file else load_lexicon(lang)


def resources(config: GenerateConfig) -> Resources:
    """The resources of `config` in this process."""
    return Resources(config)
