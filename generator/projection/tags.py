"""Tagging through translation: entity runs marked, the marked translation re-tokenised and re-tagged."""

from __future__ import annotations

from collections.abc import Sequence

from generator.example import Example
from generator.projection.config import MARKER, ProjectionConfig
from generator.projection.fields import derived_example
from generator.projection.spans import has_markers, mark, read_marked, token_spans


def is_bio(tags: Sequence[str]) -> bool:
    """Whether every tag is O, B-X or I-X (entity tags that projection can carry)."""
    return all(t == "O" or t[:2] in ("B-", "I-") for t in tags)


def entity_runs(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first token, last token exclusive, type) of each B-/I- run; a stray I- opens a run (IOB1)."""
    runs: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        if tag == "O":
            continue
        kind = tag[2:]
        if tag.startswith("I-") and runs and runs[-1][1] == i and runs[-1][2] == kind:
            runs[-1] = (runs[-1][0], i + 1, kind)
        else:
            runs.append((i, i + 1, kind))
    return runs


def mark_entities(tokens: Sequence[str], tags: Sequence[str], markers: tuple[str, str]) -> str:
    """The whitespace-joined sentence with every entity run wrapped in the marker pair."""
    text = " ".join(tokens)
    if has_markers(text, markers):
        return ""
    offsets: list[int] = []
    pos = 0
    for tok in tokens:
        offsets.append(pos)
        pos += len(tok) + 1
    spans = [(offsets[a], offsets[b - 1] + len(tokens[b - 1])) for a, b, _ in entity_runs(tags)]
    return mark(text, spans, markers)


def project_tags(
    example: Example, translated_marked: str, *, lang: str, method: str, config: ProjectionConfig
) -> Example | None:
    """The translated tagging example with B-/I- on tokens covered by a projected entity; None if one is lost."""
    runs = entity_runs(example.tags)
    read = read_marked(translated_marked, config.markers, len(runs))
    if read is None:
        return None
    tokens = token_spans(read.text)
    tags = ["O"] * len(tokens)
    for (start, end), (_, _, kind) in zip(read.spans, runs, strict=True):
        covered = [k for k, (a, b) in enumerate(tokens) if b > start and a < end]
        if not covered or any(tags[k] != "O" for k in covered):
            return None
        tags[covered[0]] = f"B-{kind}"
        for k in covered[1:]:
            tags[k] = f"I-{kind}"
    out = derived_example(example, lang, method)
    out.tokens = [read.text[a:b] for a, b in tokens]
    out.tags = tags
    if not out.tokens:
        return None
    out.projection = MARKER if runs else ""
    return out
