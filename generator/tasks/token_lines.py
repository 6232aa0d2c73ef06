"""Token tagging files shared parts: tag sets, blank-line separated sentences, and the token-per-line
layout of XTREME-R's download (PAN-X and UD-POS `<split>-<lang>.tsv`).

XTREME-R layout (`utils_preprocess.py` panx / udpos): one `token<TAB>tag` line per token and a
blank line between sentences; test files keep the token only (tags removed). PAN-X tokens lose
their `lang:` prefix; UD-POS merges every treebank of a language into one file per split and keeps
multiword tokens as their fused form. The first token line says whether the file has tags; every
other line must agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    FieldError,
    Parsed,
    Record,
    cell,
    collect,
    lang_in_name,
    line_id,
)
from generator.tasks.files import read_lines, write_lines

UPOS = (
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
)
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
XTREME_R_NAME = r"^(?:train|dev|test)-([a-z]{2,3})\.tsv$"
XTREME_R_NAMING = "<split>-<lang>.tsv (train-en.tsv, dev-de.tsv, test-de.tsv)"

Block = list[tuple[int, str]]


def blocks(path: Path) -> Iterator[tuple[int, Block]]:
    """Blank-line separated blocks of numbered lines, with the number of each block's first line."""
    block: Block = []
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block[0][0], block
            block = []
    if block:
        yield block[0][0], block


def sentence_records(path: Path, build: Callable[[int, Block], Example]) -> Iterator[Record]:
    for first, block in blocks(path):
        yield f"sentence at line {first}", partial(build, first, block)


def check_tags(example: Example, path: Path, *, untagged: bool = False) -> None:
    """One tag per token (or, with `untagged`, no tags at all: a test file without gold)."""
    if len(example.tokens) != len(example.tags) and not (untagged and not example.tags):
        raise InputError(
            str(path),
            f"example {example.id}",
            "tags",
            f"has {len(example.tags)} tags for {len(example.tokens)} tokens; give one tag per token",
        )


def token_lines(task: str, tagset: Sequence[str], path: Path) -> Iterator[Parsed]:
    """XTREME-R's token-per-line file: `token<TAB>tag` lines, or token-only lines in test files."""
    lang = lang_in_name(path, r"-([a-z]{2,3})\.tsv$", XTREME_R_NAMING)
    width: list[int] = []

    def build(first: int, block: Block) -> Example:
        tokens, tags = [], []
        for number, line in block:
            cells = line.split("\t")
            if not width:
                width.append(len(cells))
            if len(cells) not in (1, 2) or len(cells) != width[0]:
                wanted = "token<TAB>tag" if width[0] == 2 else "the token only, like the first line"
                raise FieldError(
                    "columns",
                    f"has {len(cells)} tab-separated columns, expected {wanted}",
                    where=f"line {number}",
                )
            if len(cells) == 2 and cells[1] not in tagset:
                raise FieldError(
                    "tag", f"{cells[1]!r} is not one of {' '.join(tagset)}", where=f"line {number}"
                )
            tokens.append(cells[0])
            tags.extend(cells[1:])
        return Example(
            id=line_id(path, first), task=task, kind="tagging", lang=lang, tokens=tokens, tags=tags
        )

    return collect(path, sentence_records(path, build))


def write_token_lines(examples: Sequence[Example], path: Path) -> None:
    def sentence(ex: Example) -> list[str]:
        check_tags(ex, path, untagged=True)
        tokens = [cell(ex, "tokens", token, path) for token in ex.tokens]
        return [f"{t}\t{tag}" for t, tag in zip(tokens, ex.tags, strict=True)] if ex.tags else tokens

    write_lines(path, (line for ex in examples for line in [*sentence(ex), ""]))


def first_token_line(path: Path, limit: int = 200) -> str:
    """The first non-blank, non-comment line among the first `limit` lines, to tell a layout."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for _, line in zip(range(limit), handle, strict=False):
                if line.strip() and not line.startswith("#"):
                    return line.rstrip("\r\n")
    except OSError:
        return ""
    return ""


def first_sentence(path: Path, limit: int = 1000) -> list[str]:
    """The lines of the first blank-line separated block (at most `limit`), to tell a layout."""
    lines: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for line in handle:
                if not line.strip():
                    if lines:
                        break
                    continue
                lines.append(line.rstrip("\r\n"))
                if len(lines) >= limit:
                    break
    except OSError:
        return []
    return lines
