"""Features per kind, length-grouped batches, multi-task schedules and synthetic mixing."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from generator.example import Answer, Example
from trainer.data import (
    IGNORE_INDEX,
    build_schedule,
    collate,
    encode,
    length_grouped_batches,
    mix_synthetic,
    task_probabilities,
)


def _qa(context: str, answer: str, question: str = "Where is it?") -> Example:
    return Example(
        id="q",
        task="squad",
        kind="qa",
        context=context,
        question=question,
        answers=[Answer(answer, context.index(answer))],
    )


def test_qa_windows_cover_long_contexts_and_map_the_answer(tiny_tokenizer: Any) -> None:
    filler = " ".join(["the dog ran to the park"] * 30)
    context = f"{filler} The answer is the red mat. {filler}"
    ex = _qa(context, "the red mat")
    task = encode("squad", "qa", [ex], tiny_tokenizer, max_length=64, doc_stride=16)
    assert len(task.features) > 3
    assert all(len(f["input_ids"]) <= 64 for f in task.features)
    inside = [f for f in task.features if f["start_position"] > 0]
    assert inside, "some window holds the answer"
    eval_task = encode("squad", "qa", [ex], tiny_tokenizer, max_length=64, doc_stride=16, train=False)
    for train_f, eval_f in zip(task.features, eval_task.features, strict=True):
        if train_f["start_position"] > 0:
            start = eval_f["offsets"][train_f["start_position"]][0]
            end = eval_f["offsets"][train_f["end_position"]][1]
            assert context[start:end].strip() == "the red mat"
    assert all(f["start_position"] == 0 == f["end_position"] for f in task.features if f not in inside)


def test_long_question_is_clipped_to_leave_room_for_context(tiny_tokenizer: Any) -> None:
    ex = _qa("The answer is the red mat.", "the red mat", question="where " * 300)
    task = encode("squad", "qa", [ex], tiny_tokenizer, max_length=96, doc_stride=16)
    assert task.features and task.features[0]["start_position"] > 0


def test_unanswerable_question_points_at_cls(tiny_tokenizer: Any) -> None:
    ex = Example(
        id="u", task="squad_v2", kind="qa", context="The cat sat.", question="Who?", is_impossible=True
    )
    feature = encode("squad_v2", "qa", [ex], tiny_tokenizer, max_length=64, doc_stride=16).features[0]
    assert (feature["start_position"], feature["end_position"]) == (0, 0)


def test_tagging_labels_first_subtoken_only(tiny_tokenizer: Any) -> None:
    ex = Example(
        id="t",
        task="wikiann",
        kind="tagging",
        tokens=["Marlowbridge", "is", "bright"],
        tags=["B-LOC", "O", "O"],
    )
    labels = ["O", "B-LOC", "I-LOC"]
    feature = encode("wikiann", "tagging", [ex], tiny_tokenizer, max_length=32, labels=labels).features[0]
    real = [label for label in feature["labels"] if label != IGNORE_INDEX]
    assert real == [1, 0, 0]
    assert len(feature["first_tokens"]) == 3
    assert feature["labels"][0] == IGNORE_INDEX  # <s>
    word_ids = tiny_tokenizer(ex.tokens, is_split_into_words=True).word_ids()
    assert word_ids.count(0) > 1, "the first word is split, so some of its sub-tokens are ignored"


def test_choice_pairs_and_collate_shape(tiny_tokenizer: Any) -> None:
    examples = [
        Example(
            id=str(i),
            task="copa",
            kind="choice",
            context="The man turned on the faucet.",
            question="effect",
            choices=["Water flowed.", "The toilet filled with water and more."],
            label=i % 2,
        )
        for i in range(3)
    ]
    task = encode("copa", "choice", examples, tiny_tokenizer, max_length=64)
    batch = collate(task.features, tiny_tokenizer.pad_token_id)
    assert batch["input_ids"].shape[:2] == (3, 2)
    assert batch["labels"].tolist() == [0, 1, 0]


def test_dynamic_padding_pads_to_the_longest_row(tiny_tokenizer: Any) -> None:
    examples = [
        Example(id=str(i), task="mnli", kind="pair", text_a="word " * n, text_b="x", label=0)
        for i, n in enumerate([2, 9, 4])
    ]
    task = encode("mnli", "pair", examples, tiny_tokenizer, max_length=64)
    batch = collate(task.features, tiny_tokenizer.pad_token_id)
    assert batch["input_ids"].shape[1] == max(task.lengths)
    assert batch["attention_mask"].sum(1).tolist() == task.lengths
    padded = collate(task.features, tiny_tokenizer.pad_token_id, pad_to=64)
    assert padded["input_ids"].shape[1] == 64


def test_length_grouped_batches_are_a_seeded_partition_of_similar_lengths() -> None:
    rng = random.Random(0)
    lengths = [rng.randint(5, 500) for _ in range(1000)]
    batches = length_grouped_batches(lengths, 16, random.Random(1))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert batches == length_grouped_batches(lengths, 16, random.Random(1))
    assert batches != length_grouped_batches(lengths, 16, random.Random(2))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    random_order = list(range(1000))
    random.Random(3).shuffle(random_order)
    plain = [random_order[j : j + 16] for j in range(0, 1000, 16)]
    plain_spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in plain) / len(plain)
    assert spread < plain_spread / 5


@pytest.mark.parametrize(
    ("sampling", "expected"),
    [
        ("proportional", {"a": 0.9, "b": 0.1}),
        ("uniform", {"a": 0.5, "b": 0.5}),
        ("temperature", {"a": 0.75, "b": 0.25}),
    ],
)
def test_task_probabilities(sampling: Any, expected: dict[str, float]) -> None:
    probs = task_probabilities({"a": 900, "b": 100}, sampling, temperature=2.0)
    assert probs == pytest.approx(expected)


def test_multitask_schedule_follows_sampling_and_is_reproducible() -> None:
    lengths = {"big": [10] * 900, "small": [10] * 100}
    sizes = {"big": 10, "small": 10}
    steps = build_schedule(lengths, sizes, epochs=1, seed=3, sampling="uniform")
    assert len(steps) == 100
    counts = Counter(s.task for s in steps)
    assert 30 < counts["small"] < 70
    assert steps == build_schedule(lengths, sizes, epochs=1, seed=3, sampling="uniform")
    proportional = Counter(s.task for s in build_schedule(lengths, sizes, epochs=1, seed=3))
    assert proportional["small"] < counts["small"]
    capped = build_schedule(lengths, sizes, epochs=1, seed=3, max_steps=7)
    assert len(capped) == 7


def test_mix_synthetic_reaches_the_ratio_as_far_as_there_is_data() -> None:
    english = [Example(id=f"e{i}", task="mnli", kind="pair", label=0) for i in range(30)]
    synthetic = [Example(id=f"s{i}", task="mnli", kind="pair", lang="sw", label=0) for i in range(100)]
    mixed, added = mix_synthetic(english, synthetic, 0.25, random.Random(0))
    assert added == 10 and len(mixed) == 40
    mixed, added = mix_synthetic(english, synthetic[:5], 0.5, random.Random(0))
    assert added == 5
