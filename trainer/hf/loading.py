"""Loading a split with `datasets` (imported only here, when data is loaded) and converting its rows."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from generator.errors import ConfigError, InputError, MissingDependencyError
from generator.example import Example
from generator.tasks.base import FieldError, SkipRecord
from generator.tasks.realign import Realigner
from trainer.hf.qa import SquadRows, number_paragraphs
from trainer.hf.registry import resolve
from trainer.hf.spec import HfSpec, Row, RowContext

_TRUE = {"1", "ON", "YES", "TRUE"}


def class_names(features: Mapping[str, Any]) -> dict[str, list[str]]:
    """ClassLabel names per column, for label columns and lists of labels."""
    from datasets import ClassLabel

    out: dict[str, list[str]] = {}
    for column, feature in features.items():
        inner = getattr(feature, "feature", feature)
        if isinstance(inner, ClassLabel):
            out[column] = list(inner.names)
    return out


def examples_from_rows(
    spec: HfSpec,
    rows: Iterable[Row],
    classes: Mapping[str, Sequence[str]] | None = None,
    *,
    realigner: Realigner | None = None,
) -> list[Example]:
    """Examples of the rows of `spec`'s dataset; a bad row raises InputError naming the row and field.

    QA answers are realigned by `realigner` (which counts, per language, what it moved and dropped);
    a question left without answers is skipped.
    """
    source = resolve(spec)
    match = source.config_match(spec.config)
    name = f"{spec.config or spec.id.rsplit('/', 1)[-1]}-{spec.split}"
    realigner = realigner if realigner is not None else Realigner()
    examples: list[Example] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, 1):
        ctx = RowContext(source.format, source.lang(match, row), name, index, classes or {}, realigner)
        if spec.lang is not None and ctx.lang != spec.lang:
            continue
        try:
            example = source.schema.convert(row, ctx)
            if example.id in seen:
                raise FieldError("id", f"{example.id!r} repeats an earlier row's id; ids must be unique")
        except SkipRecord:
            continue
        except FieldError as err:
            raise InputError(spec.describe(), f"row {index}", err.field, err.problem) from None
        seen.add(example.id)
        examples.append(example)
    return number_paragraphs(examples) if isinstance(source.schema, SquadRows) else examples


def examples_from_dataset(spec: HfSpec, dataset: Any, *, realigner: Realigner | None = None) -> list[Example]:
    """Examples of a loaded `datasets.Dataset` holding `spec`'s split, class names from its features."""
    return examples_from_rows(spec, dataset, class_names(dataset.features), realigner=realigner)


def _offline() -> bool:
    flags = (os.environ.get("HF_DATASETS_OFFLINE", ""), os.environ.get("HF_HUB_OFFLINE", ""))
    return any(flag.upper() in _TRUE for flag in flags)


def load_hf_examples(spec: HfSpec, *, realigner: Realigner | None = None) -> list[Example]:
    """Load `spec`'s split with `datasets.load_dataset` (hub or local cache) and convert its rows."""
    resolve(spec)
    try:
        import datasets
    except ImportError:
        raise MissingDependencyError(
            "reading `hf:` data needs the datasets package: pip install datasets"
        ) from None
    try:
        dataset = datasets.load_dataset(spec.id, spec.config, split=spec.split, revision=spec.revision)
    except OSError as err:
        if _offline() or datasets.config.HF_HUB_OFFLINE:
            reason = (
                f"HF_DATASETS_OFFLINE is set and the cache ({datasets.config.HF_DATASETS_CACHE}) "
                "does not hold it: load it once where the hub is reachable to fill the cache, or"
            )
        else:
            reason = (
                "the Hugging Face hub is not reachable from here: set HF_DATASETS_OFFLINE=1 with a "
                "cache (HF_DATASETS_CACHE) that holds it, or"
            )
        raise ConfigError(
            f"{spec.describe()}: cannot load ({err}); {reason} download the dataset's files and "
            "name them with `path:` and a task format instead"
        ) from None
    except ValueError as err:
        raise ConfigError(f"{spec.describe()}: {err}; check `split` and `config`") from None
    return examples_from_dataset(spec, dataset, realigner=realigner)
