"""A shared XLM-R encoder with one head per task: classification, multiple choice, span, tagging.

`StiltsModel` holds the encoder (`AutoModel`, the same code path for a tiny random model and
xlm-roberta-large) and a `ModuleDict` of heads keyed by task name. Phase 1's encoder seeds phase 2:
`save_encoder` writes only the encoder (and tokenizer), `StiltsModel.from_pretrained` reads an encoder
and builds fresh heads; `save`/`load` keep the heads too, for evaluating a finished model.

In training mode the loss also holds every other head's parameters times zero: each backward pass
then reaches every parameter, which DDP needs to finish its gradient reduction when a step trains
one task of several (the alternative, `find_unused_parameters`, walks the autograd graph after every
forward pass). The trainer drops those zero gradients before the optimiser step (`drop_idle_head_grads`),
so AdamW leaves the idle heads alone exactly as in a one-process run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

HeadKind = Literal["classification", "choice", "span", "tagging"]
# What a sentence-level head reads: the `<s>` vector (XLM-R, RoBERTa) or the mean over the
# attended tokens (encoders trained with mean pooling, such as E5).
Pooling = Literal["first", "mean"]
Reduction = Literal["mean", "sum"]
HEAD_FOR_KIND: dict[str, HeadKind] = {
    "pair": "classification",
    "choice": "choice",
    "qa": "span",
    "tagging": "tagging",
}
IGNORE_INDEX = -100
HEADS_FILE = "heads.json"
HEAD_WEIGHTS = "heads.pt"


@dataclass(frozen=True, slots=True)
class HeadSpec:
    """What head a task needs: its kind and, for classification/tagging, the number of labels."""

    kind: HeadKind
    num_labels: int = 1
    pooling: Pooling = "first"


class ClassificationHead(nn.Module):
    """RoBERTa-style head on the pooled sentence vector: dense, tanh, dropout, projection."""

    def __init__(self, hidden: int, num_labels: int, dropout: float, pooling: Pooling = "first") -> None:
        super().__init__()
        self.pooling = pooling
        self.dense = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pooling == "mean":
            weights = mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        else:
            pooled = states[:, 0]
        return self.out(self.dropout(torch.tanh(self.dense(self.dropout(pooled)))))


class TaggingHead(nn.Module):
    """A label distribution per sub-token; only first sub-tokens of words carry labels."""

    def __init__(self, hidden: int, num_labels: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(states))


class SpanHead(nn.Module):
    """Start and end logits per token; the `<s>` position (index 0) stands for "no answer"."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.out = nn.Linear(hidden, 2)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.out(states)


def _make_head(spec: HeadSpec, hidden: int, dropout: float) -> nn.Module:
    if spec.kind == "classification":
        return ClassificationHead(hidden, spec.num_labels, dropout, spec.pooling)
    if spec.kind == "choice":
        return ClassificationHead(hidden, 1, dropout, spec.pooling)
    if spec.kind == "span":
        return SpanHead(hidden)
    return TaggingHead(hidden, spec.num_labels, dropout)


def _head_dropout(config: Any) -> float:
    """The encoder's classifier dropout, else its hidden dropout (0.1 for XLM-R), as RoBERTa heads do."""
    value = getattr(config, "classifier_dropout", None)
    return float(value if value is not None else getattr(config, "hidden_dropout_prob", 0.1))


def load_encoder(path: str | Path) -> Any:
    """The encoder at `path` (HF id or folder) through `AutoModel`, without a pooling layer."""
    from transformers import AutoModel
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    return AutoModel.from_pretrained(str(path), add_pooling_layer=False)


