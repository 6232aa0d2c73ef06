"""CCG supertagging, in the two layouts English CCGbank-derived data comes in.

Piped layout: one sentence per line of space-separated `word|supertag` tokens (the tag is after the
last `|`; categories never hold one). jiant's layout (`ccg.{train,dev,test}`, what the X-STILTs
experiments trained on): one `text<TAB>tags` line per sentence, the text split on single spaces,
the tags on whitespace, one tag per token; `tags_to_id.json` beside the files fixes the tag set
(1,363 supertags) and a tag outside it is an error. Record ids: `<file stem>-<line>`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    RAW,
    FieldError,
    Layout,
    Parsed,
    TaskFormat,
    line_id,
    per_line,
)
from generator.tasks.files import write_lines
from generator.tasks.gold import tag_gold
from generator.tasks.token_lines import check_tags, first_token_line

TAGS_TO_ID = "tags_to_id.json"


def _piped(path: Path) -> Iterator[Parsed]:
    def build(number: int, line: str) -> Example:
        tokens, tags = [], []
        for i, item in enumerate(line.split(), 1):
            word, bar, tag = item.rpartition("|")
            if not bar or not word or not tag:
                raise FieldError("tokens", f"token {i} {item!r} should be word|supertag")
            tokens.append(word)
            tags.append(tag)
        return Example(id=line_id(path, number), task="ccg", kind="tagging", tokens=tokens, tags=tags)

    return per_line(path, build)


def _spaceless(ex: Example, path: Path) -> list[str]:
    check_tags(ex, path)
    for token in ex.tokens:
        if not token or any(c.isspace() for c in token):
            raise InputError(str(path), f"example {ex.id}", "tokens", f"{token!r} is empty or holds a space")
    return ex.tokens


def _write_piped(examples: Sequence[Example], path: Path) -> None:
    lines = (
        " ".join(f"{token}|{tag}" for token, tag in zip(_spaceless(ex, path), ex.tags, strict=True))
        for ex in examples
    )
    write_lines(path, lines)


def tag_set(path: Path) -> frozenset[str] | None:
    """The supertags jiant's `tags_to_id.json` beside `path` allows, or None when there is none."""
    source = path.with_name(TAGS_TO_ID)
    if not source.is_file():
        return None
    try:
        mapping = json.loads(source.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(str(source), "file", "(json)", f"not a JSON object of tag -> id: {err}") from None
    if not isinstance(mapping, dict):
        raise InputError(str(source), "file", "(json)", "should be a JSON object of tag -> id")
    return frozenset(mapping)


def _jiant(path: Path) -> Iterator[Parsed]:
    allowed = tag_set(path)

    def build(number: int, line: str) -> Example:
        text, tab, tag_text = line.strip().partition("\t")
        if not tab or "\t" in tag_text:
            raise FieldError("columns", "should be text<TAB>tags (jiant's CCG layout)")
        tokens, tags = text.split(" "), tag_text.split()
        if len(tokens) != len(tags):
            raise FieldError("tags", f"has {len(tags)} tags for {len(tokens)} space-separated tokens")
        unknown = sorted({tag for tag in tags if allowed is not None and tag not in allowed})
        if unknown:
            raise FieldError("tags", f"{' '.join(unknown)} not in {TAGS_TO_ID} beside the file")
        return Example(id=line_id(path, number), task="ccg", kind="tagging", tokens=tokens, tags=tags)

    return per_line(path, build)


def _write_jiant(examples: Sequence[Example], path: Path) -> None:
    write_lines(path, (f"{' '.join(_spaceless(ex, path))}\t{' '.join(ex.tags)}" for ex in examples))


def _tabbed(path: Path) -> bool:
    return "\t" in first_token_line(path)


FORMATS = (
    TaskFormat(
        name="ccg",
        kind="tagging",
        family="word|tag lines",
        labels=(),
        description="CCG supertagging: word|supertag tokens per line, or jiant's text<TAB>tags (tags_to_id.json)",
        extensions=(".txt", ".stagged", ".train", ".dev", ".test"),
        layouts=(
            Layout(RAW, "one sentence per line of word|supertag tokens", _piped, _write_piped),
            Layout(
                RAW,
                "jiant's ccg.{train,dev,test}: text<TAB>tags per line, tags_to_id.json beside",
                _jiant,
                _write_jiant,
                r"^ccg\.(?:train|dev|test)$",
                _tabbed,
            ),
        ),
        gold=tag_gold("ccg"),
    ),
)
