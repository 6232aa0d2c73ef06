"""What a run counts beyond the manifest: MT segments asked for, deduplicated and sent; units; projections."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class SegmentStats:
    """Segments asked for by examples (before dedup), distinct per batch, and sent to the backend."""

    requested: int = 0
    distinct: int = 0
    translated: int = 0

    def add(self, other: SegmentStats) -> None:
        self.requested += other.requested
        self.distinct += other.distinct
        self.translated += other.translated


@dataclass(slots=True)
class RunStats:
    """What a run did beyond the manifest: units processed and skipped, MT segments, projections."""

    units_done: int = 0
    units_skipped: int = 0
    segments: SegmentStats = field(default_factory=SegmentStats)
    projections: Counter[str] = field(default_factory=Counter)
    invalid_records: int = 0
