"""Translation memory: an SQLite (WAL) cache of segment translations, shared by threads and processes.

An entry is keyed by the sha256 of (backend, model, options JSON, src, tgt, text), the options
being the load-time settings that change output and every call-time option
(`generator.backends.base.cache_key`), so a change of model or options never returns a stale
translation. `translate_with_cache`
sends each distinct uncached text to the translator once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.errors import XstiltsError

_CHUNK = 500
_SCHEMA = "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, translation TEXT NOT NULL)"


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What a translation depends on besides the text itself."""

    backend: str
    model: str
    options_json: str
    src: str
    tgt: str

    @classmethod
    def build(cls, backend: str, model: str, options: Mapping[str, Any], src: str, tgt: str) -> CacheKey:
        """A key whose options JSON is canonical (sorted keys), so equal options give equal keys."""
        return cls(backend, model, json.dumps(dict(options), sort_keys=True, separators=(",", ":")), src, tgt)

    def digest(self, text: str) -> str:
        """SHA-256 of the JSON list [backend, model, options, src, tgt, text] (the key's part hashed once)."""
        digest = _hashed_prefix(self).copy()
        digest.update(json.dumps(text, ensure_ascii=False).encode("utf-8") + b"]")
        return digest.hexdigest()


@lru_cache(maxsize=256)
def _hashed_prefix(key: CacheKey) -> Any:
    """SHA-256 fed with the key's JSON list up to its last item, the text."""
    fields = [key.backend, key.model, key.options_json, key.src, key.tgt]
    return hashlib.sha256((json.dumps(fields, ensure_ascii=False)[:-1] + ", ").encode("utf-8"))


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Lookups this cache object answered: texts found and texts missing."""

    hits: int
    misses: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0

    def to_dict(self) -> dict[str, float]:
        return {"hits": self.hits, "misses": self.misses, "hit_rate": self.hit_rate}


class TranslationCache:
    """SQLite translation memory; one connection per thread and process, WAL journal."""

    def __init__(self, path: str | Path, timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._hits = 0
        self._misses = 0
        conn = self._connection()
        self._retry_locked(lambda: conn.execute(_SCHEMA))

    def _retry_locked(self, statement: Callable[[], object]) -> None:
        """Run a setup statement, waiting out another process that is creating the same file.

        Switching a new database to WAL takes an exclusive lock for which SQLite does not call the
        busy handler, so processes opening one fresh cache together would fail without this.
        """
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                statement()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        conn = sqlite3.connect(self.path, timeout=self._timeout_s, check_same_thread=False)
        self._retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        conn.execute("PRAGMA synchronous=NORMAL")
        self._local.conn, self._local.pid = conn, os.getpid()
        with self._lock:
            self._connections.append((os.getpid(), conn))
        return conn

    def get_many(self, key: CacheKey, texts: Iterable[str]) -> dict[str, str]:
        """Cached translations of the distinct `texts` (hits only), by source text."""
        by_digest = {key.digest(text): text for text in dict.fromkeys(texts)}
        digests = list(by_digest)
        found: dict[str, str] = {}
        conn = self._connection()
        for i in range(0, len(digests), _CHUNK):
            chunk = digests[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT key, translation FROM translations WHERE key IN ({marks})", chunk)
            for digest, translation in rows:
                found[by_digest[digest]] = translation
        with self._lock:
            self._hits += len(found)
            self._misses += len(digests) - len(found)
        return found

    def put_many(self, key: CacheKey, mapping: Mapping[str, str]) -> None:
        """Store translations by source text (an existing entry is replaced)."""
        rows = [(key.digest(text), translation) for text, translation in mapping.items()]
        with self._connection() as conn:
            conn.executemany("INSERT OR REPLACE INTO translations (key, translation) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        return int(self._connection().execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses)

    def close(self) -> None:
        """Close every connection this object opened in this process."""
        with self._lock:
            for pid, conn in self._connections:
                if pid == os.getpid():
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def translate_with_cache(
    translator_fn: Callable[[list[str]], Sequence[str]],
    texts: Sequence[str],
    key: CacheKey,
    cache: TranslationCache | None,
) -> list[str]:
    """Translations aligned with `texts`; each distinct uncached text goes to `translator_fn` once, in one call."""
    unique = list(dict.fromkeys(texts))
    known = cache.get_many(key, unique) if cache is not None else {}
    misses = [text for text in unique if text not in known]
    if misses:
        produced = list(translator_fn(misses))
        if len(produced) != len(misses):
            raise XstiltsError(
                f"the {key.backend} translator returned {len(produced)} translations for {len(misses)} "
                "texts; a backend must return exactly one translation per input text"
            )
        fresh = dict(zip(misses, produced, strict=True))
        if cache is not None:
            cache.put_many(key, fresh)
        known = {**known, **fresh}
    return [known[text] for text in texts]
