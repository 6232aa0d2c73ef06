"""The retrieval dual encoder of XTREME-R's LAReQA and Mewsli-X baselines (`BertForRetrieval`).

One encoder serves queries and candidates. An encoding is the L2-normalised pooled `<s>` vector
(the model's pooler: dense + tanh); fine-tuning is a softmax over each query's in-batch
similarities times a learned scale (starting at 100), its own candidate being the right class.
A checkpoint without pooler weights (the project's phase models keep none) gets a freshly
initialised pooler, seeded. Fine-tuning follows `run_retrieval_qa.py` / `run_retrieval_el.py`:
shuffled batches each epoch, AdamW (no weight decay), linear decay without warmup, gradient
clipping at 1.0, optimiser steps every `grad_accum` batches.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from generator.errors import ConfigError
from trainer.config.retrieval import RetrievalRecipe

if TYPE_CHECKING:
    import numpy as np

SCALE_FILE = "logit_scale.pt"
DONE_FILE = "done.json"


class DualEncoder(nn.Module):
    """A shared encoder with a pooler; `encode` gives unit vectors, `forward` the in-batch loss."""

    def __init__(self, encoder: Any) -> None:
        super().__init__()
        self.encoder = encoder
        self.logit_scale = nn.Parameter(torch.full((1,), 100.0))

    @classmethod
    def from_pretrained(cls, path: str | Path, seed: int = 0) -> DualEncoder:
        """The encoder at `path` with its pooler (a seeded fresh one when the checkpoint has none)."""
        from transformers import AutoModel
        from transformers.utils import logging

        logging.set_verbosity_error()
        logging.disable_progress_bar()
        torch.manual_seed(seed)
        model = cls(AutoModel.from_pretrained(str(path), add_pooling_layer=True))
        scale = Path(path) / SCALE_FILE
        if scale.is_file():
            model.logit_scale.data = torch.load(scale, weights_only=True)
        return model

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        pooled = self.encoder(input_ids=input_ids, attention_mask=attention_mask).pooler_output
        return nn.functional.normalize(pooled, p=2, dim=1)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        queries = self.encode(batch["input_ids"], batch["attention_mask"])
        candidates = self.encode(batch["a_input_ids"], batch["a_attention_mask"])
        logits = queries @ candidates.T * self.logit_scale
        return nn.functional.cross_entropy(logits, torch.arange(len(logits), device=logits.device))

    def save(self, out_dir: Path, tokenizer: Any = None) -> Path:
        out_dir = Path(out_dir)
        self.encoder.save_pretrained(out_dir)
        torch.save(self.logit_scale.data.cpu(), out_dir / SCALE_FILE)
        if tokenizer is not None:
            tokenizer.save_pretrained(out_dir)
        return out_dir


def _pad(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask


def encode_texts(
    model: DualEncoder, tokenizer: Any, texts: Sequence[str], *, max_length: int, batch_size: int = 64
) -> np.ndarray:
    """Unit encodings of `texts` (`<s>` text `</s>`, cut at `max_length` tokens), float32, input order."""
    import numpy as np

    out = np.zeros((len(texts), int(model.encoder.config.hidden_size)), dtype=np.float32)
    if not texts:
        return out
    ids = tokenizer([t.strip() for t in texts], truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                index = order[start : start + batch_size]
                input_ids, mask = _pad([ids[i] for i in index], tokenizer.pad_token_id)
                out[index] = model.encode(input_ids.to(device), mask.to(device)).float().cpu().numpy()
    finally:
        model.train(was_training)
    return out


def finetune(
    model: DualEncoder,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    recipe: RetrievalRecipe,
    *,
    seed: int,
    accelerator: Any,
    max_steps: int | None = None,
    log: Callable[[dict[str, float]], None] | None = None,
) -> list[float]:
    """Fine-tune `model` in place on (query, candidate) pairs; returns the loss of every optimiser step."""
    from transformers import get_linear_schedule_with_warmup

    queries = tokenizer([q for q, _ in pairs], truncation=True, max_length=recipe.query_length)["input_ids"]
    answers = tokenizer([a for _, a in pairs], truncation=True, max_length=recipe.candidate_length)[
        "input_ids"
    ]
    rank, world = accelerator.process_index, accelerator.num_processes
    if len(pairs) < recipe.batch_size * recipe.grad_accum * world:
        raise ConfigError(
            f"{len(pairs)} training pairs cannot fill one optimiser step of {recipe.grad_accum} x "
            f"{recipe.batch_size} pairs on {world} process(es); lower batch_size or grad_accum"
        )
    per_epoch = math.ceil(len(pairs) / recipe.batch_size) // world // recipe.grad_accum
    total = max_steps or max(1, int(per_epoch * recipe.epochs))
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, eps=1e-8, weight_decay=0.0)
    scheduler = get_linear_schedule_with_warmup(optimizer, 0, total)
    model, optimizer = accelerator.prepare(model, optimizer)
    rng = random.Random(seed)
    losses: list[float] = []
    model.train()
    while len(losses) < total:
        order = list(range(len(pairs)))
        rng.shuffle(order)
        batches = [order[i : i + recipe.batch_size] for i in range(0, len(order), recipe.batch_size)]
        mine = batches[rank::world]
        for group in range(0, len(mine) - recipe.grad_accum + 1, recipe.grad_accum):
            running = 0.0
            for index in mine[group : group + recipe.grad_accum]:
                q_ids, q_mask = _pad([queries[i] for i in index], tokenizer.pad_token_id)
                a_ids, a_mask = _pad([answers[i] for i in index], tokenizer.pad_token_id)
                batch = {
                    "input_ids": q_ids,
                    "attention_mask": q_mask,
                    "a_input_ids": a_ids,
                    "a_attention_mask": a_mask,
                }
                with accelerator.autocast():
                    loss = model({k: v.to(accelerator.device) for k, v in batch.items()}) / recipe.grad_accum
                accelerator.backward(loss)
                running += float(loss.detach())
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(running)
            if log is not None:
                log({"step": len(losses), "loss": running, "lr": scheduler.get_last_lr()[0]})
            if len(losses) >= total:
                break
    accelerator.wait_for_everyone()
    return losses


def save_finetuned(model: DualEncoder, tokenizer: Any, out_dir: Path, losses: list[float]) -> Path:
    """Write the fine-tuned model and a marker that it is finished."""
    model.save(out_dir, tokenizer)
    (out_dir / DONE_FILE).write_text(json.dumps({"steps": len(losses), "losses": losses}), encoding="utf-8")
    return out_dir


def finished(out_dir: Path) -> bool:
    return (Path(out_dir) / DONE_FILE).is_file()
