"""LAReQA and Mewsli-X end to end on a tiny random XLM-R: dual encoder, fine-tuning, shared files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from generator.errors import ConfigError
from tests.conftest import shared_file
from trainer.benchmark import task_average
from trainer.config.retrieval import RetrievalConfig, RetrievalRecipe
from trainer.dual_encoder import DualEncoder, encode_texts, finetune
from trainer.retrieval_tasks import run_dual_encoder_task

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "trainer" / "mewslix"
SQUAD = "english/squad_v1.1/train-v1.1.first11articles.json"


def _accelerator() -> Any:
    from accelerate import Accelerator

    return Accelerator(cpu=True)


def test_encodings_are_unit_vectors_in_input_order(tiny_model: Path, tiny_tokenizer: Any) -> None:
    model = DualEncoder.from_pretrained(tiny_model, seed=3)
    texts = ["the cat sat on the mat", "red", "the dog ran to the park and the cat sat"]
    batched = encode_texts(model, tiny_tokenizer, texts, max_length=32, batch_size=2)
    assert batched.shape == (3, 64)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    alone = encode_texts(model, tiny_tokenizer, texts[2:], max_length=32)
    np.testing.assert_allclose(batched[2], alone[0], atol=1e-5)
    # The checkpoint has no pooler: it is initialised from the seed, so one seed gives one model.
    again = encode_texts(
        DualEncoder.from_pretrained(tiny_model, seed=3), tiny_tokenizer, texts, max_length=32
    )
    np.testing.assert_allclose(batched, again, atol=1e-6)


def test_finetune_steps_and_saved_model(tiny_model: Path, tiny_tokenizer: Any, tmp_path: Path) -> None:
    model = DualEncoder.from_pretrained(tiny_model)
    pairs = [
        (f"{w} question", f"{w} answer text") for w in ["red", "blue", "green", "small", "large", "quick"]
    ]
    recipe = RetrievalRecipe(
        epochs=1.0, lr=1e-3, batch_size=3, grad_accum=2, query_length=16, candidate_length=16
    )
    before = encode_texts(model, tiny_tokenizer, ["red question"], max_length=16)
    losses = finetune(model, tiny_tokenizer, pairs, recipe, seed=0, accelerator=_accelerator(), max_steps=3)
    assert len(losses) == 3 and all(loss > 0 for loss in losses)
    after = encode_texts(model, tiny_tokenizer, ["red question"], max_length=16)
    assert not np.allclose(before, after)
    model.logit_scale.data.fill_(42.0)
    model.save(tmp_path / "m", tiny_tokenizer)
    reloaded = DualEncoder.from_pretrained(tmp_path / "m")
    assert float(reloaded.logit_scale.detach()) == 42.0
    np.testing.assert_allclose(
        encode_texts(reloaded, tiny_tokenizer, ["red question"], max_length=16), after, atol=1e-5
    )
    with pytest.raises(ConfigError, match="cannot fill one optimiser step"):
        finetune(model, tiny_tokenizer, pairs[:5], recipe, seed=0, accelerator=_accelerator())


def _config(**fields: Any) -> RetrievalConfig:
    return RetrievalConfig.model_validate(fields, context={"check_files": False})


def test_lareqa_on_shared_xquad_r(tiny_model: Path, tiny_tokenizer: Any, tmp_path: Path) -> None:
    lareqa = shared_file("xtreme-r/download/lareqa/xquad-r/en.json").parents[1]
    config = _config(
        task="lareqa",
        dir=lareqa,
        langs=["en", "th"],
        query_length=32,
        candidate_length=64,
        finetune={
            "train": shared_file(SQUAD),
            "max_examples": 24,
            "max_steps": 2,
            "batch_size": 4,
            "grad_accum": 2,
        },
    )
    torch.manual_seed(0)
    scores = run_dual_encoder_task(
        config, tiny_model, tiny_tokenizer, seed=1, out_dir=tmp_path, batch_size=256
    )
    assert set(scores) == {"lareqa", "lareqa_frozen"}
    for cells in scores.values():
        assert set(cells) == {"en", "th"}
        assert cells["en"]["questions"] == cells["th"]["questions"] == 1190.0
        assert all(0.0 <= cell["map@20"] <= 100.0 for cell in cells.values())
    assert scores["lareqa"] != scores["lareqa_frozen"]
    average = task_average("lareqa", scores["lareqa"])
    assert average.missing == ("ar", "de", "el", "es", "hi", "ru", "tr", "vi", "zh")
    assert json.loads((tmp_path / "retrieval-lareqa" / "model" / "done.json").read_text())["steps"] == 2


def test_mewslix_on_shared_mentions(tiny_model: Path, tiny_tokenizer: Any, tmp_path: Path) -> None:
    mewslix = shared_file("xtreme-r/download/mewslix/wikinews_labels/dev-en.json").parents[1]
    config = _config(
        task="mewslix",
        dir=mewslix,
        candidates=SAMPLES / "candidate_set_entities.jsonl",
        finetune={
            "train": SAMPLES / "wikipedia_pairs-train.jsonl",
            "max_steps": 2,
            "batch_size": 4,
            "grad_accum": 2,
        },
    )
    scores = run_dual_encoder_task(config, tiny_model, tiny_tokenizer, seed=1, out_dir=tmp_path)
    assert set(scores) == {"mewslix", "mewslix_frozen"}
    assert set(scores["mewslix"]) == {"ar", "en"}
    # 16 candidates: every mention's gold entity is among them, so its reciprocal rank is at least 1/16.
    assert all(100 / 16 <= cell["map@20"] <= 100.0 for cell in scores["mewslix"].values())
    predictions = json.loads((tmp_path / "predictions" / "mewslix" / "test-en.json").read_text())
    assert list(predictions) == ["c79595350cc2d5c7f2b095e2cb785212"]
    assert len(predictions["c79595350cc2d5c7f2b095e2cb785212"]) == 16
    # A re-evaluation without training scores the saved fine-tuned model the same.
    again = run_dual_encoder_task(config, tiny_model, tiny_tokenizer, seed=1, out_dir=tmp_path, train=False)
    assert {lang: cell["map@20"] for lang, cell in again["mewslix"].items()} == pytest.approx(
        {lang: cell["map@20"] for lang, cell in scores["mewslix"].items()}
    )
    with pytest.raises(ValueError, match="labels removed"):
        run_dual_encoder_task(
            config.model_copy(update={"split": "test"}), tiny_model, tiny_tokenizer, seed=1, out_dir=tmp_path
        )


def test_retrieval_config_fields_by_task(tmp_path: Path) -> None:
    assert _config(task="lareqa", dir=tmp_path).recipe == RetrievalRecipe(3.0, 2e-5, 4, 4, 96, 256)
    recipe = _config(task="mewslix", dir=tmp_path, finetune={"train": tmp_path, "lr": 5e-5}).recipe
    assert (recipe.lr, recipe.epochs, recipe.batch_size, recipe.query_length) == (5e-5, 2.0, 8, 64)
    with pytest.raises(ValueError, match="layer do not apply to lareqa"):
        _config(task="lareqa", dir=tmp_path, layer=3)
    with pytest.raises(ValueError, match="finetune do not apply to tatoeba"):
        _config(task="tatoeba", dir=tmp_path, finetune={"train": tmp_path})
    problems = RetrievalConfig.model_validate({"task": "mewslix", "dir": str(tmp_path)}).problems(True)
    assert problems == [
        f"retrieval mewslix: candidate set {tmp_path / 'candidate_set_entities.jsonl'} does not exist; "
        "set `candidates` to XTREME-R's candidate_set_entities.jsonl"
    ]
    assert RetrievalConfig(task="lareqa", dir=tmp_path, langs=["fa"]).problems(False) == [
        "retrieval lareqa: no fa in lareqa; it covers ar de el en es hi ru th tr vi zh"
    ]
