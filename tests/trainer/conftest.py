"""Trainer fixtures: one tiny random XLM-R per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.tiny import build_tiny_xlmr

KEYWORD_WORDS = [
    "red",
    "blue",
    "green",
    "small",
    "large",
    "quick",
    "slow",
    "happy",
    "sad",
    "bright",
    "dark",
    "warm",
    "cold",
]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer hidden-64 random XLM-R whose vocabulary covers the keyword task words."""
    extra = [" ".join(KEYWORD_WORDS)] * 20 + ["the cat sat on the mat and the dog ran to the park"] * 10
    return build_tiny_xlmr(tmp_path_factory.mktemp("tiny-xlmr"), extra, vocab_size=400)


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model: Path):  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)
