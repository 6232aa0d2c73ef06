"""Task data for training (read by `trainer.reading`): examples to model features per task kind,
length-grouped batching, multi-task and synthetic mixing.

Features are plain dicts of Python lists (tensors are made per batch by `collate`, padded to the
longest sequence in the batch). QA contexts longer than the window are split into overlapping
windows (`doc_stride` tokens of overlap) that keep character offsets for mapping answers back to
text; tagging labels sit on the first sub-token of each word (others `IGNORE_INDEX`); multiple
choice encodes one (context, choice) pair per choice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from generator.errors import InputError
from generator.example import Example, Kind

IGNORE_INDEX = -100
Feature = dict[str, Any]
Sampling = Literal["proportional", "temperature", "uniform"]
_CHUNK = 512  # examples tokenised per call
MAX_QUESTION_TOKENS = 64


@dataclass(slots=True)
class EncodedTask:
    """One task's examples and their features; `labels` names the classes of tagging/pair tasks."""

    name: str
    kind: Kind
    examples: list[Example]
    features: list[Feature]
    labels: list[str] = field(default_factory=list)

    @property
    def lengths(self) -> list[int]:
        return [feature_length(f) for f in self.features]


def feature_length(feature: Feature) -> int:
    """Tokens the feature occupies in a padded batch row (all choices of a choice feature)."""
    ids = feature["input_ids"]
    if ids and isinstance(ids[0], list):
        return max(len(x) for x in ids) * len(ids)
    return len(ids)


def encode(
    task: str,
    kind: Kind,
    examples: Sequence[Example],
    tokenizer: Any,
    *,
    max_length: int,
    doc_stride: int = 128,
    labels: Sequence[str] = (),
    train: bool = True,
) -> EncodedTask:
    """Tokenise examples into features for `kind`; `labels` maps tagging tags to ids."""
    examples = list(examples)
    if kind == "qa":
        features = _encode_qa(examples, tokenizer, max_length, doc_stride, train)
    elif kind == "tagging":
        features = _encode_tagging(examples, tokenizer, max_length, labels)
    elif kind == "choice":
        features = _encode_choice(task, examples, tokenizer, max_length)
    elif kind == "pair":
        features = _encode_pair(examples, tokenizer, max_length)
    else:
        raise InputError(task, "task", "kind", f"kind {kind!r} is not trainable; retrieval is evaluated only")
    return EncodedTask(task, kind, examples, features, list(labels))


def _chunks(n: int) -> Iterator[range]:
    for start in range(0, n, _CHUNK):
        yield range(start, min(n, start + _CHUNK))


def _encode_pair(examples: list[Example], tokenizer: Any, max_length: int) -> list[Feature]:
    features: list[Feature] = []
    for chunk in _chunks(len(examples)):
        batch = [examples[i] for i in chunk]
        enc = tokenizer(
            [e.text_a for e in batch], [e.text_b for e in batch], truncation=True, max_length=max_length
        )
        for i, ids in zip(chunk, enc["input_ids"], strict=True):
            features.append({"input_ids": ids, "label": examples[i].label, "example": i})
    return features


def _choice_second(example: Example, choice: str) -> str:
    return f"{example.question} {choice}".strip() if example.question else choice


def _encode_choice(task: str, examples: list[Example], tokenizer: Any, max_length: int) -> list[Feature]:
    counts = {len(e.choices) for e in examples}
    if len(counts) > 1:
        raise InputError(
            task, "examples", "choices", f"choice counts differ ({sorted(counts)}); use one count"
        )
    features: list[Feature] = []
    for i, ex in enumerate(examples):
        enc = tokenizer(
            [ex.context] * len(ex.choices),
            [_choice_second(ex, c) for c in ex.choices],
            truncation=True,
            max_length=max_length,
        )
        features.append({"input_ids": enc["input_ids"], "label": ex.label, "example": i})
    return features


