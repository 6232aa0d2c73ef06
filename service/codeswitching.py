"""Code-switching for the API: lexicons loaded once per language, requests merged by the micro-batcher."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.switching import SwitchResult, switch_text
from generator.errors import ConfigError
from generator.lexicons.codes import ISO_TO_FREEDICT
from generator.lexicons.installed import lexicon_languages, load_lexicon
from generator.lexicons.lexicon import Lexicon
from service.batching import MicroBatcher
from service.metrics import Metrics
from service.settings import Settings

log = logging.getLogger(__name__)

_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=64)
def _load(lang: str, cache_dir: Path | None) -> Lexicon:
    return load_lexicon(lang, cache_dir=cache_dir)


@functools.lru_cache(maxsize=1)
def _installed() -> frozenset[str]:
    """Languages with an English lexicon on this machine (file names, scanned once per process)."""
    return frozenset(lexicon_languages())


class LexiconStore:
    """English->X lexicons by language, loaded on first use and shared by every app in the process."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.cache_dir = cache_dir
        self.preload_state = "ok"

    def preload(self, langs: Sequence[str]) -> threading.Thread | None:
        """Load the lexicons of `langs` in a background thread; `preload_state` says how far it got."""
        if not langs:
            return None
        self.preload_state = f"loading lexicons {', '.join(langs)}"

        def load() -> None:
            try:
                self.get(tuple(langs))
            except Exception as exc:
                log.exception("preloading lexicons failed")
                self.preload_state = f"preloading lexicons failed: {exc}"
            else:
                self.preload_state = "ok"

        thread = threading.Thread(target=load, name="lexicon-preload", daemon=True)
        thread.start()
        return thread

    def get(self, langs: tuple[str, ...]) -> dict[str, Lexicon]:
        """Lexicons for `langs` (ConfigError naming the package to install when one is missing)."""
        with _LOAD_LOCK:
            installed = _installed()
            missing = [lang for lang in langs if lang not in installed]
            if missing:
                packages = " ".join(
                    f"dict-freedict-eng-{ISO_TO_FREEDICT.get(lang, lang)}" for lang in missing
                )
                raise ConfigError(
                    f"no English->{'/'.join(missing)} lexicon installed (installed: {' '.join(sorted(installed))}); "
                    f"install FreeDict with `apt-get install {packages}` or put a MUSE file en-<lang>.txt "
                    "in a directory listed in XSTILTS_LEXICONS, then restart the service"
                )
            return {lang: _load(lang, self.cache_dir) for lang in langs}


@dataclass(frozen=True)
class _Item:
    """One text to switch, with its request's config and random stream (shared by the request's texts)."""

    text: str
    cfg: CodeSwitchConfig
    rng: Random


class CodeSwitchRunner:
    """Switch texts, merging concurrent requests for the same language set into one worker-thread call."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.metrics = metrics
        self.lexicons = LexiconStore(settings.lexicon_cache_dir)
        self.batcher: MicroBatcher[tuple[str, ...], _Item, SwitchResult] = MicroBatcher.from_settings(
            self._run_batch, settings, self._observe
        )

    async def switch(self, texts: list[str], cfg: CodeSwitchConfig, seed: int) -> list[SwitchResult]:
        """Switch `texts` in order with one random stream seeded by `seed` (same input, same output)."""
        await asyncio.to_thread(self.lexicons.get, cfg.langs)
        rng = Random(seed)
        return await self.batcher.submit(cfg.langs, [_Item(text, cfg, rng) for text in texts])

    def _run_batch(self, langs: tuple[str, ...], items: list[_Item]) -> list[SwitchResult]:
        lexicons = self.lexicons.get(langs)
        return [switch_text(item.text, lexicons, item.cfg, item.rng) for item in items]

    def _observe(self, key: Hashable, requests: int, items: int, seconds: float) -> None:
        self.metrics.record_batch("lexicon", "codeswitch", requests, items, seconds)

    async def close(self) -> None:
        await self.batcher.close()
