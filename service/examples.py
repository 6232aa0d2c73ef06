"""Pages of a job's generated examples read from its Parquet shards, each beside its English source.

Only the shards of the asked task, language and method are opened; of those, only the columns the
row filter needs are read to count matches, and the shown columns only for the rows of the page.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from generator.errors import ShardError
from generator.shards import Manifest, ShardInfo

# The columns a page shows; `meta` and the task/kind columns stay on disk.
SHOWN = [
    "id",
    "lang",
    "title",
    "context",
    "question",
    "answers",
    "is_impossible",
    "text_a",
    "text_b",
    "choices",
    "label",
    "tokens",
    "tags",
    "method",
    "projection",
    "confidence",
    "switched",
]
# Datasets whose English examples are kept in memory, most recently used last.
ENGLISH_CACHE_SIZE = 4


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Which examples of a job a page shows."""

    task: str | None = None
    lang: str | None = None
    method: str | None = None
    projection: str | None = None
    min_confidence: float | None = None

    @property
    def reads_rows(self) -> bool:
        """Whether matching needs row values (not just the manifest's shard list)."""
        return self.projection is not None or self.min_confidence is not None


@dataclass(frozen=True, slots=True)
class Facets:
    """The values a job's examples can be filtered by, from its manifest."""

    tasks: list[str]
    langs: list[str]
    methods: list[str]
    projections: list[str]


def facets(manifest: Manifest) -> Facets:
    return Facets(
        tasks=sorted({s.task for s in manifest.shards}),
        langs=sorted({s.lang for s in manifest.shards}),
        methods=sorted({s.method for s in manifest.shards}),
        projections=sorted({p for s in manifest.shards for p in s.projections}),
    )


def _shard_file(root: Path, shard: ShardInfo) -> pq.ParquetFile:
    target = (root / shard.path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise ShardError(f"shard '{shard.path}' listed in the manifest is missing; regenerate the job")
    try:
        return pq.ParquetFile(target)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ShardError(f"shard '{shard.path}' is not readable Parquet ({exc}); regenerate the job") from exc


def _matching_rows(file: pq.ParquetFile, where: RowFilter) -> pa.Array | None:
    """Indices of the rows matching `where` (None: every row)."""
    if not where.reads_rows:
        return None
    table = file.read(columns=["projection", "confidence"])
    mask = pa.array([True] * table.num_rows, pa.bool_())
    if where.projection is not None:
        mask = pc.and_(mask, pc.equal(table["projection"], where.projection))
    if where.min_confidence is not None:
        mask = pc.and_(mask, pc.greater_equal(table["confidence"], where.min_confidence))
    return pc.indices_nonzero(pc.fill_null(mask, False))


def read_page(
    root: Path, manifest: Manifest, where: RowFilter, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The examples `offset .. offset+limit` matching `where` in shard order, and how many match."""
    root = root.resolve()
    shards = sorted(manifest.select(where.task, where.lang, where.method), key=lambda s: s.path)
    rows: list[dict[str, Any]] = []
    total = 0
    for shard in shards:
        if not where.reads_rows and (total + shard.rows <= offset or len(rows) >= limit):
            total += shard.rows  # counted from the manifest, never opened
            continue
        file = _shard_file(root, shard)
        matching = _matching_rows(file, where)
        count = file.metadata.num_rows if matching is None else len(matching)
        start = max(0, offset - total)
        wanted = min(count - start, limit - len(rows))
        if wanted > 0:
            picked = (
                pa.array(range(start, start + wanted), pa.int64())
                if matching is None
                else matching.slice(start, wanted)
            )
            rows.extend(file.read(columns=SHOWN).take(picked).to_pylist())
        total += count
    return rows, total


class EnglishSources:
    """English examples of uploaded datasets by id, read once per file version and kept for a few files."""

    def __init__(self, size: int = ENGLISH_CACHE_SIZE) -> None:
        self.size = size
        self._cache: OrderedDict[tuple[str, int, int], dict[str, dict[str, Any]]] = OrderedDict()
        self._lock = Lock()

    def by_id(self, task: str, path: Path) -> dict[str, dict[str, Any]]:
        from generator.tasks import read_examples

        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = {ex.id: ex.to_dict() for ex in read_examples(task, path, skip_invalid=True).examples}
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return found
