"""Apertium eng->spa generation of XQuAD through `generator.pipeline.runner.run` (the `xstilts generate` path).

Reports examples/s of the whole pipeline (cold translation memory), how answers were projected
(marker / fuzzy / align / lost), and the MT segments the pipeline sends against what a
per-question translate-train script sends (naive: for each question its context sentences, its
question and one marked copy of its answer's sentence); both segment lists are also translated
side by side, each in one Apertium call, to time the saving.
Usage: python bench/bench_apertium_xquad.py [--quick] [--articles N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
XQUAD = ROOT.parent / "shared" / "data" / "xquad" / "xquad.en.json"


def naive_segments(examples: list[Any]) -> list[str]:
    """Every segment each question needs on its own: context sentences, one marked copy per answer, question."""
    from generator.projection.config import ProjectionConfig
    from generator.projection.fields import text_segments
    from generator.projection.qa_plan import plan_qa

    cfg = ProjectionConfig()
    out: list[str] = []
    for ex in examples:
        qa = plan_qa(ex, cfg)
        out += qa.plain_texts() + qa.single_marked_texts() + text_segments(ex.question)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the first --articles articles")
    parser.add_argument("--articles", type=int, default=6, help="articles in --quick mode")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    if not XQUAD.exists():
        print(
            f"{XQUAD} is absent (real data lives in ../shared/data beside the repository); nothing to measure."
        )
        return 0
    if shutil.which("apertium") is None:
        print("apertium is not installed (apt-get install apertium apertium-eng-spa); nothing to measure.")
        return 0
    sys.path.insert(0, str(ROOT))
    from generator.backends.base import CallOptions
    from generator.backends.registry import create_translator
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.resources import resources
    from generator.pipeline.runner import read_input, run
    from generator.pipeline.stats import RunStats

    work = Path(tempfile.mkdtemp(prefix="bench-xquad-"))
    try:
        data = json.loads(XQUAD.read_text(encoding="utf-8"))
        if args.quick:
            data["data"] = data["data"][: args.articles]
        source = work / "xquad.en.json"
        source.write_text(json.dumps(data), encoding="utf-8")
        config = GenerateConfig.build(
            task="squad",
            input=source,
            langs=["es"],
            out=work / "out",
            rows_per_shard=500,
            batch_size=args.batch_size,
        )
        examples, _ = read_input(config)
        # Record what reaches Apertium: the pipeline's translator is one instance per process.
        pipeline_translator = resources(config).translator
        sent: list[str] = []
        translate = pipeline_translator.translate

        def recording(texts: list[str], src: str, tgt: str, options: CallOptions | None = None) -> list[str]:
            sent.extend(texts)
            return translate(texts, src, tgt, options)

        pipeline_translator.translate = recording  # type: ignore[method-assign]
        stats = RunStats()
        start = time.perf_counter()
        manifest = run(config, stats=stats)
        elapsed = time.perf_counter() - start
        pipeline_translator.translate = translate  # type: ignore[method-assign]
        kept = sum(manifest.rows().values())
        drops: Counter[str] = Counter()
        for counts in manifest.drops().values():
            drops.update(counts)
        n = len(examples)
        seg = stats.segments

        naive = naive_segments(examples)
        translator = create_translator("apertium")
        t0 = time.perf_counter()
        translator.translate(naive, "en", "es")
        naive_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        translator.translate(sent, "en", "es")
        sent_s = time.perf_counter() - t0

        def share(count: int) -> str:
            return f"{100 * count / n:.1f}%"

        mode = f"quick ({args.articles} articles)" if args.quick else "full"
        print(f"\nXQuAD en->es with Apertium, {mode}: {n} questions, batch {args.batch_size}\n")
        print("| questions | pipeline s | examples/s | marker | fuzzy | align | lost | other drops |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        other = sum(v for k, v in drops.items() if k != "lost_span")
        print(
            f"| {n} | {elapsed:.1f} | {n / elapsed:.1f} | {share(stats.projections['marker'])} | "
            f"{share(stats.projections['fuzzy'])} | {share(stats.projections['align'])} | "
            f"{share(drops['lost_span'])} | {other} ({', '.join(f'{k} {v}' for k, v in sorted(drops.items()) if k != 'lost_span') or '-'}) |"
        )
        print(
            "\n| MT segments | naive (per question) | asked for by examples | distinct in batches "
            "| sent to backend | naive / sent |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        print(
            f"| count | {len(naive)} | {seg.requested} | {seg.distinct} | {seg.translated} "
            f"| {len(naive) / max(1, seg.translated):.2f}x |"
        )
        print("\n| Apertium time, one call each | naive list | list the pipeline sent | ratio |")
        print("|---|---:|---:|---:|")
        print(
            f"| seconds ({len(naive)} vs {len(sent)} segments) | {naive_s:.1f} | {sent_s:.1f} | {naive_s / sent_s:.2f}x |"
        )
        print(f"\nkept {kept}/{n} ({share(kept)})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
