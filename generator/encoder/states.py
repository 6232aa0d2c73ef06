"""Hidden states of one encoder layer, batched by length: per-subword vectors of pre-split words, pooled sentences.

As XTREME's `evaluate_retrieval.py`: each text is encoded with `<s> ... </s>` and `layer` indexes
`hidden_states` (0 is the embedding output), default `num_hidden_layers // 2`. The model runs in
eval mode under `torch.inference_mode` and is put back in its previous mode afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class WordStates:
    """Subword vectors of one text's words: `vectors[k]` belongs to word `word_ids[k]`; `kept` words fit."""

    vectors: np.ndarray
    word_ids: list[int]
    kept: int


def check_layer(model: Any, layer: int | None) -> int:
    """`layer` checked against the model, or the middle layer when None."""
    n_layers = int(model.config.num_hidden_layers)
    chosen = n_layers // 2 if layer is None else layer
    if not 0 <= chosen <= n_layers:
        raise ConfigError(f"layer {chosen} does not exist; use 0 (embeddings) to {n_layers}")
    return chosen


def _device(model: Any) -> Any:
    return next(model.parameters()).device


def run_batches(
    model: Any,
    tokenizer: Any,
    encoded: Sequence[Sequence[int]],
    layer: int,
    batch_size: int,
    batches: Callable[[range], Iterable[int]] = lambda starts: starts,
) -> list[tuple[list[int], np.ndarray, np.ndarray]]:
    """(row indices, hidden states (b, len, h) float32, attention mask (b, len)) per batch of similar length.

    `batches` picks which batch starts this process runs (a distributed caller deals them out).
    """
    import torch

    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    device = _device(model)
    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.inference_mode():
            for start in batches(range(0, len(order), batch_size)):
                index = order[start : start + batch_size]
                batch = tokenizer.pad({"input_ids": [list(encoded[i]) for i in index]}, return_tensors="pt")
                mask = batch["attention_mask"].to(device)
                states = model(
                    input_ids=batch["input_ids"].to(device), attention_mask=mask, output_hidden_states=True
                ).hidden_states[layer]
                out.append((index, states.float().cpu().numpy(), mask.cpu().numpy()))
    finally:
        model.train(was_training)
    return out


def pool(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the attended positions of each row: (b, len, h) -> (b, h)."""
    weights = mask[..., None].astype(states.dtype)
    return (states * weights).sum(axis=1) / weights.sum(axis=1).clip(min=1.0)


def embed_texts(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    layer: int | None = None,
    batch_size: int = 64,
    max_length: int = 512,
    normalize: bool = False,
) -> np.ndarray:
    """Mean-pooled hidden states of one layer for each text, float32 (n, hidden), in input order."""
    import numpy as np

    chosen = check_layer(model, layer)
    out = np.zeros((len(texts), int(model.config.hidden_size)), dtype=np.float32)
    if not texts:
        return out
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    for index, states, mask in run_batches(model, tokenizer, encoded, chosen, batch_size):
        out[index] = pool(states, mask)
    if normalize:
        out /= np.linalg.norm(out, axis=1, keepdims=True).clip(min=1e-12)
    return out


def word_states(
    model: Any,
    tokenizer: Any,
    texts: Sequence[Sequence[str]],
    *,
    layer: int | None = None,
    batch_size: int = 32,
    max_length: int = 512,
) -> list[WordStates]:
    """Contextual subword vectors of each pre-split text (special tokens left out), in input order.

    Words past `max_length` subwords are cut off; `kept` says how many words of each text fit.
    """
    import numpy as np

    chosen = check_layer(model, layer)
    if not texts:
        return []
    enc = tokenizer(
        [list(t) for t in texts], is_split_into_words=True, truncation=True, max_length=max_length
    )
    encoded = enc["input_ids"]
    ids = [enc.word_ids(i) for i in range(len(texts))]
    hidden = int(model.config.hidden_size)
    out: list[WordStates] = [WordStates(np.zeros((0, hidden), np.float32), [], 0)] * len(texts)
    for index, states, _ in run_batches(model, tokenizer, encoded, chosen, batch_size):
        for row, i in enumerate(index):
            positions = [k for k, w in enumerate(ids[i]) if w is not None]
            word_ids = [int(ids[i][k]) for k in positions]
            kept = word_ids[-1] + 1 if word_ids else 0
            out[i] = WordStates(states[row, positions], word_ids, kept)
    return out
