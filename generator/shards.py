"""The shard contract with the trainer: Parquet shards plus a manifest with checksums and provenance.

Layout: `<out>/<task>/<lang>/<method>-<NNNNN>.parquet` and `<out>/manifest.json`. Shard `k` of a
(task, lang, method) unit holds the examples made from input rows `[k*rows_per_shard, (k+1)*rows_per_shard)`,
so a restarted run knows which shards are finished and every example lands exactly once. Files are
written to a temporary name and renamed, so a crash never leaves half a shard or half a manifest.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, Field

from generator import __version__
from generator.errors import ShardError
from generator.example import Example
from generator.fencing import Fence, FencedWriter

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"

_ANSWER = pa.struct([("text", pa.string()), ("start", pa.int64())])
_SWITCH = pa.struct([("source", pa.string()), ("target", pa.string()), ("lang", pa.string())])
ARROW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("task", pa.string()),
        ("kind", pa.string()),
        ("lang", pa.string()),
        ("title", pa.string()),
        ("context", pa.string()),
        ("question", pa.string()),
        ("answers", pa.list_(_ANSWER)),
        ("is_impossible", pa.bool_()),
        ("text_a", pa.string()),
        ("text_b", pa.string()),
        ("choices", pa.list_(pa.string())),
        ("label", pa.int64()),
        ("tokens", pa.list_(pa.string())),
        ("tags", pa.list_(pa.string())),
        ("meta", pa.string()),  # JSON object: readable by every Parquet consumer, HF datasets included
        ("method", pa.string()),
        ("projection", pa.string()),
        ("confidence", pa.float64()),
        ("switched", pa.list_(_SWITCH)),
    ]
)


class ShardInfo(BaseModel):
    """One finished shard as the manifest records it."""

    path: str
    task: str
    lang: str
    method: str
    index: int
    rows: int
    input_rows: int
    sha256: str
    drops: dict[str, int] = Field(default_factory=dict)
    projections: dict[str, int] = Field(default_factory=dict)  # kept rows by `projection` method
    confidence: list[int] = Field(default_factory=list)  # kept projected rows per confidence tenth
    qe: dict[str, list[int]] = Field(default_factory=dict)  # QE signal -> scored segments per tenth


def histogram(values: Iterable[float], bins: int = 10) -> list[int]:
    """Counts of `values` (0..1) in `bins` equal bins, the last one closed."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value * bins)))] += 1
    return counts


