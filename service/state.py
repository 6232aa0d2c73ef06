"""The objects one app instance shares across requests, built at startup and closed at shutdown."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from generator.backends.loaded import loaded_translators
from generator.cache import TranslationCache
from generator.fencing import sweep_temporaries
from service.codeswitching import CodeSwitchRunner
from service.datasets import sweep_incoming
from service.db import Database
from service.keys import any_keys
from service.metrics import Metrics
from service.ratelimit import RateLimiter
from service.settings import Settings
from service.translators import ConfiguredTranslators, TranslationRunner

AUTH_RECHECK_S = 1.0

log = logging.getLogger(__name__)


def sweep_debris(settings: Settings) -> None:
    """Remove what processes killed mid-write left: upload folders and temporary shard files."""
    age = settings.debris_min_age_seconds
    removed = sweep_incoming(settings, age) + sweep_temporaries(settings.data_dir / "jobs", age)
    for path in removed:
        log.info("removed %s, left by a process killed mid-write", path)


@dataclass
class Services:
    """Settings, database, metrics, translators and limits (requests, failed authentications) of one running app."""

    settings: Settings
    db: Database
    metrics: Metrics
    translators: ConfiguredTranslators
    runner: TranslationRunner
    switcher: CodeSwitchRunner
    limiter: RateLimiter
    auth_failures: RateLimiter
    cache: TranslationCache | None
    _auth_on: bool = False
    _auth_checked: float = field(default=-1e9)

    @classmethod
    def build(cls, settings: Settings, metrics: Metrics) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database.connect(settings.resolved_database_url())
        db.init_db()
        sweep_debris(settings)
        cache = TranslationCache(settings.resolved_cache_path()) if settings.use_cache else None
        loaded = loaded_translators()
        loaded.max_loaded = settings.translator_pool_size
        services = cls(
            settings=settings,
            db=db,
            metrics=metrics,
            translators=ConfiguredTranslators(settings, loaded),
            runner=TranslationRunner(settings, metrics, cache),
            switcher=CodeSwitchRunner(settings, metrics),
            limiter=RateLimiter(settings.rate_limit_per_minute),
            auth_failures=RateLimiter(settings.auth_failures_per_minute),
            cache=cache,
        )
        services.switcher.lexicons.preload(settings.preload_lexicons)
        return services

    def auth_enabled(self) -> bool:
        """Auth is on when `require_keys` is set or any key exists; once on it stays on."""
        if self.settings.require_keys or self._auth_on:
            return True
        now = time.monotonic()
        if now - self._auth_checked >= AUTH_RECHECK_S:
            self._auth_checked = now
            with self.db.session() as session:
                self._auth_on = any_keys(session)
        return self._auth_on

    async def close(self) -> None:
        """Finish batches in flight, then release the loaded models, the cache and the database."""
        await self.runner.close()
        await self.switcher.close()
        self.translators.loaded.close()
        if self.cache is not None:
            self.cache.close()
        self.db.dispose()
