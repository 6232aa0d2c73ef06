"""Retrieval on a tiny random XLM-R: pooling, layer choice, Tatoeba reading and evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from generator.errors import ConfigError, InputError
from tests.conftest import shared_file
from trainer.retrieval import (
    TATOEBA_CODES,
    embed_sentences,
    evaluate_ranking,
    evaluate_tatoeba,
    read_tatoeba,
    tatoeba_languages,
)

SENTENCES = [
    "The dog walks to the market.",
    "La casa está cerca de la escuela.",
    "Mtoto anaishi mji wetu.",
    "A teacher remembers the mountains and a red car near the old station.",
    "Der Hund geht zu der Schule.",
    "Mon ami regarde la gare.",
]


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer

    from trainer.tiny import build_tiny_xlmr

    path = build_tiny_xlmr(
        tmp_path_factory.mktemp("tiny-xlmr"), SENTENCES, vocab_size=400, hidden_size=32, layers=2, heads=4
    )
    return AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def _manual_mean(model: Any, tokenizer: Any, sentence: str, layer: int) -> np.ndarray:
    import torch

    with torch.no_grad():
        batch = tokenizer([sentence], return_tensors="pt")
        states = model(**batch, output_hidden_states=True).hidden_states[layer]
    return states[0].mean(dim=0).numpy()


def test_embeddings_ignore_padding_and_keep_order(tiny_xlmr: tuple[Any, Any]) -> None:
    model, tokenizer = tiny_xlmr
    batched = embed_sentences(model, tokenizer, SENTENCES, batch_size=4)
    assert batched.shape == (len(SENTENCES), 32)
    for i, sentence in enumerate(SENTENCES):
        # Alone, a sentence has no padding: the plain mean over its tokens is the reference.
        np.testing.assert_allclose(batched[i], _manual_mean(model, tokenizer, sentence, 1), atol=1e-5)


def test_layer_choice_and_mode_restored(tiny_xlmr: tuple[Any, Any]) -> None:
    model, tokenizer = tiny_xlmr
    model.train()
    middle = embed_sentences(model, tokenizer, SENTENCES[:2])
    assert model.training
    model.eval()
    np.testing.assert_allclose(middle, embed_sentences(model, tokenizer, SENTENCES[:2], layer=1))
    assert not np.allclose(middle, embed_sentences(model, tokenizer, SENTENCES[:2], layer=2))
    with pytest.raises(ConfigError, match="use 0 \\(embeddings\\) to 2"):
        embed_sentences(model, tokenizer, SENTENCES, layer=3)


def test_identity_retrieval_is_perfect(tiny_xlmr: tuple[Any, Any]) -> None:
    model, tokenizer = tiny_xlmr
    scores = evaluate_tatoeba(model, tokenizer, SENTENCES, SENTENCES, batch_size=2)
    assert scores == {"accuracy": 100.0, "accuracy_xx_en": 100.0}
    emb = embed_sentences(model, tokenizer, SENTENCES)
    assert evaluate_ranking(emb, emb, [{i} for i in range(len(SENTENCES))]) == pytest.approx(100.0)


def test_ranking_with_several_relevant_candidates() -> None:
    queries = np.array([[1.0, 0.0]])
    candidates = np.array([[1.0, 0.1], [0.0, 1.0], [1.0, 0.5]])
    # Cosine ranking 0, 2, 1; relevant {0, 1}: hits at ranks 1 and 3 -> (1 + 2/3) / 2.
    assert evaluate_ranking(queries, candidates, [{0, 1}]) == pytest.approx(100 * (5 / 6))


def test_reader_errors(tmp_path: Path) -> None:
    (tmp_path / "tatoeba.swh-eng.swh").write_text("moja\nmbili\n", encoding="utf-8")
    (tmp_path / "tatoeba.swh-eng.eng").write_text("one\n", encoding="utf-8")
    assert tatoeba_languages(tmp_path) == ["sw"]
    with pytest.raises(InputError, match=r"tatoeba.swh-eng.eng: line 2: field 'text'"):
        read_tatoeba(tmp_path, "sw")
    with pytest.raises(ConfigError, match="no Tatoeba test set for language 'xx'"):
        read_tatoeba(tmp_path, "xx")
    with pytest.raises(ConfigError, match="is missing"):
        read_tatoeba(tmp_path, "zh")


def test_shared_tatoeba_folder_maps_every_language() -> None:
    directory = shared_file("tatoeba/tatoeba.afr-eng.afr").parent
    found = tatoeba_languages(directory)
    assert len(found) == 36
    assert {"sw", "zh", "fa", "tl", "jv"} <= set(found)
    files = {p.name.split(".")[1].split("-")[0] for p in directory.glob("tatoeba.*-eng.*")}
    assert files <= set(TATOEBA_CODES)
    src, eng = read_tatoeba(directory, "jv")
    assert len(src) == len(eng) == 205


@pytest.mark.parametrize("lang", ["sw", "zh"])
def test_tatoeba_on_shared_data(tiny_xlmr: tuple[Any, Any], lang: str) -> None:
    directory = shared_file(f"tatoeba/tatoeba.{'swh' if lang == 'sw' else 'cmn'}-eng.eng").parent
    model, tokenizer = tiny_xlmr
    src, eng = read_tatoeba(directory, lang)
    src, eng = src[:300], eng[:300]
    scores = evaluate_tatoeba(model, tokenizer, src, eng, max_length=64)
    assert set(scores) == {"accuracy", "accuracy_xx_en"}
    assert all(0.0 <= value <= 100.0 for value in scores.values())
    # Identity: sentences the tiny vocabulary tells apart retrieve themselves.
    ids = tokenizer(eng, truncation=True, max_length=64)["input_ids"]
    distinct = list({tuple(x): s for x, s in zip(ids, eng, strict=True)}.values())
    assert evaluate_tatoeba(model, tokenizer, distinct, distinct, max_length=64)["accuracy"] == 100.0