class Manifest(BaseModel):
    """`<out>/manifest.json`: what was generated, how, and how much was dropped and why."""

    schema_version: int = SCHEMA_VERSION
    generator_version: str = __version__
    created_at: str = Field(default_factory=lambda: _now())
    updated_at: str = Field(default_factory=lambda: _now())
    config: dict[str, Any] = Field(default_factory=dict)
    backend: dict[str, Any] = Field(default_factory=dict)
    shards: list[ShardInfo] = Field(default_factory=list)
    complete: bool = False

    def drops(self) -> dict[str, dict[str, int]]:
        """Drop counts by reason, per `task/lang/method`."""
        out: dict[str, Counter[str]] = {}
        for shard in self.shards:
            out.setdefault(f"{shard.task}/{shard.lang}/{shard.method}", Counter()).update(shard.drops)
        return {unit: dict(counts) for unit, counts in sorted(out.items())}

    def rows(self) -> dict[str, int]:
        """Kept rows per `task/lang/method`."""
        out: Counter[str] = Counter()
        for shard in self.shards:
            out[f"{shard.task}/{shard.lang}/{shard.method}"] += shard.rows
        return dict(sorted(out.items()))

    def select(
        self, task: str | None = None, lang: str | None = None, method: str | None = None
    ) -> list[ShardInfo]:
        return [
            s
            for s in self.shards
            if (task is None or s.task == task)
            and (lang is None or s.lang == lang)
            and (method is None or s.method == method)
        ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def shard_relpath(task: str, lang: str, method: str, index: int) -> str:
    return f"{task}/{lang}/{method}-{index:05d}.parquet"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def to_table(examples: Iterable[Example]) -> pa.Table:
    """The examples as one table, built column by column."""
    rows = list(examples)
    columns: dict[str, list[Any]] = {name: [getattr(ex, name) for ex in rows] for name in ARROW_SCHEMA.names}
    columns["answers"] = [[{"text": a.text, "start": a.start} for a in ex.answers] for ex in rows]
    columns["switched"] = [
        [{"source": s.source, "target": s.target, "lang": s.lang} for s in ex.switched] for ex in rows
    ]
    columns["meta"] = [json.dumps(ex.meta, ensure_ascii=False, sort_keys=True) for ex in rows]
    return pa.Table.from_pydict(columns, schema=ARROW_SCHEMA)


def from_table(table: pa.Table) -> list[Example]:
    examples = []
    for row in table.to_pylist():
        row["meta"] = json.loads(row["meta"] or "{}")
        examples.append(Example.from_dict(row))
    return examples


def write_shard(
    out: Path | FencedWriter,
    task: str,
    lang: str,
    method: str,
    index: int,
    examples: Sequence[Example],
    *,
    input_rows: int,
    drops: dict[str, int] | None = None,
    qe: dict[str, list[int]] | None = None,
) -> ShardInfo:
    """Write one shard atomically into `out` (a directory, or its fenced writer) and return its manifest
    entry (`qe`: histograms of the QE scores)."""
    writer = out if isinstance(out, FencedWriter) else FencedWriter(out)
    rel = shard_relpath(task, lang, method, index)
    sink = pa.BufferOutputStream()
    pq.write_table(to_table(examples), sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    writer.publish(rel, data)
    return ShardInfo(
        path=rel,
        task=task,
        lang=lang,
        method=method,
        index=index,
        rows=len(examples),
        input_rows=input_rows,
        sha256=hashlib.sha256(data).hexdigest(),
        drops={k: v for k, v in (drops or {}).items() if v},
        projections=dict(Counter(ex.projection for ex in examples if ex.projection)),
        confidence=histogram(ex.confidence for ex in examples if ex.projection),
        qe=dict(qe or {}),
    )


def read_shard(path: Path, sha256: str | None = None) -> list[Example]:
    """Read a shard; with `sha256`, refuse one whose bytes changed."""
    path = Path(path)
    if not path.is_file():
        raise ShardError(f"{path}: shard file is missing")
    if sha256 is not None and (actual := _sha256(path)) != sha256:
        raise ShardError(
            f"{path}: checksum mismatch (manifest {sha256[:12]}…, file {actual[:12]}…): "
            "the shard is corrupted or truncated; regenerate it"
        )
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ShardError(f"{path}: not a readable Parquet shard ({exc})") from exc
    missing = set(ARROW_SCHEMA.names) - set(table.column_names)
    if missing:
        raise ShardError(f"{path}: columns {sorted(missing)} are missing; not an xstilts shard")
    return from_table(table.select(ARROW_SCHEMA.names))


def load_manifest(out_dir: Path) -> Manifest:
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise ShardError(
            f"{path}: no manifest; is {out_dir} a shard directory written by `xstilts generate`?"
        )
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ShardError(f"{path}: manifest is not valid JSON ({exc})") from exc
    version = raw.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ShardError(
            f"{path}: shard schema version {version}, this xstilts reads version {SCHEMA_VERSION}; "
            "regenerate the shards with this version"
        )
    return Manifest.model_validate(raw)


def save_manifest(out_dir: Path, manifest: Manifest, writer: FencedWriter | None = None) -> None:
    """Replace the manifest and its dataset card (through `writer`, fenced, when given)."""
    manifest.updated_at = _now()
    text = manifest.model_dump_json(indent=2).encode("utf-8")
    out = writer or FencedWriter(out_dir)
    publish_card(out, manifest)
    out.publish(MANIFEST, text)


def publish_card(writer: FencedWriter, manifest: Manifest) -> None:
    """The dataset card (`README.md`) of `manifest`, published beside it through the same writer."""
    from generator.card import CARD, render_card

    writer.publish(CARD, render_card(manifest).encode("utf-8"))


def _merged(
    current: bytes | None, ours: Manifest, complete_when: set[tuple[str, str, str, int]] | None
) -> Manifest:
    """`ours` with the shards another writer recorded meanwhile; complete once `complete_when` are all in."""
    shards = {s.path: s for s in ours.shards}
    complete = ours.complete
    if current is not None:
        theirs = Manifest.model_validate_json(current)
        complete = complete or theirs.complete
        for shard in theirs.shards:
            shards.setdefault(shard.path, shard)
    merged = ours.model_copy(
        update={
            "shards": sorted(shards.values(), key=lambda s: s.path),
            "updated_at": _now(),
            "complete": complete,
        }
    )
    if complete_when is not None:
        have = {(s.task, s.lang, s.method, s.index) for s in merged.shards}
        missing = sorted(complete_when - have)
        if missing:
            raise ShardError(
                f"{len(missing)} planned shards are not in the manifest (first: {shard_relpath(*missing[0])}); "
                "rerun to generate them"
            )
        merged.complete = True
    return merged


def verify(out_dir: Path) -> list[str]:
    """Every problem with a shard directory (missing, corrupted or unlisted shards); empty when sound."""
    out_dir = Path(out_dir)
    try:
        manifest = load_manifest(out_dir)
    except ShardError as exc:
        return [str(exc)]
    problems = []
    for shard in manifest.shards:
        path = out_dir / shard.path
        if not path.is_file():
            problems.append(f"{path}: shard file is missing")
        elif _sha256(path) != shard.sha256:
            problems.append(f"{path}: checksum mismatch; the shard is corrupted or truncated")
    listed = {s.path for s in manifest.shards}
    problems += [
        f"{p}: shard not listed in the manifest"
        for p in sorted(out_dir.glob("*/*/*.parquet"))
        if p.relative_to(out_dir).as_posix() not in listed
    ]
    return problems


def iter_examples(
    out_dir: Path, task: str | None = None, lang: str | None = None, method: str | None = None
) -> Iterator[Example]:
    """Examples of the selected shards, in shard order, checksums verified."""
    manifest = load_manifest(out_dir)
    for shard in sorted(manifest.select(task, lang, method), key=lambda s: s.path):
        yield from read_shard(Path(out_dir) / shard.path, shard.sha256)


class ShardStore:
    """A shard directory being written: finished shards are known, new ones are recorded atomically.

    Safe for several threads of one process; processes that share a directory must each own
    disjoint (task, lang, method) units or serialise through the job store.
    """

    def __init__(
        self, out_dir: Path, config: dict[str, Any], backend: dict[str, Any], fence: Fence | None = None
    ) -> None:
        self.out_dir = Path(out_dir)
        self.writer = FencedWriter(self.out_dir, fence)
        self._lock = threading.Lock()
        if (self.out_dir / MANIFEST).exists():
            self.manifest = load_manifest(self.out_dir)
            self.manifest.config, self.manifest.backend = config, backend
        else:
            self.manifest = Manifest(config=config, backend=backend)
        self._done = {(s.task, s.lang, s.method, s.index) for s in self.manifest.shards}

    def is_done(self, task: str, lang: str, method: str, index: int) -> bool:
        return (task, lang, method, index) in self._done

    def write(
        self,
        task: str,
        lang: str,
        method: str,
        index: int,
        examples: Sequence[Example],
        *,
        input_rows: int,
        drops: dict[str, int] | None = None,
        qe: dict[str, list[int]] | None = None,
    ) -> ShardInfo:
        """Write a shard and record it in the manifest; a shard already recorded is an error."""
        key = (task, lang, method, index)
        with self._lock:
            if key in self._done:
                raise ShardError(f"{shard_relpath(*key)} is already finished; refusing to write it twice")
        info = write_shard(
            self.writer, task, lang, method, index, examples, input_rows=input_rows, drops=drops, qe=qe
        )
        with self._lock:
            self.manifest.shards = [s for s in self.manifest.shards if s.path != info.path] + [info]
            self._save(None)
        return info

    def _save(self, complete_when: set[tuple[str, str, str, int]] | None) -> None:
        """Merge this writer's manifest into the one on disk (compare-and-set under the fence)."""
        ours = self.manifest
        data = self.writer.update(
            MANIFEST, lambda current: _merged(current, ours, complete_when).model_dump_json(indent=2).encode()
        )
        self.manifest = Manifest.model_validate_json(data)
        self._done = {(s.task, s.lang, s.method, s.index) for s in self.manifest.shards}
        publish_card(self.writer, self.manifest)

    def finish(self, planned: Iterable[tuple[str, str, str, int]] | None = None) -> Manifest:
        """Mark the manifest complete; with `planned`, refuse while one of those shards is missing."""
        with self._lock:
            self._save(set(planned) if planned is not None else set(self._done))
        return self.manifest