def _encode_tagging(
    examples: list[Example], tokenizer: Any, max_length: int, labels: Sequence[str]
) -> list[Feature]:
    label_id = {tag: i for i, tag in enumerate(labels)}
    features: list[Feature] = []
    for chunk in _chunks(len(examples)):
        batch = [examples[i] for i in chunk]
        enc = tokenizer(
            [e.tokens for e in batch], is_split_into_words=True, truncation=True, max_length=max_length
        )
        for row, i in enumerate(chunk):
            ex = examples[i]
            word_ids = enc.word_ids(row)
            token_labels, first_tokens, previous = [], [], None
            for pos, word in enumerate(word_ids):
                if word is None or word == previous:
                    token_labels.append(IGNORE_INDEX)
                else:
                    token_labels.append(
                        label_id.get(ex.tags[word], IGNORE_INDEX) if ex.tags else IGNORE_INDEX
                    )
                    first_tokens.append(pos)
                previous = word
            features.append(
                {
                    "input_ids": enc["input_ids"][row],
                    "labels": token_labels,
                    "first_tokens": first_tokens,
                    "example": i,
                }
            )
    return features


def _encode_qa(
    examples: list[Example], tokenizer: Any, max_length: int, doc_stride: int, train: bool
) -> list[Feature]:
    features: list[Feature] = []
    question_limit = min(MAX_QUESTION_TOKENS, max_length - doc_stride - 5)
    for chunk in _chunks(len(examples)):
        batch = [examples[i] for i in chunk]
        enc = tokenizer(
            _clip(tokenizer, [e.question.lstrip() for e in batch], question_limit),
            [e.context for e in batch],
            truncation="only_second",
            max_length=max_length,
            stride=doc_stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for window, ids in enumerate(enc["input_ids"]):
            i = chunk[enc["overflow_to_sample_mapping"][window]]
            sequence_ids = enc.sequence_ids(window)
            offsets = enc["offset_mapping"][window]
            context = [pos for pos, s in enumerate(sequence_ids) if s == 1]
            feature: Feature = {"input_ids": ids, "example": i}
            if train:
                feature["start_position"], feature["end_position"] = _answer_positions(
                    examples[i], offsets, context
                )
            else:
                feature["offsets"] = [
                    tuple(offsets[pos]) if sequence_ids[pos] == 1 else None for pos in range(len(ids))
                ]
            features.append(feature)
    return features


def _clip(tokenizer: Any, texts: list[str], limit: int) -> list[str]:
    """Texts cut after `limit` tokens, so a long question leaves room for the context window."""
    enc = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
    return [
        text if len(offsets) <= limit else text[: offsets[limit - 1][1]]
        for text, offsets in zip(texts, enc["offset_mapping"], strict=True)
    ]


def _answer_positions(
    example: Example, offsets: Sequence[Sequence[int]], context: list[int]
) -> tuple[int, int]:
    """Token positions of the first answer inside this window, or (0, 0) for "not in this window"."""
    if example.is_impossible or not example.answers or not context:
        return 0, 0
    answer = example.answers[0]
    start_char, end_char = answer.start, answer.start + len(answer.text)
    first, last = context[0], context[-1]
    if offsets[first][0] > start_char or offsets[last][1] < end_char:
        return 0, 0
    start = first
    while start <= last and offsets[start][1] <= start_char:
        start += 1
    end = last
    while end >= start and offsets[end][0] >= end_char:
        end -= 1
    return (start, end) if start <= end else (0, 0)


def collate(features: Sequence[Feature], pad_id: int, pad_to: int | None = None) -> dict[str, Any]:
    """Tensors for one batch, padded to the longest row (or to `pad_to`)."""
    import torch

    first = features[0]
    choice = bool(first["input_ids"]) and isinstance(first["input_ids"][0], list)
    rows: list[list[int]] = (
        [ids for f in features for ids in f["input_ids"]] if choice else [f["input_ids"] for f in features]
    )
    width = pad_to or max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        ids[r, : len(row)] = torch.tensor(row[:width], dtype=torch.long)
        mask[r, : len(row)] = 1
    if choice:
        ids, mask = ids.view(len(features), -1, width), mask.view(len(features), -1, width)
    batch: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
    if "label" in first:
        batch["labels"] = torch.tensor([f["label"] for f in features], dtype=torch.long)
    if "labels" in first:
        labels = torch.full((len(features), width), IGNORE_INDEX, dtype=torch.long)
        for r, f in enumerate(features):
            labels[r, : len(f["labels"])] = torch.tensor(f["labels"][:width], dtype=torch.long)
        batch["labels"] = labels
    if "start_position" in first:
        batch["start_positions"] = torch.tensor([f["start_position"] for f in features], dtype=torch.long)
        batch["end_positions"] = torch.tensor([f["end_position"] for f in features], dtype=torch.long)
    return batch


def length_grouped_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random, group_batches: int = 50
) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort within groups of `group_batches` batches, shuffle batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    group = batch_size * group_batches
    batches: list[list[int]] = []
    for start in range(0, len(order), group):
        members = sorted(order[start : start + group], key=lambda i: lengths[i], reverse=True)
        batches += [members[j : j + batch_size] for j in range(0, len(members), batch_size)]
    rng.shuffle(batches)
    return batches


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Deterministic batches by descending length, for evaluation."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    return [order[j : j + batch_size] for j in range(0, len(order), batch_size)]


