"""Heads per task kind on a shared encoder; phase 1's encoder seeds phase 2 with fresh heads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from trainer.model import HeadSpec, StiltsModel

HEADS = {
    "nli": HeadSpec("classification", 3),
    "copa": HeadSpec("choice"),
    "squad": HeadSpec("span"),
    "ner": HeadSpec("tagging", 5),
}


def _batch(b: int, length: int, *extra: int) -> dict[str, torch.Tensor]:
    shape = (b, *extra, length)
    return {"input_ids": torch.randint(5, 50, shape), "attention_mask": torch.ones(shape, dtype=torch.long)}


def test_every_head_kind_gives_logits_and_a_loss(tiny_model: Path) -> None:
    torch.manual_seed(0)
    model = StiltsModel.from_pretrained(tiny_model, HEADS)
    loss, logits = model("nli", {**_batch(4, 12), "labels": torch.tensor([0, 1, 2, 1])})
    assert logits.shape == (4, 3) and loss is not None and loss.item() > 0
    loss, logits = model("copa", {**_batch(4, 12, 2), "labels": torch.tensor([0, 1, 1, 0])})
    assert logits.shape == (4, 2) and loss is not None
    spans = {"start_positions": torch.tensor([0, 3]), "end_positions": torch.tensor([0, 5])}
    loss, logits = model("squad", {**_batch(2, 12), **spans})
    assert logits.shape == (2, 2, 12) and loss is not None
    labels = torch.full((2, 12), -100)
    labels[:, 1] = 2
    loss, logits = model("ner", {**_batch(2, 12), "labels": labels})
    assert logits.shape == (2, 12, 5) and loss is not None
    loss, _ = model("nli", _batch(2, 12))
    assert loss is None


def test_choice_softmax_is_over_the_choices_of_one_example(tiny_model: Path) -> None:
    torch.manual_seed(0)
    model = StiltsModel.from_pretrained(tiny_model, {"copa": HeadSpec("choice")}).eval()
    batch = _batch(1, 10, 3)
    _, logits = model("copa", batch)
    swapped = {k: v[:, [2, 1, 0]] for k, v in batch.items()}
    _, logits_swapped = model("copa", swapped)
    assert torch.allclose(logits[0], logits_swapped[0, [2, 1, 0]], atol=1e-5)


def test_encoder_seeds_the_next_phase_with_fresh_heads(
    tiny_model: Path, tmp_path: Path, tiny_tokenizer: Any
) -> None:
    torch.manual_seed(0)
    phase1 = StiltsModel.from_pretrained(tiny_model, {"nli": HeadSpec("classification", 3)})
    with torch.no_grad():
        for p in phase1.encoder.parameters():
            p.add_(0.5)
    phase1.save_encoder(tmp_path / "enc", tiny_tokenizer)
    from transformers import AutoModel, AutoTokenizer

    assert AutoTokenizer.from_pretrained(tmp_path / "enc").vocab_size == tiny_tokenizer.vocab_size
    assert isinstance(AutoModel.from_pretrained(tmp_path / "enc"), torch.nn.Module)
    phase2 = StiltsModel.from_pretrained(tmp_path / "enc", {"xnli": HeadSpec("classification", 3)})
    for (name, a), b in zip(
        phase1.encoder.state_dict().items(), phase2.encoder.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), name
    assert list(phase2.heads) == ["xnli"]


def test_save_and_load_keep_heads(tiny_model: Path, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = StiltsModel.from_pretrained(tiny_model, HEADS).eval()
    model.save(tmp_path / "m")
    loaded = StiltsModel.load(tmp_path / "m").eval()
    assert loaded.specs == model.specs
    batch = _batch(2, 9)
    assert torch.allclose(model("ner", batch)[1], loaded("ner", batch)[1])


def test_mean_pooling_reads_every_attended_token_and_ignores_padding(
    tiny_model: Path, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    specs = {"first": HeadSpec("classification", 3), "mean": HeadSpec("classification", 3, "mean")}
    model = StiltsModel.from_pretrained(tiny_model, specs).eval()
    model.heads["mean"].load_state_dict(model.heads["first"].state_dict())
    batch = _batch(2, 10)
    padded = {
        "input_ids": torch.cat([batch["input_ids"], torch.ones(2, 4, dtype=torch.long)], dim=1),
        "attention_mask": torch.cat([batch["attention_mask"], torch.zeros(2, 4, dtype=torch.long)], dim=1),
    }
    with torch.no_grad():
        _, first = model("first", batch)
        _, mean = model("mean", batch)
        _, mean_padded = model("mean", padded)
        states = model.encoder(**batch).last_hidden_state
        head = model.heads["mean"]
        expected = head.out(torch.tanh(head.dense(states.mean(dim=1))))
    assert torch.allclose(mean, expected, atol=1e-5)
    assert torch.allclose(mean, mean_padded, atol=1e-5)
    assert not torch.allclose(mean, first, atol=1e-3)
    again = StiltsModel.load(model.save(tmp_path / "m"))
    assert again.specs["mean"].pooling == "mean" and again.specs["first"].pooling == "first"
