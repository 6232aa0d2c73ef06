"""Data parallelism: two gloo processes evaluate exactly as one, and train on every feature once per epoch
to the loss of one process; the rank split, loss weighting and accumulation on their own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import torch

from generator.example import Example
from tests.tiny_models import fixture_corpus
from trainer.config.loading import parse_experiment
from trainer.data import IGNORE_INDEX, Step, build_schedule, encode
from trainer.distributed import gather_items, loss_items, rank_micro_batches, shard
from trainer.model import HeadSpec, StiltsModel
from trainer.train import StiltsRecipe

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
WORKER = Path(__file__).with_name("ddp_worker.py")
# Two processes add the same per-feature gradients in another order: float32 rounding only.
LOSS_TOLERANCE = 1e-4


def test_rank_micro_batches_split_a_step_once_over_ranks_and_micro_batches() -> None:
    step = Step("t", tuple(range(11)))
    split = {rank: rank_micro_batches(step, rank, 3, 2) for rank in range(3)}
    assert split[0] == [(0, 3), (6, 9)]
    assert split[2] == [(2, 5), (8,)]
    seen = sorted(i for batches in split.values() for b in batches for i in b)
    assert seen == list(range(11))
    assert rank_micro_batches(step, 1, 3, None) == [(1, 4, 7, 10)]
    assert rank_micro_batches(Step("t", (4,)), 1, 2, 8) == []


def test_loss_items_count_labelled_tokens_of_tagging_features() -> None:
    assert loss_items({"input_ids": [0, 5, 2], "label": 1}) == 1
    assert loss_items({"input_ids": [0, 5, 6, 2], "labels": [IGNORE_INDEX, 3, IGNORE_INDEX, 0]}) == 2


def test_one_process_shard_and_gather_are_the_identity() -> None:
    assert shard([3, 1, 2]) == [3, 1, 2]
    assert gather_items([("a", 1)]) == [("a", 1)]


def test_proportional_schedule_visits_every_batch_once_per_epoch() -> None:
    lengths = {"a": [5] * 23, "b": [5] * 7, "c": [5] * 2}
    sizes = {"a": 4, "b": 3, "c": 4}
    steps = build_schedule(lengths, sizes, epochs=3, seed=2)
    per_epoch = 6 + 3 + 1
    assert len(steps) == 3 * per_epoch
    for epoch in range(3):
        seen = Counter(
            (s.task, i) for s in steps[epoch * per_epoch : (epoch + 1) * per_epoch] for i in s.indices
        )
        assert seen == Counter((t, i) for t, n in lengths.items() for i in range(len(n)))
    assert len({s.task for s in steps[:per_epoch]}) == 3


def test_grad_accum_is_replaced_by_device_batch_size(tmp_path: Path) -> None:
    from generator.errors import ConfigError

    raw = _config(tmp_path, tmp_path)
    raw["hparams"]["grad_accum"] = 4
    with pytest.raises(ConfigError, match="device_batch_size"):
        parse_experiment(raw, tmp_path)


def test_training_mode_loss_reaches_every_head_and_idle_grads_are_dropped(tiny_model: Path) -> None:
    model = StiltsModel.from_pretrained(
        tiny_model, {"a": HeadSpec("classification", 2), "b": HeadSpec("span")}
    )
    batch = {
        "input_ids": torch.tensor([[0, 10, 11, 2]]),
        "attention_mask": torch.ones(1, 4, dtype=torch.long),
        "labels": torch.tensor([1]),
    }
    model.train()
    loss, _ = model("a", batch)
    assert loss is not None
    loss.backward()
    head_b = list(model.heads["b"].parameters())
    assert all(p.grad is not None and not p.grad.any() for p in head_b)
    model.drop_idle_head_grads("a")
    assert all(p.grad is None for p in head_b)
    assert all(p.grad is not None for p in model.heads["a"].parameters())
    model.eval()
    summed, _ = model("a", {**batch, "labels": torch.tensor([1])}, reduction="sum")
    mean, _ = model("a", batch)
    assert summed is not None and mean is not None and torch.allclose(summed, mean)


def _keyword_examples(n: int) -> list[Example]:
    words = ["red", "blue", "green", "small", "large", "quick"]
    return [
        Example(id=str(i), task="kw", kind="pair", text_a=f"{words[i % 6]} {words[(i * 5) % 6]}", label=i % 2)
        for i in range(n)
    ]


@pytest.mark.slow
def test_micro_batches_train_the_same_model_as_whole_steps(
    tmp_path: Path, no_dropout_model: Path, tiny_tokenizer: Any
) -> None:
    task = encode("kw", "pair", _keyword_examples(21), tiny_tokenizer, max_length=16)
    heads = {"kw": HeadSpec("classification", 2)}
    models = []
    for device_batch in (None, 2):
        raw = _config(tmp_path, no_dropout_model)
        raw["hparams"].update(batch_size=8, device_batch_size=device_batch, max_steps=None)
        exp = parse_experiment(raw, tmp_path)
        recipe = StiltsRecipe(exp, seed=3, out_dir=tmp_path / f"{device_batch}", quiet=True)
        recipe.train_phase("kw", str(no_dropout_model), heads, {"kw": task}, epochs=2)
        assert recipe.last_model is not None
        models.append(recipe.last_model.state_dict())
        done = json.loads((tmp_path / f"{device_batch}" / "kw" / "done.json").read_text())
        assert done["features"] == {"kw": 42} and done["steps"] == 6
    assert all(torch.allclose(models[0][k], models[1][k], atol=1e-5) for k in models[0])


# ---------------------------------------------------------------------------- two processes


@pytest.fixture(scope="module")
def no_dropout_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny XLM-R without dropout, so one and two processes compute the same function."""
    path = tmp_path_factory.mktemp("no-dropout") / "tiny"
    shutil.copytree(tiny_model, path)
    config = json.loads((path / "config.json").read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (path / "config.json").write_text(json.dumps(config))
    return path


def _config(tmp_path: Path, model: Path) -> dict[str, Any]:
    data = tmp_path / "data"
    (data / "tatoeba").mkdir(parents=True, exist_ok=True)
    for lang in ("en", "es"):
        shutil.copy(SAMPLES / "trainer" / "squad.en.json", data / f"xquad.{lang}.json")
    lines = fixture_corpus(120)
    (data / "tatoeba" / "tatoeba.spa-eng.spa").write_text("\n".join(lines[1::3][:30]) + "\n")
    (data / "tatoeba" / "tatoeba.spa-eng.eng").write_text("\n".join(lines[0::3][:30]) + "\n")
    return {
        "model": str(model),
        "output_dir": str(tmp_path / "out"),
        "intermediate": {
            "tasks": [
                {"task": "mnli", "path": str(SAMPLES / "trainer" / "mnli.en.jsonl")},
                {"task": "squad", "path": str(SAMPLES / "trainer" / "squad.en.json")},
                {"task": "wikiann", "path": str(SAMPLES / "tasks" / "wikiann" / "dev-en.tsv")},
            ],
            "sampling": {"method": "proportional"},
            "epochs": 2,
        },
        "targets": [
            {
                "name": "xnli",
                "task": "mnli",
                "train": str(SAMPLES / "trainer" / "mnli.en.jsonl"),
                "eval_task": "xnli",
                "eval": str(SAMPLES / "trainer" / "xnli" / "dev-{lang}.tsv"),
            },
            {
                "name": "xquad",
                "task": "squad",
                "train": str(SAMPLES / "trainer" / "squad.en.json"),
                "eval_task": "xquad",
                "eval": str(data / "xquad.{lang}.json"),
            },
        ],
        "retrieval": [{"task": "tatoeba", "dir": str(data / "tatoeba"), "langs": ["es"]}],
        "hparams": {
            "lr": 1e-3,
            "batch_size": 5,
            "qa_batch_size": 3,
            "device_batch_size": 2,
            "max_length": 48,
            "qa_max_length": 96,
            "doc_stride": 40,
            "retrieval_max_length": 32,
            "eval_batch_size": 4,
            "warmup": 0.0,
            "log_every": 1,
        },
    }


def _fixed_run_folder(run_dir: Path, model: Path) -> None:
    """A finished run: random heads on the tiny encoder, saved as `xstilts train` saves them."""
    torch.manual_seed(7)
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"condition": "baseline", "seed": 1, "model": str(model)}))
    for name, spec, labels in (
        ("xnli", HeadSpec("classification", 3), ["entailment", "neutral", "contradiction"]),
        ("xquad", HeadSpec("span"), []),
    ):
        StiltsModel.from_pretrained(model, {name: spec}).save(run_dir / f"target-{name}" / "model")
        (run_dir / f"target-{name}" / "labels.json").write_text(json.dumps(labels))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _predictions(run_dir: Path) -> dict[str, bytes]:
    root = run_dir / "predictions"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_two_gloo_processes_evaluate_and_train_as_one(tmp_path: Path, no_dropout_model: Path) -> None:
    from tests.trainer.ddp_worker import run

    config = tmp_path / "experiment.json"
    config.write_text(json.dumps(_config(tmp_path, no_dropout_model)))
    _fixed_run_folder(tmp_path / "run-1", no_dropout_model)
    shutil.copytree(tmp_path / "run-1", tmp_path / "run-2")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()

    run(config, tmp_path / "run-1", tmp_path / "one")
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        str(_free_port()),
        str(WORKER),
        str(config),
        str(tmp_path / "run-2"),
        str(tmp_path / "two"),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]

    one = json.loads((tmp_path / "one" / "rank0.json").read_text())
    ranks = [json.loads((tmp_path / "two" / f"rank{r}.json").read_text()) for r in range(2)]
    assert one["world"] == 1 and all(r["world"] == 2 for r in ranks)

    # Evaluation: identical scores on both ranks and to one process, identical prediction files.
    assert set(one["scores"]) == {"xnli", "xquad", "tatoeba"}
    assert ranks[0]["scores"] == one["scores"] == ranks[1]["scores"]
    assert _predictions(tmp_path / "run-2") == _predictions(tmp_path / "run-1") != {}

    # Training: every step's batch split between the ranks, each feature exactly once.
    steps = [(task, [i for b in batches for i in b]) for task, batches in one["calls"]]
    assert all(len(r["calls"]) == len(steps) for r in ranks)
    for k, (task, indices) in enumerate(steps):
        parts = [r["calls"][k] for r in ranks]
        assert all(part[0] == task for part in parts)
        split = [i for part in parts for b in part[1] for i in b]
        assert sorted(split) == sorted(indices), f"step {k}"
        assert all(len(b) <= 2 for part in parts for b in part[1])
    assert any(not part[1] for r in ranks for part in r["calls"]), (
        "a step with one feature leaves a rank idle"
    )

    # Each epoch holds every feature of every task once (proportional sampling).
    counts = Counter(task for task, _ in steps)
    sizes = {"mnli": 5, "squad": 3, "wikiann": 5}
    features = Counter()
    for task, indices in steps:
        features[task] += len(indices)
    per_epoch = sum(-(-features[t] // 2 // sizes[t]) for t in counts)
    assert len(steps) == 2 * per_epoch
    for epoch in range(2):
        block = steps[epoch * per_epoch : (epoch + 1) * per_epoch]
        seen = Counter((task, i) for task, indices in block for i in indices)
        assert set(seen.values()) == {1}
        assert {t: sum(1 for task, _ in seen if task == t) for t in counts} == {
            t: features[t] // 2 for t in counts
        }

    # The loss: the same on both ranks and within LOSS_TOLERANCE of one process at every log.
    assert ranks[0]["losses"] == ranks[1]["losses"]
    assert len(ranks[0]["losses"]) == len(one["losses"]) == len(steps)
    assert ranks[0]["losses"] == pytest.approx(one["losses"], abs=LOSS_TOLERANCE)
    assert ranks[0]["losses"][-1] < ranks[0]["losses"][0]
