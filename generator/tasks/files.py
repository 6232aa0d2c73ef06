"""Reading and writing the text files task formats live in: lines, quoted TSV, JSON lines, JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.errors import InputError


def read_lines(path: Path) -> list[str]:
    """The lines of a text file, split on newlines only (a stray U+2028 stays inside its line)."""
    try:
        with path.open(encoding="utf-8", newline="\n") as handle:
            return [line.rstrip("\n").removesuffix("\r") for line in handle]
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"byte {err.start}", "(encoding)", "not UTF-8; re-encode") from None


def numbered(path: Path) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers."""
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            yield number, line


def first_line(path: Path) -> str:
    """The first line of a file without its line end ('' when empty), to tell its layout."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return handle.readline().rstrip("\r\n")


def quoted_tsv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The records of a TSV written by Python's `csv.writer(delimiter="\\t")` (fields with quotes,
    tabs or line breaks quoted, quotes doubled, CRLF line ends), with the line each starts on."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t")
            start = 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield start, row
                start = reader.line_num + 1
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"byte {err.start}", "(encoding)", "not UTF-8; re-encode") from None
    except csv.Error as err:
        raise InputError(str(path), f"line {start}", "(csv)", f"{err}; fix the quoting") from None


def write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write lines, each ending in a newline."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write one JSON object per line, non-ASCII kept as is."""
    write_lines(path, (json.dumps(row, ensure_ascii=False) for row in rows))


def write_json(path: Path, value: Any) -> None:
    """Write one JSON document, non-ASCII kept as is."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
