"""Batches in flight while the backend translates: the same backend calls, memory and outcomes as one
batch at a time, for a backend whose output depends on everything in its call."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.errors import Cancelled, XstiltsError
from generator.pipeline.overlap import Job, Steps, computed, run_jobs


class DictMemory:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_many(self, lang: str, texts: list[str]) -> dict[str, str]:
        return {t: self.data[(lang, t)] for t in texts if (lang, t) in self.data}

    def put_many(self, lang: str, translations: dict[str, str]) -> None:
        self.data.update({(lang, t): v for t, v in translations.items()})


class CallSensitiveBackend:
    """Each translation carries a digest of its whole call, so any other call composition shows."""

    def __init__(self, seed: int = 0) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.lock = threading.Lock()
        self.rng = random.Random(seed)

    def __call__(self, lang: str, texts: list[str]) -> list[str]:
        with self.lock:
            self.calls.append((lang, tuple(texts)))
            pause = self.rng.random() * 0.004
        time.sleep(pause)
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:6]
        return [f"{lang}:{t.upper()}#{digest}" for t in texts]


def _retries(translations: dict[str, str]) -> list[str]:
    """Second-round texts chosen by the first round's output (as lost markers choose retries)."""
    return [f"again {t}" for t, out in sorted(translations.items()) if int(out[-1], 16) % 2 == 0]


def _batch(index: int, texts: list[str]) -> Steps[list[str]]:
    first = yield texts
    second = yield _retries(first)
    third = (yield [f"answer {index % 3}", ""]) if len(second) % 2 else {}
    return [first[t] for t in texts if t] + sorted(second.values()) + sorted(third.values())


def _jobs(n: int) -> Iterator[Job[list[str]]]:
    # Batch k shares words with k - 1 and k + 1, and its retries ("again w<k>") are among the first
    # texts of batch k + 1, so batches that ran ahead meet texts an earlier one sends later.
    for k in range(n):
        words = [f"w{k}", f"w{k + 1}", f"again w{k - 1}", f"w{k % 4}", "", f"w{k}"]
        lang = "es" if k % 5 else "sw"
        yield Job(lang, lambda k=k, words=words: _batch(k, words))


def _run(window: int, n: int = 24, seed: int = 0) -> tuple[list[list[str]], CallSensitiveBackend, DictMemory]:
    backend, memory = CallSensitiveBackend(seed), DictMemory()
    outcomes = [out for out, _ in run_jobs(_jobs(n), memory, backend, window=window)]
    return outcomes, backend, memory


@pytest.mark.parametrize("window", [2, 4, 8])
def test_batches_in_flight_match_one_at_a_time(window: int) -> None:
    one, sequential, memory_one = _run(1)
    many, overlapped, memory_many = _run(window, seed=window)
    assert many == one
    assert memory_many.data == memory_one.data
    committed = set(sequential.calls)
    assert committed <= set(overlapped.calls)
    assert len(sequential.calls) == len(committed), "one call per composition"
    if window > 2:
        assert len(overlapped.calls) > len(sequential.calls), "some batch ran ahead on a wrong guess"


def test_counts_and_memory_hits() -> None:
    backend, memory = CallSensitiveBackend(), DictMemory()
    memory.put_many("es", {"known": "es:KNOWN"})

    def batch() -> Steps[dict[str, str]]:
        return (yield ["known", "new", "new", ""])

    results = list(run_jobs([Job("es", batch), Job("es", batch)], memory, backend, window=2))
    assert results[0][0] == results[1][0]
    assert results[0][0]["known"] == "es:KNOWN"
    stats = [counts for _, counts in results]
    assert [(s.requested, s.distinct, s.translated) for s in stats] == [(3, 2, 1), (3, 2, 0)]
    assert backend.calls == [("es", ("new",))]


def test_computed_batches_need_no_backend() -> None:
    backend = CallSensitiveBackend()
    jobs = [Job("de", lambda i=i: computed(lambda: i * 2)) for i in range(5)]
    assert [out for out, _ in run_jobs(jobs, DictMemory(), backend)] == [0, 2, 4, 6, 8]
    assert backend.calls == []


