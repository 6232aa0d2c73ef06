"""The generation pipeline around its backend on XQuAD (en->es, QA): CPU cost per example by stage, and
wall time with batches in flight against one batch at a time.

1. Real translations are recorded once from Apertium (untimed), then replayed by `ZeroCostBackend`
   (bench only: a dictionary lookup), so every stage sees real MT output (lost markers, retries,
   filters) while the backend costs nothing. CPU time (`time.process_time`, all threads) per stage,
   one batch at a time, after a warm-up run (loading the language detector and compiling the
   sentence splitter's patterns happen once per process and are not counted); every text is split
   into sentences again in the timed run, with a cold translation memory.
2. `SleepBackend` (bench only) replays the same translations at a fixed speed in sentences/s,
   sleeping like an accelerator that leaves the CPU free. The pipeline runs with one batch at a time
   (window 1) and with batches in flight (window 4); the overlapped wall time is compared with
   max(backend time, pipeline CPU time), and, for a machine shared with other work where CPU work
   takes longer than its CPU time, with max(backend time, pipeline thread busy), the same run's wall
   time less the time the pipeline thread waited for the backend: the ratio is 1 when the pipeline
   waits only while the backend works. Every run's shards are checked to equal the zero-cost run's.

Usage: python bench/bench_pipeline_overhead.py [--quick] [--rate N]  (default: the CPU-matched speed, 1000/s and 500/s)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
XQUAD = ROOT.parent / "shared" / "data" / "xquad" / "xquad.en.json"
# Stages timed inside another one: the outer stage is reported without them.
INNER = {
    "plan answers, mark, segment fields": "sentence splitting (English; once per text for every target language)",
    "filters: language id (lingua) and the rest": "filters: empty, length ratio, copy",
}
STAGES = {
    "read input": [("generator.pipeline.runner", "read_input")],
    "sentence splitting (English; once per text for every target language)": [
        ("generator.projection.fields", "split_sentences")
    ],
    "plan answers, mark, segment fields": [
        ("generator.pipeline.units", "plan_qa"),
        ("generator.pipeline.units", "text_segments"),
        ("generator.pipeline.units", "fields_to_translate"),
        ("generator.pipeline.units", "mark_entities"),
    ],
    "dedup, memory lookup + write": [
        ("generator.pipeline.overlap", "_Window._request"),
        ("generator.pipeline.overlap", "_Window.finished"),
    ],
    "projection": [
        ("generator.pipeline.units", "assemble_qa"),
        ("generator.pipeline.units", "project_tags"),
        ("generator.pipeline.units", "translate_fields"),
    ],
    "filters: empty, length ratio, copy": [("generator.filters", "Filter._surface_reason")],
    "filters: language id (lingua) and the rest": [("generator.pipeline.units", "_filter")],
    "Parquet shards + manifest": [
        ("generator.shards", "ShardStore.write"),
        ("generator.shards", "ShardStore.finish"),
    ],
}


class ZeroCostBackend:
    """Bench only: recorded translations handed back at no cost."""

    def __init__(self, memo: dict[str, str]) -> None:
        self.memo = memo

    def translate(self, texts: list[str], src: str, tgt: str, options: Any = None) -> list[str]:
        return [self.memo[t] for t in texts]


class SleepBackend(ZeroCostBackend):
    """Bench only: recorded translations at a fixed speed, sleeping as a GPU frees the CPU."""

    def __init__(self, memo: dict[str, str], sentences_per_s: float) -> None:
        super().__init__(memo)
        self.rate = sentences_per_s
        self.busy_s = 0.0

    def translate(self, texts: list[str], src: str, tgt: str, options: Any = None) -> list[str]:
        seconds = len(texts) / self.rate
        time.sleep(seconds)
        self.busy_s += seconds
        return super().translate(texts, src, tgt, options)


def _timed_stages() -> tuple[dict[str, float], Callable[[], None]]:
    """Wrap every stage function with a CPU-time counter; returns the counters and an undo."""
    import importlib

    spent: dict[str, float] = defaultdict(float)
    undo: list[Callable[[], None]] = []
    for stage, targets in STAGES.items():
        for module_name, attr in targets:
            owner: Any = importlib.import_module(module_name)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name)

            def timed(*args: Any, _f: Any = original, _stage: str = stage, **kwargs: Any) -> Any:
                started = time.process_time()
                try:
                    return _f(*args, **kwargs)
                finally:
                    spent[_stage] += time.process_time() - started

            setattr(owner, name, functools.wraps(original)(timed))
            undo.append(lambda owner=owner, name=name, original=original: setattr(owner, name, original))
    return spent, lambda: [u() for u in reversed(undo)]


@contextlib.contextmanager
def _waits() -> Iterator[list[float]]:
    """Seconds this thread spends in `Future.result` (waiting for the backend thread), while open."""
    from concurrent.futures import Future

    waited = [0.0]
    original = Future.result
    me = threading.get_ident()

    def result(self: Future[Any], timeout: float | None = None) -> Any:
        if threading.get_ident() != me or self.done():
            return original(self, timeout)
        started = time.perf_counter()
        try:
            return original(self, timeout)
        finally:
            waited[0] += time.perf_counter() - started

    Future.result = result  # type: ignore[method-assign]
    try:
        yield waited
    finally:
        Future.result = original  # type: ignore[method-assign]


def _config(source: Path, out: Path, batch_size: int) -> Any:
    from generator.pipeline.config import GenerateConfig

    return GenerateConfig.build(
        task="squad", input=source, langs=["es"], out=out, rows_per_shard=500, batch_size=batch_size
    )


def _shards(out: Path) -> list[tuple[str, str]]:
    from generator.shards import load_manifest

    return [(s.path, s.sha256) for s in load_manifest(out).shards]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first 12 articles only")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="SleepBackend sentences/s (0: as fast as the CPU)"
    )
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    if not XQUAD.exists():
        print(f"{XQUAD} is absent (real data lives in ../shared/data); nothing to measure.")
        return 0
    if shutil.which("apertium") is None:
        print("apertium is not installed (apt-get install apertium apertium-eng-spa); nothing to record.")
        return 0
    sys.path.insert(0, str(ROOT))
    from generator.pipeline.resources import resources
    from generator.pipeline.runner import read_input, run
    from generator.pipeline.stats import RunStats
    from generator.projection.fields import sentence_segments

    work = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    try:
        data = json.loads(XQUAD.read_text(encoding="utf-8"))
        if args.quick:
            data["data"] = data["data"][:12]
        source = work / "xquad.en.json"
        source.write_text(json.dumps(data), encoding="utf-8")

        record = _config(source, work / "record", args.batch_size)
        translator = resources(record).translator
        apertium = translator.translate
        memo: dict[str, str] = {}

        def recording(texts: list[str], src: str, tgt: str, options: Any = None) -> list[str]:
            out = apertium(texts, src, tgt, options)
            memo.update(zip(texts, out, strict=True))
            return out

        translator.translate = recording  # type: ignore[method-assign]
        run(record, window=1)
        n = len(read_input(record)[0])

        translator.translate = ZeroCostBackend(memo).translate  # type: ignore[method-assign]
        run(_config(source, work / "warm", args.batch_size), window=1)
        sentence_segments.cache_clear()  # every context and question is split again in the timed run
        spent, undo = _timed_stages()
        stats = RunStats()
        started = time.process_time()
        run(_config(source, work / "zero", args.batch_size), window=1, stats=stats)
        cpu_s = time.process_time() - started
        undo()
        sent = stats.segments.translated

        print(f"\nXQuAD en->es, {n} questions, batch {args.batch_size}, {sent} segments sent to the backend")
        print("\nCPU per example by stage, zero-cost backend, one batch at a time (time.process_time):\n")
        print("| stage | ms / example | share |")
        print("|---|---:|---:|")
        own = {
            stage: spent[stage] - spent[INNER[stage]] if stage in INNER else spent[stage] for stage in STAGES
        }
        rows = [*own.items(), ("other (loop, examples, projection helpers)", cpu_s - sum(own.values()))]
        for stage, seconds in rows:
            print(f"| {stage} | {1000 * seconds / n:.3f} | {100 * seconds / cpu_s:.0f}% |")
        print(f"| **all non-model stages** | **{1000 * cpu_s / n:.3f}** | 100% |")
        english = own["read input"] + own[INNER["plan answers, mark, segment fields"]]
        per_lang = cpu_s - english
        print(
            f"\nper input example, English side (read, sentence splitting): {1000 * english / n:.3f} ms; "
            f"per example and target language, the rest: {1000 * per_lang / n:.3f} ms; "
            f"per output example of a 12-language run (the paper's synthetic languages): "
            f"{1000 * (english / 12 + per_lang) / n:.3f} ms"
        )

        rates = [args.rate] if args.rate else [round(sent / cpu_s), 1000, 500]
        print(
            "\nBackend of known speed (sleeping), wall time; the first speed matches the pipeline's CPU time. "
            "Pipeline thread busy = wall time less its waits for the backend (the CPU work as it ran here):\n"
        )
        print(
            "| sentences/s | run | wall s | backend s | CPU s | pipeline busy s | waited s "
            "| wall / max(backend, CPU) | wall / max(backend, busy) |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        hashes = []
        for rate in rates:
            for window, label in ((1, "one batch at a time"), (4, "4 batches in flight")):
                sleeper = SleepBackend(memo, rate)
                translator.translate = sleeper.translate  # type: ignore[method-assign]
                out = work / f"sleep-{rate}-{window}"
                sentence_segments.cache_clear()
                with _waits() as waited:
                    cpu0, wall0 = time.process_time(), time.perf_counter()
                    run(_config(source, out, args.batch_size), window=window)
                    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                busy = wall - waited[0]
                print(
                    f"| {rate:.0f} | {label} | {wall:.2f} | {sleeper.busy_s:.2f} | {cpu:.2f} | {busy:.2f} "
                    f"| {waited[0]:.2f} | {wall / max(sleeper.busy_s, cpu):.2f} "
                    f"| {wall / max(sleeper.busy_s, busy):.2f} |"
                )
                hashes.append(_shards(out))
        translator.translate = apertium  # type: ignore[method-assign]
        same = all(h == _shards(work / "zero") for h in hashes)
        print(f"\nshards of every run identical to the zero-cost run's: {'yes' if same else 'NO'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
