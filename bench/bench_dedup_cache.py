"""Segments and wall time of translating XQuAD naively per question vs with sentence dedup and the cache.

A naive translate-train loop sends, for every question, its context's sentences and the question,
so a paragraph's sentences are re-sent once per question. With `translate_with_cache` the unique
context sentences and unique questions go to the MT backend once, and a rerun (resume, another
method over the same data) finds them all in the cache. With q questions and s sentences per
paragraph the cold segment ratio is q(s+1)/(s+q), bounded by q (about 5 questions per paragraph in
XQuAD); the character ratio is higher because questions are short. All rows translate with the real Apertium
eng->spa backend (`generator.backends` "apertium").

    python bench/bench_dedup_cache.py [--quick] [--per-question-calls] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.backends.base import cache_key
from generator.backends.registry import create_translator
from generator.cache import TranslationCache, translate_with_cache
from generator.errors import MissingDependencyError
from generator.segment import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "xquad" / "xquad.en.json"
QUICK_PARAGRAPHS = 40

Question = tuple[list[str], str]  # (context sentences, question)


def load_questions(path: Path, max_paragraphs: int | None) -> list[Question]:
    data = json.loads(path.read_text(encoding="utf-8"))
    paragraphs = [p for article in data["data"] for p in article["paragraphs"]][:max_paragraphs]
    questions: list[Question] = []
    for paragraph in paragraphs:
        sentences = [s.text for s in split_sentences(paragraph["context"])]
        questions.extend((sentences, qa["question"]) for qa in paragraph["qas"])
    return questions


def naive_segments(questions: list[Question]) -> list[str]:
    return [text for sentences, question in questions for text in (*sentences, question)]


def timed(run: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    out = run()
    return out, time.perf_counter() - start


def best_of(repeats: int, run: Callable[[], list[str]]) -> tuple[list[str], float]:
    """The output and the fastest wall time of `repeats` runs."""
    results = [timed(run) for _ in range(repeats)]
    return results[0][0], min(seconds for _, seconds in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_PARAGRAPHS} paragraphs only")
    parser.add_argument(
        "--per-question-calls",
        action="store_true",
        help="also time a loop that calls the backend once per question (slow: one apertium process each)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="time each run this many times, keep the best")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="an XQuAD/SQuAD v1.1 JSON file")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(
            f"{args.data} not found: this benchmark reads XQuAD English from ../shared/data; nothing to measure."
        )
        return 0
    questions = load_questions(args.data, QUICK_PARAGRAPHS if args.quick else None)
    naive = naive_segments(questions)
    unique = list(dict.fromkeys(naive))
    paragraphs = len({tuple(s) for s, _ in questions})
    print(f"data: {args.data.name}, {paragraphs} paragraphs, {len(questions)} questions\n")
    try:
        translator = create_translator("apertium")
    except MissingDependencyError as err:
        print(f"segments: naive {len(naive)}, dedup {len(unique)}, ratio {len(naive) / len(unique):.2f}x")
        print(f"no timing: {err}")
        return 0

    def mt(texts: list[str]) -> list[str]:
        return translator.translate(texts, "en", "es")

    mt(["Warm up the backend."])

    key = cache_key(translator, None, "en", "es")
    rows: list[tuple[str, int, int, float]] = []
    naive_chars = sum(len(t) for t in naive)
    if args.per_question_calls:
        _, seconds = timed(lambda: [out for sentences, q in questions for out in mt([*sentences, q])])
        rows.append(("naive, one MT call per question", len(naive), naive_chars, seconds))
    batched, t_batched = best_of(args.repeats, lambda: mt(naive))
    rows.append(("naive, one batched MT call", len(naive), naive_chars, t_batched))
    t_cold = t_warm = float("inf")
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp, TranslationCache(Path(tmp) / "tm.sqlite") as cache:
            sent: list[int] = []

            def counting_mt(texts: list[str], sent: list[int] = sent) -> list[str]:
                sent.append(len(texts))
                return mt(texts)

            cold, seconds = timed(lambda: translate_with_cache(counting_mt, naive, key, cache))
            t_cold, cold_sent = min(t_cold, seconds), sum(sent)
            warm, seconds = timed(lambda: translate_with_cache(counting_mt, naive, key, cache))
            t_warm, warm_sent = min(t_warm, seconds), sum(sent) - cold_sent
    rows.append(("dedup + cache, cold", cold_sent, sum(len(t) for t in unique), t_cold))
    rows.append(("dedup + cache, warm (rerun)", warm_sent, 0, t_warm))

    print("| run | MT segments | MT chars | wall s | segments naive/run | chars naive/run | time naive/run |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, segments, n_chars, seconds in rows:
        seg_ratio = f"{len(naive) / segments:.2f}x" if segments else "all cached"
        char_ratio = f"{naive_chars / n_chars:.2f}x" if n_chars else "all cached"
        print(
            f"| {name} | {segments} | {n_chars} | {seconds:.2f} | {seg_ratio} | {char_ratio} | "
            f"{t_batched / seconds:.2f}x |"
        )
    differing = sum(a != b for a, b in zip(batched, cold, strict=True))
    print(
        f"\nsegments translated differently in the naive batch than alone: {differing} of {len(naive)} "
        "(Apertium's tagger sees the neighbouring segments of a batch)"
    )
    if warm != cold:
        print("error: the warm-cache run returned other translations than the cold run")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