def test_backend_errors_and_wrong_counts_reach_the_caller() -> None:
    def failing(lang: str, texts: list[str]) -> list[str]:
        raise XstiltsError("backend down")

    with pytest.raises(XstiltsError, match="backend down"):
        list(run_jobs(_jobs(3), DictMemory(), failing))
    with pytest.raises(XstiltsError, match="exactly one translation per input text"):
        list(run_jobs(_jobs(3), DictMemory(), lambda lang, texts: texts[:1]))
    with pytest.raises(ValueError, match="window"):
        list(run_jobs(_jobs(1), DictMemory(), CallSensitiveBackend(), window=0))


def test_stop_before_a_batch_keeps_the_earlier_outcomes() -> None:
    seen: list[int] = []

    def before(index: int) -> None:
        seen.append(index)
        if index == 3:
            raise Cancelled("stop")

    outcomes = []
    with pytest.raises(Cancelled):
        for out, _ in run_jobs(_jobs(10), DictMemory(), CallSensitiveBackend(), window=4, before_each=before):
            outcomes.append(out)
    assert seen == [0, 1, 2, 3] and len(outcomes) == 3
    assert outcomes == _run(1, n=3)[0]


# ---------------------------------------------------------------------------- the pipeline


def _rot13_losing_markers(texts: list[str], src: str, tgt: str, options: object = None) -> list[str]:
    """A backend whose outputs depend on the call: rot13, markers lost on some texts, the call size appended."""
    import codecs

    out = []
    for text in texts:
        shifted = codecs.encode(text, "rot13")
        if "[[" in text and int(hashlib.sha256(text.encode()).hexdigest(), 16) % 3 == 0:
            shifted = shifted.replace("[[", "").replace("]]", "")
        out.append(f"{shifted} {len(texts)}")
    return out


def test_pipeline_shards_are_byte_identical_with_batches_in_flight(
    tmp_path: Path, tiny_m2m100_ct2_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.resources import resources
    from generator.pipeline.runner import run
    from generator.pipeline.stats import RunStats
    from generator.shards import load_manifest
    from tests.generator.test_pipeline import PARAGRAPHS, write_squad

    paragraphs = PARAGRAPHS * 3
    source = write_squad(tmp_path / "squad.json", paragraphs)
    hashes, counts = [], []
    for window in (1, 4):
        out = tmp_path / f"out-{window}"
        config = GenerateConfig.build(
            task="squad",
            input=source,
            langs=["es", "sw"],
            out=out,
            rows_per_shard=5,
            batch_size=3,
            backend="ct2",
            backend_options={"model": str(tiny_m2m100_ct2_dir), "device": "cpu"},
            filters={"langid": False},
        )
        monkeypatch.setattr(resources(config).translator, "translate", _rot13_losing_markers)
        stats = RunStats()
        run(config, stats=stats, window=window)
        manifest = load_manifest(out)
        hashes.append([(s.path, s.sha256, s.rows, s.drops) for s in manifest.shards])
        counts.append((stats.segments.requested, stats.segments.distinct, stats.segments.translated))
        assert {p for p in stats.projections} >= {"marker"}
    assert hashes[0] == hashes[1]
    assert counts[0] == counts[1]
    assert sum(rows for _, _, rows, _ in hashes[0]) > 0


def test_a_unit_on_its_own_gives_the_streamed_result(tmp_path: Path) -> None:
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.runner import read_input
    from generator.pipeline.units import UnitTask, plan
    from tests.generator.test_pipeline import write_squad

    config = GenerateConfig.build(
        task="squad",
        input=write_squad(tmp_path / "squad.json"),
        langs=["de"],
        methods=["codeswitch"],
        out=tmp_path / "out",
        rows_per_shard=4,
        batch_size=3,
    )
    examples, _ = read_input(config)
    units = plan(config, len(examples))
    task = UnitTask(config, examples)
    streamed = list(task.stream(units))
    alone = [task(unit) for unit in units]
    assert [r.unit for r in alone] == units == [r.unit for r in streamed]
    assert [r.examples for r in alone] == [r.examples for r in streamed]
    assert sum(len(r.examples) + sum(r.drops.values()) for r in alone) == len(examples)
