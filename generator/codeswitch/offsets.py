"""Character offsets of an original text mapped to offsets of its switched text."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from operator import itemgetter


class OffsetMap:
    """Maps character offsets of the original text to offsets of the switched text."""

    __slots__ = ("_edits", "_starts")

    def __init__(self, edits: Sequence[tuple[int, int, int, int]] = ()) -> None:
        # (old_start, old_end, new_start, new_end), sorted and non-overlapping.
        self._edits = list(edits)
        self._starts = list(map(itemgetter(0), self._edits))

    def __call__(self, pos: int, end: bool = False) -> int:
        """The new offset of `pos`; a position inside a replaced unit maps to its new start (or end if `end`)."""
        index = bisect_right(self._starts, pos) - 1
        if index < 0:
            return pos
        old_start, old_end, new_start, new_end = self._edits[index]
        if pos >= old_end:
            return pos - old_end + new_end
        if pos == old_start:
            return new_start
        return new_end if end else new_start

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The new (start, end) of the original span [start, end)."""
        return self(start), self(end, end=True)

    def __len__(self) -> int:
        return len(self._edits)
