"""The shape of an uploaded JSON file, measured before it is parsed: nesting depth and container count.

Parsing JSON costs about 60 bytes of memory per array or object however small its text (`[]`
is two bytes), so a file of millions of empty lists or a single 100,000-deep nest is refused
from a scan of its bytes (strings stripped, brackets counted in fixed-size blocks) before the
task reader builds anything. Files that do not start with `{` or `[` (TSV, CoNLL) are
not JSON and are not scanned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.errors import ServiceError

BLOCK_BYTES = 1 << 16
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_OPEN = frozenset(b"[{")


@dataclass(frozen=True)
class Shape:
    """The deepest nesting and the number of arrays and objects of a JSON text."""

    depth: int
    containers: int


def _looks_like_json(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(head) and head[0] in _OPEN


def measure(path: Path) -> Shape | None:
    """The shape of the JSON (or JSON-lines) file at `path`; None when it is no JSON file.

    Peak memory is the file plus its text without strings (at most twice the file size)."""
    if not _looks_like_json(path):
        return None
    skeleton = _STRING.sub(b"", path.read_bytes())
    depth = deepest = containers = 0
    for start in range(0, len(skeleton), BLOCK_BYTES):
        deepest, depth, containers = _count(skeleton[start : start + BLOCK_BYTES], depth, deepest, containers)
    return Shape(deepest, containers)


def _count(text: bytes, depth: int, deepest: int, containers: int) -> tuple[int, int, int]:
    codes = np.frombuffer(text, dtype=np.uint8)
    opens = (codes == ord("[")) | (codes == ord("{"))
    steps = opens.astype(np.int32) - ((codes == ord("]")) | (codes == ord("}"))).astype(np.int32)
    if steps.size:
        levels = np.cumsum(steps, dtype=np.int64) + depth
        deepest = max(deepest, int(levels.max()))
        depth = int(levels[-1])
    return deepest, depth, containers + int(opens.sum())


def check_shape(path: Path, filename: str, max_depth: int, max_containers: int) -> None:
    """413 naming the limit when the uploaded JSON is nested deeper or holds more containers than allowed."""
    shape = measure(path)
    if shape is None:
        return
    if shape.depth > max_depth:
        raise ServiceError(
            413,
            "nested_too_deeply",
            f"uploaded file '{filename}' nests arrays and objects {shape.depth} deep, at most {max_depth} "
            "(XSTILTS_UPLOAD_MAX_DEPTH); flatten the records",
            "file",
        )
    if shape.containers > max_containers:
        raise ServiceError(
            413,
            "too_many_records",
            f"uploaded file '{filename}' holds {shape.containers} arrays and objects, at most "
            f"{max_containers} (XSTILTS_UPLOAD_MAX_RECORDS); split the file",
            "file",
        )
