"""Code-switched sentences per second on one core, side by side, and what the lexicon cache buys.

Sentences are the XQuAD English contexts split with `generator.segment.split_sentences`; lexicons
are the real FreeDict eng-spa/deu/swh/tur dictionaries. Measured in one run:

* lexicon load: first parse of the dictd files vs a load from the on-disk cache;
* switching at token ratio 0.5, every implementation on the same sentences with its dictionary loaded
  once: `generator.codeswitch.switch_text` now ("after"), the previous implementation
  (`bench/codeswitch_before.py`, "before", with the lexicon its parser read), and a re-implementation
  of CoSDA-ML's switching function on the same lexicon as "after" (`cosdaml_switch` below).

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

from codeswitch_before import CodeSwitchConfigBefore, load_dictd_before, switch_text_before

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.switching import switch_text
from generator.lexicons.freedict import load_dictd
from generator.lexicons.installed import load_lexicon
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


def cosdaml_dictionary(lexicon: Lexicon) -> dict[str, list[str]]:
    """CoSDA-ML's `src2tgt`: lower-case one-word source -> its translations (multiwords cannot match)."""
    return {word.lower(): list(ts) for word, ts in lexicon.entries.items() if " " not in word and ts}


def cosdaml_switch(
    sentence: str, src2tgt: list[dict[str, list[str]]], ratio: float, cross: float, rng: random.Random
) -> str:
    """CoSDA-ML's switching of one sentence, re-implemented (it is not on PyPI).

    Upstream: github.com/kodenii/CoSDA-ML, model/MLDoc/all.py, `Model.cross`, `cross_str` and
    `cross_list` at commit f55aa7a2381ddbd8ce39b40fa8b4626d9e181a47. The sentence is switched with
    probability `ratio`; it is lower-cased and split on spaces; each word, with probability `cross`,
    draws a dictionary (language) at random and is replaced by a uniformly drawn translation when that
    dictionary has it; words are joined by spaces (upstream leaves a trailing space).
    """
    if not ratio >= rng.random():
        return sentence.lower()
    out = ""
    for word in sentence.lower().split(" "):
        if cross >= rng.random():
            translations = src2tgt[rng.randint(0, len(src2tgt) - 1)].get(word)
            out += translations[rng.randint(0, len(translations) - 1)] if translations else word
        else:
            out += word
        out += " "
    return out


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

    print("\n### Lexicon load (CPU s, one core)\n")
    print("| lexicon | entries | first parse s | cached load s | speedup |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as cache:
        for lang, index in indexes.items():
            start = time.process_time()
            parsed = load_dictd(index, cache_dir=cache)
            parse = time.process_time() - start
            cached = cpu_seconds(partial(load_dictd, index, cache_dir=cache), repeats)
            print(
                f"| eng-{LANGS[lang]} | {len(parsed):,} | {parse:.3f} | {cached:.3f} | {parse / cached:.1f}x |"
            )
        lexicons = {
            lang: load_lexicon(lang, sources=("freedict",), dictd_dir=args.dictd_dir, cache_dir=cache)
            for lang in indexes
        }
    before_lexicons = {lang: load_dictd_before(index) for lang, index in indexes.items()}

    print(f"\n### Code-switching {len(sentences):,} XQuAD sentences (token ratio 0.5, CPU s, one core)\n")
    print(
        "| languages | mix | after sentences/s | before sentences/s | after / before "
        "| CoSDA-ML sentences/s | after / CoSDA-ML | realised ratio after | before |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    configs = [CodeSwitchConfig(langs=(lang,), token_ratio=0.5) for lang in lexicons]
    if len(lexicons) > 1:
        configs.append(CodeSwitchConfig(langs=tuple(lexicons), token_ratio=0.5, mix="many"))
    for cfg in configs:
        before_cfg = CodeSwitchConfigBefore(langs=cfg.langs, token_ratio=cfg.token_ratio, mix=cfg.mix)
        switch_text(sentences[0], lexicons, cfg, random.Random(0))  # lookup tables are built once per lexicon
        switch_text_before(sentences[0], before_lexicons, before_cfg, random.Random(0))
        src2tgt = [cosdaml_dictionary(lexicons[lang]) for lang in cfg.langs]

        def after(cfg: CodeSwitchConfig = cfg) -> tuple[int, int]:
            rng, switched, candidates = random.Random(0), 0, 0
            for sentence in sentences:
                result = switch_text(sentence, lexicons, cfg, rng)
                switched += len(result.switches)
                candidates += result.candidates
            return switched, candidates

        def before(cfg: CodeSwitchConfigBefore = before_cfg) -> tuple[int, int]:
            rng, switched, candidates = random.Random(0), 0, 0
            for sentence in sentences:
                result = switch_text_before(sentence, before_lexicons, cfg, rng)
                switched += len(result.switches)
                candidates += result.candidates
            return switched, candidates

        def cosdaml(src2tgt: list[dict[str, list[str]]] = src2tgt) -> None:
            rng = random.Random(0)
            for sentence in sentences:
                cosdaml_switch(sentence, src2tgt, 1.0, 0.5, rng)

        timings = {name: 0.0 for name in ("after", "before", "cosdaml")}
        for _ in range(repeats):  # interleaved, so that load changes hit all three alike
            for name, work in (("after", after), ("before", before), ("cosdaml", cosdaml)):
                seconds = cpu_seconds(work, 1)
                timings[name] = seconds if not timings[name] else min(timings[name], seconds)
        rates = {name: len(sentences) / seconds for name, seconds in timings.items()}
        switched, candidates = after()
        switched_before, candidates_before = before()
        print(
            f"| {cfg.lang_label} | {cfg.mix} | {rates['after']:,.0f} | {rates['before']:,.0f} "
            f"| **{rates['after'] / rates['before']:.2f}x** | {rates['cosdaml']:,.0f} "
            f"| {rates['after'] / rates['cosdaml']:.2f}x | {switched / candidates:.3f} "
            f"| {switched_before / candidates_before:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
