"""Code-switched sentences per second on one core, and what the lexicon cache buys.

Sentences are the XQuAD English contexts split with `generator.segment.split_sentences`; lexicons
are the real FreeDict eng-spa/deu/swh/tur dictionaries. Two comparisons, both measured here:

* lexicon load: first parse of the dictd files vs a load from the on-disk cache;
* switching: `switch_text` with lexicons loaded once (lookup tables built once per lexicon) vs the
  per-call pattern of CoSDA-ML-style scripts that read and parse the dictionary inside the
  switching function, timed on a few sentences (it takes seconds per sentence for eng-deu).

Times are process CPU seconds (one core), so other load on the machine disturbs them less.

    python bench/bench_codeswitch.py [--quick] [--data PATH] [--dictd-dir DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.switching import switch_text
from generator.lexicons.freedict import load_dictd
from generator.lexicons.lexicon import Lexicon

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "xquad" / "xquad.en.json"
LANGS = {"es": "spa", "de": "deu", "sw": "swh", "tr": "tur"}


def load_sentences(path: Path, max_paragraphs: int | None) -> list[str]:
    from generator.segment import split_sentences
    from generator.tasks import read_examples

    contexts = list(dict.fromkeys(e.context for e in read_examples("squad", path).examples))[:max_paragraphs]
    return [segment.text for context in contexts for segment in split_sentences(context)]


def cpu_seconds(work: Callable[[], object], repeats: int) -> float:
    """The best of `repeats` runs, in process CPU seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def per_call_switch(sentence: str, index: Path, lang: str, cfg: CodeSwitchConfig, rng: random.Random) -> str:
    """The per-call pattern: read and parse the dictionary, then switch one sentence."""
    lexicon = load_dictd(index, use_cache=False)
    return switch_text(sentence, {lang: lexicon}, cfg, rng).text


def per_call_all(sample: list[str], index: Path, lang: str, cfg: CodeSwitchConfig) -> list[str]:
    return [per_call_switch(sentence, index, lang, cfg, random.Random(0)) for sentence in sample]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sentences and repeats")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="xquad.en.json")
    parser.add_argument("--dictd-dir", type=Path, default=Path("/usr/share/dictd"))
    args = parser.parse_args(argv)

    if not args.data.exists():
        print(
            f"{args.data} not found: the benchmark needs XQuAD English (../shared/data/xquad); nothing measured"
        )
        return 0
    indexes = {lang: args.dictd_dir / f"freedict-eng-{code}.index" for lang, code in LANGS.items()}
    indexes = {lang: index for lang, index in indexes.items() if index.exists()}
    if not indexes:
        print(
            f"no FreeDict eng-XXX dictionaries in {args.dictd_dir}: apt-get install dict-freedict-eng-spa; nothing measured"
        )
        return 0
    missing = sorted(set(LANGS) - set(indexes))
    if missing:
        print(
            f"skipping {missing}: apt-get install "
            + " ".join(f"dict-freedict-eng-{LANGS[m]}" for m in missing)
        )

    sentences = load_sentences(args.data, 40 if args.quick else None)
    repeats = 2 if args.quick else 5
    naive_calls = 1 if args.quick else 3

    print("\n### Lexicon load (CPU s, one core)\n")
    print("| lexicon | entries | first parse s | cached load s | speedup |")
    print("|---|---:|---:|---:|---:|")
    lexicons: dict[str, Lexicon] = {}
    with tempfile.TemporaryDirectory() as cache:
        for lang, index in indexes.items():
            start = time.process_time()
            lexicons[lang] = load_dictd(index, cache_dir=cache)
            parse = time.process_time() - start
            cached = cpu_seconds(partial(load_dictd, index, cache_dir=cache), repeats)
            print(
                f"| eng-{LANGS[lang]} | {len(lexicons[lang]):,} | {parse:.3f} | {cached:.3f} | {parse / cached:.1f}x |"
            )

    print(f"\n### Code-switching {len(sentences):,} XQuAD sentences (token ratio 0.5, CPU s, one core)\n")
    print("| languages | mix | sentences/s | per-call parse sentences/s | ratio | realized token ratio |")
    print("|---|---|---:|---:|---:|---:|")
    configs = [CodeSwitchConfig(langs=(lang,), token_ratio=0.5) for lang in lexicons]
    if len(lexicons) > 1:
        configs.append(CodeSwitchConfig(langs=tuple(lexicons), token_ratio=0.5, mix="many"))
    for cfg in configs:
        rng = random.Random(0)
        switch_text(sentences[0], lexicons, cfg, rng)  # lookup tables are built once per lexicon

        def run_all(cfg: CodeSwitchConfig = cfg, rng: random.Random = rng) -> tuple[int, int]:
            switched = candidates = 0
            for sentence in sentences:
                result = switch_text(sentence, lexicons, cfg, rng)
                switched += len(result.switches)
                candidates += result.candidates
            return switched, candidates

        seconds = cpu_seconds(run_all, repeats)
        switched, candidates = run_all()
        ours = len(sentences) / seconds
        row = f"| {cfg.lang_label} | {cfg.mix} | {ours:,.0f} |"
        if len(cfg.langs) == 1:
            lang = cfg.langs[0]
            sample = sentences[:naive_calls]
            naive_seconds = cpu_seconds(partial(per_call_all, sample, indexes[lang], lang, cfg), 1)
            naive = len(sample) / naive_seconds
            row += f" {naive:,.2f} | {ours / naive:,.0f}x |"
        else:
            row += " - | - |"
        print(f"{row} {switched / candidates:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
