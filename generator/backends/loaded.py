"""The translators loaded in this process: one per (backend, load-time options), shared by all users.

The job pipeline and the service's synchronous routes both ask `loaded_translators()`, so a
translate request and a job with the same load-time options use one loaded model; call-time
options are arguments of each `translate()` call and never make a second instance.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from generator.backends.base import LoadOptions, Translator
from generator.backends.registry import load_translator

log = logging.getLogger(__name__)

DEFAULT_MAX_LOADED = 8


def loaded_key(backend: str, load: LoadOptions) -> str:
    """The identity of a loaded translator: backend name and canonical load-time options JSON."""
    return f"{backend}:{load.model_dump_json()}"


class LoadedTranslators:
    """Translators created once per (backend, load-time options) and kept until `close()`.

    Creation is thread-safe: threads asking for the same options wait for one creation while other
    options load meanwhile. At most `max_loaded` are kept; past that the least recently asked for is
    dropped, not closed (a call may still be using it), and freed when its last user lets it go.
    """

    def __init__(self, max_loaded: int = DEFAULT_MAX_LOADED) -> None:
        self.max_loaded = max_loaded
        self._items: OrderedDict[str, Translator] = OrderedDict()
        self._creating: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _touch(self, key: str) -> Translator | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def peek(self, backend: str, load: LoadOptions) -> Translator | None:
        """The loaded translator, or None when it has not been created yet."""
        with self._lock:
            return self._touch(loaded_key(backend, load))

    def get(self, backend: str, load: LoadOptions) -> Translator:
        """The translator of `backend` with `load`, created on first use (ConfigError when it cannot be)."""
        key = loaded_key(backend, load)
        with self._lock:
            found = self._touch(key)
            if found is not None:
                return found
            creating = self._creating.setdefault(key, threading.Lock())
        with creating:
            with self._lock:
                found = self._touch(key)
            if found is not None:
                return found
            translator = load_translator(backend, load)
            with self._lock:
                self._items[key] = translator
                self._creating.pop(key, None)
                while len(self._items) > self.max_loaded:
                    self._items.popitem(last=False)
            return translator

    def keys(self) -> list[str]:
        """What is loaded, least recently used first (see `loaded_key`)."""
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def close(self) -> None:
        """Release every loaded model; later `get` calls load afresh."""
        with self._lock:
            translators = list(self._items.values())
            self._items.clear()
        for translator in translators:
            try:
                translator.close()
            except Exception:
                log.exception("could not release translator %s (%s)", translator.name, translator.model_id)


_PROCESS = LoadedTranslators()


def loaded_translators() -> LoadedTranslators:
    """The registry of this process."""
    return _PROCESS
