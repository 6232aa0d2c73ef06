"""CTranslate2 int8 vs Hugging Face fp32 on CPU through the project's backends (random 6+6 Marian).

Both sides translate the same sentences greedily to the same length cap on the same CPU cores;
prints a markdown table with sentences/s and the ratio.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.backends.registry import load_translator, split_options
from tests.tiny_models import build_tiny_marian

SYLLABLES = ["ka", "to", "ri", "me", "sa", "lu", "po", "ne", "di", "ga", "mo", "te", "vi", "ra", "ku", "len"]


def generated_corpus(lines: int, seed: int) -> list[str]:
    """Sentences of made-up words, enough variety for a vocabulary of a few thousand pieces."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(6000)]
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(8, 22))).capitalize() + "."
        for _ in range(lines)
    ]


def measure(
    translator_name: str, options: dict[str, object], texts: list[str], repeats: int
) -> tuple[float, list[str]]:
    """Best-of-`repeats` sentences/s (the box may be shared) and the translations."""
    split = split_options(translator_name, options)
    translator = load_translator(translator_name, split.load)
    translator.translate(texts[:4], "en", "es", split.call)
    best, out = float("inf"), []
    for _ in range(repeats):
        start = time.perf_counter()
        out = translator.translate(texts, "en", "es", split.call)
        best = min(best, time.perf_counter() - start)
    assert len(out) == len(texts)
    return len(texts) / best, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller model and fewer sentences")
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-len", type=int, default=40, help="new tokens per sentence, both sides")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    layers, d_model, vocab = (2, 256, 2000) if args.quick else (6, 512, 8000)
    n = 40 if args.quick else args.sentences
    with tempfile.TemporaryDirectory() as tmp:
        corpus = generated_corpus(4000, seed=1)
        model_dir = build_tiny_marian(
            Path(tmp) / "opus-mt-en-es",
            d_model=d_model,
            layers=layers,
            ffn_dim=4 * d_model,
            heads=8,
            vocab_size=vocab,
            corpus_lines=corpus,
        )
        texts = generated_corpus(n, seed=2)
        hf, hf_out = measure(
            "transformers",
            {"model": str(model_dir), "device": "cpu", "num_beams": 1, "max_new_tokens": args.max_len},
            texts,
            args.repeats,
        )
        ct2_common: dict[str, object] = {
            "model": str(model_dir),
            "device": "cpu",
            "compute_type": "int8",
            "beam_size": 1,
            "max_decoding_length": args.max_len,
            "ct2_cache_dir": str(Path(tmp) / "ct2"),
        }
        # The plain-script setting: one batch of 32 at a time using every thread.
        plain_options = {
            "batch_type": "examples",
            "max_batch_size": 32,
            "inter_threads": 1,
            "intra_threads": args.threads,
        }
        plain, _ = measure("ct2", {**ct2_common, **plain_options}, texts, args.repeats)
        ct2, ct2_out = measure("ct2", ct2_common, texts, args.repeats)
    same = sum(a == b for a, b in zip(hf_out, ct2_out, strict=True)) / n
    model = f"Marian {layers}+{layers} d{d_model} (random), {n} sentences, greedy, {args.threads} threads"
    print(f"{model}; CT2 int8 output equals HF fp32 output for {same:.0%} of sentences")
    print("| backend | batching | sentences/s | vs HF fp32 |")
    print("|---|---|---|---|")
    print(f"| transformers fp32 | 32 sentences, length-sorted | {hf:.1f} | 1.00x |")
    print(f"| ct2 int8, 1 batch at a time | 32 sentences, length-sorted | {plain:.1f} | {plain / hf:.2f}x |")
    print(f"| ct2 int8 (backend defaults) | 512-token batches, one per core | {ct2:.1f} | {ct2 / hf:.2f}x |")


if __name__ == "__main__":
    main()
