"""The translator, translation memory, filter and lexicons of a config, loaded once per process."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

from generator.backends.base import Translator, cache_key
from generator.backends.loaded import loaded_translators
from generator.backends.registry import BackendOptions, split_options
from generator.cache import TranslationCache, translate_with_cache
from generator.filters import Filter, FilterConfig
from generator.lexicons import Lexicon
from generator.pipeline.config import SOURCE_LANG, GenerateConfig
from generator.pipeline.stats import SegmentStats


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

    def lexicon(self, lang: str) -> Lexicon:
        path = self.config.codeswitch.lexicon_files.get(lang)
        return _lexicon(lang, str(path) if path else "")

    def translate(self, texts: Sequence[str], lang: str, stats: SegmentStats) -> dict[str, str]:
        """Translations of `texts` by text: duplicates once, cached ones from memory, the rest in one call."""
        unique = list(dict.fromkeys(t for t in texts if t))
        stats.requested += sum(1 for t in texts if t)
        stats.distinct += len(unique)
        if not unique:
            return {}
        tr, call = self.translator, self.backend_options.call
        key = cache_key(tr, call, SOURCE_LANG, lang)

        def backend(batch: list[str]) -> list[str]:
            stats.translated += len(batch)
            return tr.translate(batch, SOURCE_LANG, lang, call)

        return dict(zip(unique, translate_with_cache(backend, unique, key, self.cache), strict=True))


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


@lru_cache(maxsize=16)
def _lexicon(lang: str, muse_file: str) -> Lexicon:
    from generator.lexicons import load_lexicon, load_muse

    return load_muse(muse_file, SOURCE_LANG, lang) if muse_file else load_lexicon(lang)


def resources(config: GenerateConfig) -> Resources:
    """The resources of `config` in this process."""
    return Resources(config)