@dataclass(frozen=True, slots=True)
class Step:
    """One optimiser step: a batch of feature indices of one task (split over processes and micro-batches)."""

    task: str
    indices: tuple[int, ...]


def task_probabilities(
    sizes: dict[str, int], sampling: Sampling, temperature: float = 2.0
) -> dict[str, float]:
    """Sampling probability per task: proportional to size, size^(1/T), or uniform."""
    if sampling == "uniform":
        weights = {t: 1.0 for t in sizes}
    elif sampling == "temperature":
        weights = {t: n ** (1.0 / temperature) for t, n in sizes.items()}
    else:
        weights = {t: float(n) for t, n in sizes.items()}
    total = sum(weights.values())
    return {t: w / total for t, w in weights.items()}


def build_schedule(
    lengths: Mapping[str, Sequence[int]],
    batch_sizes: dict[str, int],
    *,
    epochs: float,
    seed: int,
    sampling: Sampling = "proportional",
    temperature: float = 2.0,
    max_steps: int | None = None,
) -> list[Step]:
    """Every step of a phase, fixed by the seed, so a resumed run replays the same batches.

    One epoch is as many steps as all tasks' batches together. Proportional sampling visits every
    batch of every task once per epoch, in a random order (a task's share of the steps is its share
    of the batches); temperature and uniform sampling draw each step's task by probability and take
    that task's next length-grouped batch (a task that runs out starts a fresh shuffle of its data).
    """
    rng = random.Random(seed)
    queues: dict[str, list[list[int]]] = {t: [] for t in lengths}

    def next_batch(task: str) -> list[int]:
        if not queues[task]:
            queues[task] = length_grouped_batches(lengths[task], batch_sizes[task], rng)
        return queues[task].pop(0)

    per_epoch = sum(math.ceil(len(n) / batch_sizes[t]) for t, n in lengths.items())
    total = max_steps if max_steps is not None else max(1, round(per_epoch * epochs))
    tasks = [t for t in lengths if len(lengths[t])]
    if len(tasks) == 1:
        return [Step(tasks[0], tuple(next_batch(tasks[0]))) for _ in range(total)]
    if sampling == "proportional":
        order: list[str] = []
        while len(order) < total:
            epoch = [t for t in tasks for _ in range(math.ceil(len(lengths[t]) / batch_sizes[t]))]
            rng.shuffle(epoch)
            order += epoch
        return [Step(task, tuple(next_batch(task))) for task in order[:total]]
    probs = task_probabilities({t: len(lengths[t]) for t in tasks}, sampling, temperature)
    weights = [probs[t] for t in tasks]
    return [Step(task, tuple(next_batch(task))) for task in rng.choices(tasks, weights, k=total)]


def mix_synthetic(
    english: list[Example], synthetic: list[Example], ratio: float, rng: random.Random
) -> tuple[list[Example], int]:
    """English plus enough synthetic examples that they make up `ratio` of the result (as far as there are)."""
    if ratio <= 0 or not synthetic:
        return list(english), 0
    wanted = round(len(english) * ratio / (1.0 - ratio))
    chosen = rng.sample(synthetic, min(wanted, len(synthetic)))
    return [*english, *chosen], len(chosen)


def read_synthetic(
    shard_dirs: Sequence[Path],
    tasks: Sequence[str],
    langs: Sequence[str] = (),
    methods: Sequence[str] = (),
) -> dict[str, list[Example]]:
    """Synthetic examples per task from shard directories, checksums verified, filtered by langs/methods."""
    from generator.shards import iter_examples

    out: dict[str, list[Example]] = {t: [] for t in tasks}
    for directory in shard_dirs:
        for task in tasks:
            for lang in _or_all(langs):
                for method in _or_all(methods):
                    out[task].extend(iter_examples(Path(directory), task=task, lang=lang, method=method))
    return out


def _or_all(values: Sequence[str]) -> list[str | None]:
    """The values, or [None] (no filter) when there are none."""
    return list(values) if values else [None]
