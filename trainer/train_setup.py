"""What one phase of the recipe is built from: the accelerator, the pretrained encoder (the tiny
XLM-R built on demand) and its tokenizer, heads, encoded tasks, the batch schedule, AdamW with
linear warmup and decay, the English-only check of TyDiQA training data, and the progress bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError
from generator.example import Example
from trainer.config.experiment import TINY_MODEL, Experiment, Hyperparameters
from trainer.config.sources import task_kind
from trainer.data import EncodedTask, Sampling, Step, build_schedule, encode
from trainer.reading import read_task_file

if TYPE_CHECKING:
    from trainer.model import HeadSpec, Pooling


def new_accelerator(exp: Experiment) -> Any:
    """An `Accelerator` with the experiment's mixed precision, on CUDA when there is a GPU; the
    training loop accumulates gradients itself (`trainer.distributed`)."""
    import torch
    from accelerate import Accelerator

    return Accelerator(mixed_precision=exp.mixed_precision, cpu=not torch.cuda.is_available())


def pretrained_path(exp: Experiment) -> str:
    """The pretrained encoder; `model: tiny` builds the tiny random XLM-R once per output folder, and an
    importable name (`me5-small`) is the model imported from its installed wheel (once, cached)."""
    from trainer.distributed import process_state
    from trainer.offline_encoder.importer import MODEL_NAMES

    if exp.model in MODEL_NAMES:
        from trainer.offline_encoder.importer import import_model

        with process_state().main_process_first():
            return str(import_model(exp.model).path)
    if exp.model != TINY_MODEL:
        return exp.model

    path = exp.output_dir / "tiny-xlmr"
    with process_state().main_process_first():  # the first process builds it, the others then read it
        if not (path / "config.json").is_file():
            from trainer.tiny import build_tiny_xlmr

            build_tiny_xlmr(path, _corpus_lines(exp))
    return str(path)


def _corpus_lines(exp: Experiment) -> list[str]:
    """Text of the experiment's training files, for the tiny model's sentencepiece vocabulary."""
    lines: list[str] = []
    files = [(t.task, t.source) for t in (exp.intermediate.tasks if exp.intermediate else [])]
    files += [(t.task, t.train_source) for t in exp.targets]
    for task, path in files:
        for e in read_task_file(task, path, 500):
            lines += [e.context, e.question, e.text_a, e.text_b, " ".join(e.tokens), *e.choices]
    return [line for line in lines if line.strip()]


# TyDiQA-GoldP's original question ids start with the language's English name.
_TYDIQA_ID_LANGUAGES = {
    "arabic": "ar",
    "bengali": "bn",
    "english": "en",
    "finnish": "fi",
    "indonesian": "id",
    "japanese": "ja",
    "korean": "ko",
    "russian": "ru",
    "swahili": "sw",
    "telugu": "te",
    "thai": "th",
}


def check_english_training(target_name: str, task: str, examples: Sequence[Example]) -> None:
    """XTREME-R trains TyDiQA-GoldP on its English training data only; refuse other languages."""
    from trainer.benchmark import benchmark_task

    if "tydiqa" not in (benchmark_task(target_name), task):
        return
    langs: dict[str, int] = {}
    for e in examples:
        prefix = e.id.split("-", 1)[0]
        lang = _TYDIQA_ID_LANGUAGES.get(prefix, e.lang)
        langs[lang] = langs.get(lang, 0) + 1
    other = {lang: n for lang, n in langs.items() if lang != "en"}
    if other:
        found = ", ".join(f"{n} {lang}" for lang, n in sorted(other.items()))
        raise ConfigError(
            f"target {target_name}: TyDiQA-GoldP trains on English only, as XTREME-R does; the training "
            f"file has {found} questions; use the English file (XTREME-R's tydiqa.goldp.en.train.json)"
        )


def load_tokenizer(path: str) -> Any:
    """The tokenizer saved at (or published as) `path`."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def head_spec(
    task: str, examples: Sequence[Example], pooling: Pooling = "first"
) -> tuple[HeadSpec, list[str]]:
    """The head a task format needs, and its label names (tagging labels come from the data if unlisted);
    `pooling` is what sentence-level heads read."""
    from generator.tasks import get_format
    from trainer.model import HEAD_FOR_KIND, HeadSpec

    fmt = get_format(task)
    kind = HEAD_FOR_KIND[fmt.kind]
    labels = list(fmt.labels)
    if fmt.kind == "tagging" and not labels:
        labels = sorted({tag for e in examples for tag in e.tags})
    sentence_level = kind in ("classification", "choice")
    return HeadSpec(kind, max(1, len(labels)), pooling if sentence_level else "first"), labels


