"""Data files and splits checked before anything trains: a file reads in its layout (given or
detected), holds the language it is configured for, and holds gold labels; a Hugging Face split is
not one published without them. Each problem says what to use instead."""

from __future__ import annotations

from pathlib import Path

from generator.errors import ConfigError, InputError
from trainer.hf.registry import hides_gold
from trainer.hf.spec import HfSpec


def file_problems(
    where: str, fmt: str, path: Path, *, layout: str | None, lang: str | None, mixed_only: bool = False
) -> list[str]:
    """Why `path` cannot serve as `where` (a training or evaluation file of format `fmt`), if it cannot:
    it does not read, has no gold, or does not hold `lang` (with `mixed_only`: when it mixes languages,
    as a training file mixing languages is narrowed to `lang`)."""
    from generator.tasks import read_examples

    try:
        result = read_examples(fmt, path, layout=layout)
    except (InputError, ConfigError) as err:
        return [f"{where}: {err}"]
    if result.no_gold:
        return [f"{where}: {result.no_gold}"]
    langs = {example.lang for example in result.examples}
    if lang is not None and langs and lang not in langs and (len(langs) > 1 or not mixed_only):
        held = ", ".join(sorted(langs))
        return [f"{where}: {path} holds {held} examples, not {lang}; point the {lang} entry at a {lang} file"]
    return []


def split_problems(where: str, spec: HfSpec) -> list[str]:
    """Why `spec` cannot serve as `where`: a split published without gold labels."""
    if hides_gold(spec):
        return [
            f"{where}: {spec.describe()} is published without gold labels (they are kept hidden); "
            "use its validation split, or a file that keeps the labels"
        ]
    return []


def layout_problem(where: str, layout: str | None, is_hf: bool) -> str | None:
    """A `layout:` that does not fit its source: `hf` for a file, a file layout for an `hf:` split."""
    if layout == "hf" and not is_hf:
        return f"{where}: layout hf is for `hf:` dataset splits; for a file give layout xtreme-r or raw"
    if layout not in (None, "hf") and is_hf:
        return f"{where}: layout {layout} is a file layout; an `hf:` split needs no layout (or layout hf)"
    return None
