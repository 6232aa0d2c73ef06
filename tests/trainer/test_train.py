"""The recipe's training loop: losses fall on a learnable task; a resumed phase ends where an uninterrupted one does."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import torch

from generator.example import Example
from tests.trainer.conftest import KEYWORD_WORDS
from trainer.config.loading import parse_experiment
from trainer.data import encode
from trainer.model import HeadSpec
from trainer.train import PhaseInterrupted, StiltsRecipe

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "trainer"


def _experiment(tmp_path: Path, model: Path, **hparams: Any) -> Any:
    raw = {
        "model": str(model),
        "output_dir": str(tmp_path),
        "targets": [
            {
                "name": "xnli",
                "task": "mnli",
                "train": str(SAMPLES / "mnli.en.jsonl"),
                "eval_task": "xnli",
                "eval": str(SAMPLES / "xnli" / "dev-{lang}.tsv"),
            }
        ],
        "hparams": {"lr": 2e-3, "batch_size": 8, "max_length": 32, "warmup": 0.0, "log_every": 1, **hparams},
    }
    return parse_experiment(raw, tmp_path)


def _keyword_task(n: int, seed: int = 0) -> list[Example]:
    """Label 1 exactly when the sentence holds "red": learnable from one token."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.sample([w for w in KEYWORD_WORDS if w != "red"], 4)
        label = i % 2
        if label:
            words[rng.randrange(4)] = "red"
        out.append(
            Example(id=str(i), task="kw", kind="pair", text_a=" ".join(words), text_b="the cat", label=label)
        )
    return out


@pytest.mark.slow
def test_loss_falls_on_a_keyword_task(tmp_path: Path, tiny_model: Path, tiny_tokenizer: Any) -> None:
    recipe = StiltsRecipe(_experiment(tmp_path, tiny_model), seed=1, out_dir=tmp_path / "run", quiet=True)
    task = encode("kw", "pair", _keyword_task(64), tiny_tokenizer, max_length=32)
    result = recipe.train_phase(
        "kw", str(tiny_model), {"kw": HeadSpec("classification", 2)}, {"kw": task}, epochs=6
    )
    losses = result.losses
    assert len(losses) == 48
    assert sum(losses[-8:]) / 8 < 0.5 * sum(losses[:8]) / 8
    assert (tmp_path / "run" / "kw" / "model" / "heads.json").is_file()


@pytest.mark.slow
def test_resume_from_a_mid_phase_checkpoint_gives_the_same_model(
    tmp_path: Path, tiny_model: Path, tiny_tokenizer: Any
) -> None:
    exp = _experiment(tmp_path, tiny_model, max_steps=4, device_batch_size=4)
    task = encode("kw", "pair", _keyword_task(24), tiny_tokenizer, max_length=24)
    heads = {"kw": HeadSpec("classification", 2)}
    straight = StiltsRecipe(exp, seed=5, out_dir=tmp_path / "a", quiet=True)
    straight.train_phase("kw", str(tiny_model), heads, {"kw": task}, epochs=1)

    interrupted = StiltsRecipe(exp, seed=5, out_dir=tmp_path / "b", quiet=True)
    with pytest.raises(PhaseInterrupted) as stop:
        interrupted.train_phase(
            "kw", str(tiny_model), heads, {"kw": task}, epochs=1, should_stop=lambda s: s == 3
        )
    assert stop.value.checkpoint.name == "checkpoint-3"
    assert not (tmp_path / "b" / "kw" / "model").exists()

    resumed = StiltsRecipe(exp, seed=5, out_dir=tmp_path / "b", quiet=True, resume=True)
    result = resumed.train_phase("kw", str(tiny_model), heads, {"kw": task}, epochs=1)
    assert straight.last_model is not None and resumed.last_model is not None
    a, b = straight.last_model.state_dict(), resumed.last_model.state_dict()
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert result.losses == straight.losses["kw"]
    assert not list((tmp_path / "b" / "kw").glob("checkpoint-*")), "a finished phase drops its checkpoints"

    other_seed = StiltsRecipe(exp, seed=6, out_dir=tmp_path / "c", quiet=True)
    other_seed.train_phase("kw", str(tiny_model), heads, {"kw": task}, epochs=1)
    assert other_seed.last_model is not None
    assert not all(torch.equal(a[k], v) for k, v in other_seed.last_model.state_dict().items())


def test_finished_phase_is_reused_on_resume(tmp_path: Path, tiny_model: Path, tiny_tokenizer: Any) -> None:
    exp = _experiment(tmp_path, tiny_model, max_steps=2)
    task = encode("kw", "pair", _keyword_task(16), tiny_tokenizer, max_length=32)
    heads = {"kw": HeadSpec("classification", 2)}
    first = StiltsRecipe(exp, seed=1, out_dir=tmp_path / "r", quiet=True)
    first.train_phase("kw", str(tiny_model), heads, {"kw": task}, epochs=1)
    again = StiltsRecipe(exp, seed=1, out_dir=tmp_path / "r", quiet=True, resume=True)
    result = again.train_phase("kw", str(tiny_model), heads, {"kw": task}, epochs=1)
    assert again.last_model is None
    assert result.losses == first.losses["kw"]


def test_frozen_bottom_stays_as_pretrained_while_the_layers_above_train(
    tmp_path: Path, tiny_model: Path, tiny_tokenizer: Any
) -> None:
    from trainer.model import StiltsModel, load_encoder

    exp = _experiment(tmp_path, tiny_model, freeze_layers=1, max_steps=3)
    task = encode("kw", "pair", _keyword_task(24), tiny_tokenizer, max_length=32)
    recipe = StiltsRecipe(exp, seed=1, out_dir=tmp_path / "run", quiet=True)
    result = recipe.train_phase(
        "kw", str(tiny_model), {"kw": HeadSpec("classification", 2)}, {"kw": task}, epochs=1
    )
    before = load_encoder(tiny_model).state_dict()
    after = StiltsModel.load(result.model_dir).encoder.state_dict()
    frozen = [k for k in before if k.startswith(("embeddings.", "encoder.layer.0."))]
    assert "embeddings.word_embeddings.weight" in frozen
    assert all(torch.equal(before[k], after[k]) for k in frozen)
    layer = "encoder.layer.1.attention.self.query.weight"
    assert not torch.equal(before[layer], after[layer])


def test_freezing_what_a_model_lacks_says_what_to_set(tiny_model: Path) -> None:
    from generator.errors import ConfigError
    from trainer.train_setup import freeze_bottom

    with pytest.raises(ConfigError, match="set freeze_embeddings: false and freeze_layers: 0"):
        freeze_bottom(torch.nn.Linear(2, 2), embeddings=True, layers=0)
    from trainer.model import load_encoder

    with pytest.raises(ConfigError, match="freeze_layers 3: the encoder has only 2 layers"):
        freeze_bottom(load_encoder(tiny_model), embeddings=False, layers=3)
