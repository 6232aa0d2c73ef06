"""Retrieval evaluations: Tatoeba on the encoder as it is, LAReQA and Mewsli-X with a dual encoder.

LAReQA and Mewsli-X are always scored with the experiment's encoder as it is (`<task>_frozen`);
with `finetune` they are scored again after XTREME-R's retrieval fine-tuning (`<task>`, the
benchmark number). `RETRIEVAL_RECIPES` holds XTREME-R's settings for XLM-R Large
(`scripts/train_lareqa.sh`, `scripts/train_mewslix.sh`); each can be overridden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from generator.errors import ConfigError
from trainer.config.sources import StrictModel, resolve_path

RetrievalTask = Literal["tatoeba", "lareqa", "mewslix"]
DUAL_ENCODER_TASKS = frozenset({"lareqa", "mewslix"})
MEWSLIX_CANDIDATES = "candidate_set_entities.jsonl"


@dataclass(frozen=True, slots=True)
class RetrievalRecipe:
    """One task's fine-tuning and encoding settings: `batch_size` is the in-batch negatives per step."""

    epochs: float
    lr: float
    batch_size: int
    grad_accum: int
    query_length: int
    candidate_length: int


RETRIEVAL_RECIPES: dict[str, RetrievalRecipe] = {
    # SQuAD v1.1 train, 3 epochs, lr 2e-5, 4 per step x 4 accumulated, query 96 / answer 256 tokens.
    "lareqa": RetrievalRecipe(3.0, 2e-5, 4, 4, 96, 256),
    # wikipedia_pairs-train, 2 epochs, lr 1e-5 (XLM-R Large), 8 per step x 4 accumulated, 64 tokens.
    "mewslix": RetrievalRecipe(2.0, 1e-5, 8, 4, 64, 64),
}


class RetrievalTraining(StrictModel):
    """Retrieval fine-tuning on English pairs; unset fields take the task's XTREME-R recipe."""

    train: Path
    epochs: float | None = Field(default=None, gt=0)
    lr: float | None = Field(default=None, gt=0)
    batch_size: int | None = Field(default=None, ge=2)
    grad_accum: int | None = Field(default=None, ge=1)
    max_steps: int | None = Field(default=None, ge=1)
    max_examples: int | None = Field(default=None, ge=2)

    @field_validator("train")
    @classmethod
    def _exists(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info, "retrieval training file", must_exist=False)


class RetrievalConfig(StrictModel):
    """A retrieval evaluation; `dir` is the task's XTREME-R download folder."""

    task: RetrievalTask = "tatoeba"
    dir: Path
    langs: list[str] | None = None
    optional: bool = False
    # tatoeba
    max_pairs: int | None = Field(default=None, ge=1)
    # The encoder's sentence-embedding protocol: the layer mean-pooled (None: the middle one, XTREME's
    # choice for XLM-R) and a prefix before every sentence (E5 models: "query: ").
    layer: int | None = None
    prefix: str = Field(default="", max_length=64)
    # lareqa, mewslix
    finetune: RetrievalTraining | None = None
    query_length: int | None = Field(default=None, ge=8)
    candidate_length: int | None = Field(default=None, ge=8)
    # mewslix
    candidates: Path | None = None
    split: Literal["dev", "test"] = "dev"

    @field_validator("dir")
    @classmethod
    def _exists(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info, "retrieval data folder", must_exist=False)

    @field_validator("candidates")
    @classmethod
    def _candidates(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return (
            None if value is None else resolve_path(value, info, "Mewsli-X candidate set", must_exist=False)
        )

    @model_validator(mode="after")
    def _fields_of_task(self) -> RetrievalConfig:
        given = self.model_fields_set
        wrong = {
            "tatoeba": {"finetune", "query_length", "candidate_length", "candidates", "split"},
            "lareqa": {"max_pairs", "layer", "candidates", "split"},
            "mewslix": {"max_pairs", "layer"},
        }[self.task] & given
        if wrong:
            raise ValueError(f"retrieval {self.task}: {', '.join(sorted(wrong))} do not apply to {self.task}")
        return self

    @property
    def recipe(self) -> RetrievalRecipe:
        """The XTREME-R recipe with this entry's overrides (LAReQA and Mewsli-X)."""
        if self.task not in RETRIEVAL_RECIPES:
            raise ConfigError(f"retrieval {self.task} is evaluated without training; it has no recipe")
        base = RETRIEVAL_RECIPES[self.task]
        train = self.finetune
        return RetrievalRecipe(
            (train.epochs if train else None) or base.epochs,
            (train.lr if train else None) or base.lr,
            (train.batch_size if train else None) or base.batch_size,
            (train.grad_accum if train else None) or base.grad_accum,
            self.query_length or base.query_length,
            self.candidate_length or base.candidate_length,
        )

    @property
    def data_dir(self) -> Path:
        """The folder holding the files: LAReQA's `xquad-r` inside `dir` when there is one."""
        inner = self.dir / "xquad-r"
        return inner if self.task == "lareqa" and inner.is_dir() else self.dir

    @property
    def candidate_file(self) -> Path:
        return self.candidates or self.dir / MEWSLIX_CANDIDATES

    def problems(self, check_files: bool) -> list[str]:
        from generator.languages import languages_for_task

        out = []
        covered = [lang.code for lang in languages_for_task(self.task)]
        lacking = [lang for lang in self.langs or [] if lang not in covered]
        if lacking:
            out.append(
                f"retrieval {self.task}: no {', '.join(lacking)} in {self.task}; it covers {' '.join(covered)}"
            )
        if check_files and not self.optional:
            if self.finetune is not None and not self.finetune.train.is_file():
                out.append(f"retrieval {self.task}: training file {self.finetune.train} does not exist")
            if not self.dir.is_dir():
                out.append(f"retrieval {self.task}: folder {self.dir} does not exist")
            elif self.task == "mewslix" and not self.candidate_file.is_file():
                out.append(
                    f"retrieval mewslix: candidate set {self.candidate_file} does not exist; "
                    f"set `candidates` to XTREME-R's {MEWSLIX_CANDIDATES}"
                )
        if check_files and self.task == "tatoeba" and self.dir.is_dir():
            out += sorted_english_problems(self.task, self.dir)
        return out


def sorted_english_problems(task: str, directory: Path) -> list[str]:
    """XTREME-R's Tatoeba folder (`<xx>-en.<xx>`, English side sorted) has no gold: say where it is."""
    from generator.tasks.gold import no_gold_message
    from generator.tasks.retrieval import TATOEBA_RAW, TATOEBA_XTREME_R

    names = [path.name for path in directory.iterdir() if path.is_file()]
    sorted_side = [name for name in names if re.search(TATOEBA_XTREME_R, name) and not name.endswith(".en")]
    if sorted_side and not any(re.search(TATOEBA_RAW, name) for name in names):
        why = f"XTREME-R's Tatoeba folder sorts the English side, so {sorted_side[0]} and its .en no longer align"
        return [f"retrieval {task}: {no_gold_message('tatoeba', directory, why)}"]
    return []
