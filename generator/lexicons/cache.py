"""The on-disk cache of parsed dictionaries: marshal files keyed by source file, parser and options."""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
from pathlib import Path


def default_cache_dir() -> Path:
    """`$XSTILTS_CACHE_DIR/lexicons`, else `~/.cache/xstilts/lexicons`."""
    root = os.environ.get("XSTILTS_CACHE_DIR")
    return Path(root) / "lexicons" if root else Path.home() / ".cache" / "xstilts" / "lexicons"


def cache_file(source: Path, cache_dir: Path, parser_version: int, options: str) -> Path:
    """The cache entry of `source` (its path, mtime and size), the parser version and parse options."""
    stat = source.stat()
    version = f"{parser_version}|{sys.version_info[:2]}"
    key = f"{source.resolve()}|{stat.st_mtime_ns}|{stat.st_size}|{version}|{options}"
    return cache_dir / f"{source.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"


Parsed = tuple[dict[str, list[str]], dict[str, tuple[int, list[str]]]]  # (entries, rejections)


def read_cache(path: Path) -> Parsed | None:
    """The cached entries and rejections (marshal: no code runs on load), or None when absent or unreadable."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    # Hundreds of thousands of small lists: the cyclic collector only slows their creation down.
    paused = gc.isenabled()
    gc.disable()
    try:
        parsed = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    finally:
        if paused:
            gc.enable()
    if isinstance(parsed, tuple) and len(parsed) == 2 and all(isinstance(part, dict) for part in parsed):
        return parsed
    return None


def write_cache(path: Path, parsed: Parsed) -> None:
    """Write `parsed` to `path` atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(marshal.dumps(parsed))
    tmp.replace(path)
