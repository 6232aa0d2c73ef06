"""Code-switching for the API: lexicons loaded once per language, requests merged by the micro-batcher."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from random import Random

from generator.codeswitch import CodeSwitchConfig, SwitchResult, switch_text
from generator.lexicons import Lexicon, load_lexicon
from service.batching import MicroBatcher
from service.metrics import Metrics
from service.settings import Settings


class LexiconStore:
    """English->X lexicons by language, loaded on first use and kept."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._lexicons: dict[str, Lexicon] = {}
        self._lock = threading.Lock()

    def get(self, langs: tuple[str, ...]) -> dict[str, Lexicon]:
        """Lexicons for `langs` (ConfigError naming the package to install when one is missing)."""
        with self._lock:
            for lang in langs:
                if lang not in self._lexicons:
                    self._lexicons[lang] = load_lexicon(lang, cache_dir=self.cache_dir)
            return {lang: self._lexicons[lang] for lang in langs}


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
        self.lexicons = LexiconStore(settings.data_dir / "lexicons")
        self.batcher: MicroBatcher[tuple[str, ...], _Item, SwitchResult] = MicroBatcher(
            self._run_batch,
            enabled=settings.micro_batching,
            wait_s=settings.batch_wait_ms / 1000.0,
            max_items=settings.batch_max_segments,
            concurrency=settings.batch_concurrency,
            observe=self._observe,
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
        self.metrics.batch_requests.labels("lexicon", "codeswitch").observe(requests)
        self.metrics.batch_segments.labels("lexicon", "codeswitch").observe(items)
        self.metrics.backend_seconds.labels("lexicon", "codeswitch").observe(seconds)

    async def close(self) -> None:
        await self.batcher.close()
