"""Data parallelism over processes started by `torchrun` / `accelerate launch` (one process without them).

Training: every optimiser step is one batch of one task; rank r takes the batch's features
`r, r + world, ...` and runs them in micro-batches of at most `device_batch_size`, so gradient
accumulation follows from the effective batch, the device batch and the number of processes, and
every feature of the schedule is trained on exactly once. Each rank's summed loss is scaled by
`world / (loss items of the whole step)`; DDP averages over ranks, so the gradient is the step's mean
loss whatever the split (one process, N processes, any accumulation).

Evaluation: the length-sorted batches are dealt out round-robin and every rank gathers every output,
so the predictions are those of one process (the same batches, padded the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from trainer.data import IGNORE_INDEX, Feature

if TYPE_CHECKING:
    from trainer.config.experiment import Hyperparameters
    from trainer.data import EncodedTask, Step

T = TypeVar("T")


def process_state() -> Any:
    """accelerate's `PartialState`: rank, process count, device; sets up torch.distributed when launched
    by torchrun or `accelerate launch` (NCCL on CUDA machines, gloo on CPU-only ones)."""
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def is_main_process() -> bool:
    return bool(process_state().is_main_process)


def shard(items: Sequence[T]) -> list[T]:
    """This rank's share of `items`, dealt out round-robin."""
    state = process_state()
    return list(items[state.process_index :: state.num_processes])


def gather_items(local: list[T]) -> list[T]:
    """Every rank's `local` items concatenated in rank order, on every rank."""
    import torch.distributed as dist

    state = process_state()
    if state.num_processes == 1:
        return local
    parts: list[Any] = [None] * state.num_processes
    dist.all_gather_object(parts, local)
    return [item for part in parts for item in part]


def rank_micro_batches(step: Step, rank: int, world: int, device_batch: int | None) -> list[tuple[int, ...]]:
    """The micro-batches this rank trains on for `step`: its share cut into at most `device_batch`
    features each; empty when the step has fewer features than ranks and none is left for this one."""
    share = step.indices[rank::world]
    size = device_batch or len(share) or 1
    return [share[i : i + size] for i in range(0, len(share), size)]


def loss_items(feature: Feature) -> int:
    """How many terms a feature adds to its task's mean loss: labelled tokens (tagging), else 1."""
    labels = feature.get("labels")
    if labels is None:
        return 1
    return sum(1 for label in labels if label != IGNORE_INDEX)


def optimiser_step(
    acc: Any, model: Any, optimizer: Any, task: EncodedTask, step: Step, pad_id: int, hp: Hyperparameters
) -> Any:
    """Train on one step's batch (this rank's share, in micro-batches) and step the optimiser;
    returns this rank's part of the step's mean loss (the parts of all ranks add up to it)."""
    import contextlib

    import torch

    from trainer.data import collate

    world = acc.num_processes
    micro = rank_micro_batches(step, acc.process_index, world, hp.device_batch_size)
    scale = world / max(1, sum(loss_items(task.features[i]) for i in step.indices))
    if not micro:  # fewer features than processes: a zero-weighted pass keeps this rank in the reduction
        micro, scale = [step.indices[:1]], 0.0
    part = torch.zeros((), device=acc.device)
    for n, ids in enumerate(micro):
        batch = {k: v.to(acc.device) for k, v in collate([task.features[i] for i in ids], pad_id).items()}
        with contextlib.nullcontext() if n == len(micro) - 1 else acc.no_sync(model):
            loss, _ = model(step.task, batch, reduction="sum")
            assert loss is not None, "training features carry labels"
            acc.backward(loss * scale)
        part += loss.detach() * (scale / world)
    acc.unwrap_model(model).drop_idle_head_grads(step.task)
    acc.clip_grad_norm_(model.parameters(), hp.max_grad_norm)
    optimizer.step()
    optimizer.zero_grad()
    return part