def encode_task(
    tokenizer: Any, hp: Hyperparameters, key: str, task: str, examples: list[Example], labels: list[str]
) -> EncodedTask:
    """The features of one task's training examples, at the length its kind is trained with."""
    kind = examples[0].kind if examples else task_kind(task)
    return encode(
        key,
        kind,  # type: ignore[arg-type]
        examples,
        tokenizer,
        max_length=hp.length_for(kind),
        doc_stride=hp.doc_stride,
        labels=labels,
    )


def phase_schedule(
    tasks: dict[str, EncodedTask],
    hp: Hyperparameters,
    *,
    seed: int,
    epochs: float,
    sampling: Sampling,
    temperature: float,
) -> list[Step]:
    """The phase's optimiser steps, each one effective batch of one task (split across processes and
    micro-batches at run time, `trainer.distributed.rank_micro_batches`)."""
    return build_schedule(
        {k: t.lengths for k, t in tasks.items()},
        {k: hp.effective_batch(t.kind) for k, t in tasks.items()},
        epochs=epochs,
        seed=seed,
        sampling=sampling,
        temperature=temperature,
        max_steps=hp.max_steps,
    )


def optimizer_and_scheduler(model: Any, hp: Hyperparameters, total_steps: int) -> tuple[Any, Any]:
    """AdamW and a linear schedule: warmup over `hp.warmup` of the optimiser steps, then decay to 0;
    parameters that do not require gradients (frozen, `freeze_bottom`) are left out."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    optimizer = torch.optim.AdamW(_param_groups(model, hp.weight_decay), lr=hp.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, round(hp.warmup * total_steps), total_steps)
    return optimizer, scheduler


def freeze_bottom(encoder: Any, *, embeddings: bool, layers: int) -> None:
    """Stop gradients into the encoder's embedding layer and, with `layers`, its bottom transformer layers."""
    if not embeddings and not layers:
        return
    found = getattr(encoder, "embeddings", None)
    stack: list[Any] = list(getattr(getattr(encoder, "encoder", None), "layer", None) or [])
    if found is None or (layers and not stack):
        raise ConfigError(
            f"{type(encoder).__name__} has no `embeddings` module and `encoder.layer` stack to freeze; "
            "set freeze_embeddings: false and freeze_layers: 0 for this model"
        )
    if layers > len(stack):
        raise ConfigError(f"freeze_layers {layers}: the encoder has only {len(stack)} layers")
    for module in [found, *stack[:layers]]:
        for param in module.parameters():
            param.requires_grad_(False)


def _param_groups(model: Any, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups: no weight decay on biases and LayerNorm weights, as the recipe does."""
    decay: list[Any] = []
    no_decay: list[Any] = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim < 2 or "LayerNorm" in name or name.endswith(".bias") else decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def progress_bar(label: str, total: int, completed: int, *, disabled: bool) -> Any:
    """A context manager showing a phase's optimiser steps and loss; it yields `advance(loss)`."""
    from contextlib import contextmanager

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    @contextmanager
    def bar() -> Any:
        progress = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}"),
            TimeRemainingColumn(),
            disable=disabled,
            transient=False,
        )
        with progress:
            task = progress.add_task(label, total=total, completed=completed, loss=float("nan"))
            yield lambda loss: progress.update(task, advance=1, loss=loss)

    return bar()