class StiltsModel(nn.Module):
    """A shared encoder and per-task heads; `forward(task, batch)` returns (loss, logits)."""

    def __init__(self, encoder: Any, heads: dict[str, HeadSpec], dropout: float | None = None) -> None:
        super().__init__()
        self.encoder = encoder
        self.specs: dict[str, HeadSpec] = {}
        self.dropout = _head_dropout(encoder.config) if dropout is None else dropout
        self.heads = nn.ModuleDict()
        for task, spec in heads.items():
            self.add_head(task, spec)

    @classmethod
    def from_pretrained(cls, encoder_path: str | Path, heads: dict[str, HeadSpec]) -> StiltsModel:
        """An encoder from a checkpoint or HF id with freshly initialised heads."""
        return cls(load_encoder(encoder_path), heads)

    @property
    def hidden_size(self) -> int:
        return int(self.encoder.config.hidden_size)

    def add_head(self, task: str, spec: HeadSpec) -> None:
        self.specs[task] = spec
        self.heads[task] = _make_head(spec, self.hidden_size, self.dropout)

    def forward(
        self, task: str, batch: dict[str, torch.Tensor], reduction: Reduction = "mean"
    ) -> tuple[torch.Tensor | None, torch.Tensor]:
        """(loss, logits); the loss averages (or with `reduction="sum"` sums) over examples, or over
        labelled tokens for tagging, and is None when the batch has no labels."""
        spec = self.specs[task]
        input_ids, mask = batch["input_ids"], batch["attention_mask"]
        if spec.kind == "choice":
            n_choices = input_ids.shape[1]
            input_ids, mask = input_ids.flatten(0, 1), mask.flatten(0, 1)
        states = self.encoder(input_ids=input_ids, attention_mask=mask).last_hidden_state
        logits = self.heads[task](states, mask)
        loss: torch.Tensor | None = None
        if spec.kind == "choice":
            logits = logits.view(-1, n_choices)
        if spec.kind == "span":
            # Padding is no answer position: the loss must not depend on how wide the batch is padded.
            logits = logits.masked_fill(mask.unsqueeze(-1) == 0, torch.finfo(logits.dtype).min)
            start_logits, end_logits = logits[..., 0], logits[..., 1]
            logits = torch.stack([start_logits, end_logits], dim=1)
            if "start_positions" in batch:
                ce = nn.functional.cross_entropy
                loss = (
                    ce(start_logits, batch["start_positions"], reduction=reduction)
                    + ce(end_logits, batch["end_positions"], reduction=reduction)
                ) / 2
        elif "labels" in batch:
            flat = logits.reshape(-1, logits.shape[-1])
            loss = nn.functional.cross_entropy(
                flat, batch["labels"].reshape(-1), ignore_index=IGNORE_INDEX, reduction=reduction
            )
        if loss is not None and self.training:
            loss = loss + self._idle_heads_times_zero(task)
        return loss, logits

    def _idle_heads_times_zero(self, task: str) -> torch.Tensor | float:
        idle = [p.sum() for name, head in self.heads.items() if name != task for p in head.parameters()]
        return torch.stack(idle).sum() * 0.0 if idle else 0.0

    def drop_idle_head_grads(self, task: str) -> None:
        """Clear the (zero) gradients of every head but `task`'s, so the optimiser skips them."""
        for name, head in self.heads.items():
            if name != task:
                for p in head.parameters():
                    p.grad = None

    def save_encoder(self, out_dir: Path, tokenizer: Any = None) -> Path:
        """Write the encoder (and tokenizer) so `AutoModel.from_pretrained(out_dir)` loads it."""
        out_dir = Path(out_dir)
        self.encoder.save_pretrained(out_dir)
        if tokenizer is not None:
            tokenizer.save_pretrained(out_dir)
        return out_dir

    def save(self, out_dir: Path, tokenizer: Any = None) -> Path:
        """Write the encoder and the heads (specs in heads.json, weights in heads.pt)."""
        out_dir = self.save_encoder(out_dir, tokenizer)
        specs = {task: asdict(spec) for task, spec in self.specs.items()}
        (out_dir / HEADS_FILE).write_text(json.dumps(specs, indent=2), encoding="utf-8")
        torch.save(self.heads.state_dict(), out_dir / HEAD_WEIGHTS)
        return out_dir

    @classmethod
    def load(cls, model_dir: Path) -> StiltsModel:
        """A model written by `save`: encoder and trained heads."""
        model_dir = Path(model_dir)
        specs_file = model_dir / HEADS_FILE
        if not specs_file.is_file():
            from generator.errors import ConfigError

            raise ConfigError(f"{model_dir}: no {HEADS_FILE}; pass a model folder written by `xstilts train`")
        raw = json.loads(specs_file.read_text(encoding="utf-8"))
        model = cls.from_pretrained(model_dir, {task: HeadSpec(**spec) for task, spec in raw.items()})
        model.heads.load_state_dict(torch.load(model_dir / HEAD_WEIGHTS, weights_only=True))
        return model
