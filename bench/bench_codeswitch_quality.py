"""Code-switching quality: do switched words match what human translators wrote?

XQuAD's 240 English paragraphs have human translations (de, el, ru). Each paragraph is
code-switched at token ratio 0.5; a switched unit is right when every word of its replacement occurs
in the human translation of the same paragraph, as a word or sharing a prefix of >= 5 characters
(case-folded). Chance level: the same replacements checked against another paragraph's translation
(a fixed random permutation without fixed points). Reported before (the previous parser and
switching, `bench/codeswitch_before.py`, same lexicon files) and after (`generator.codeswitch`):
precision, chance, precision by English word-frequency band (wordfreq Zipf), the realised ratio
(switched / eligible units), eligible / word tokens and switched / word tokens, and whether every
QA example stays valid (answers intact in the switched context).

    python bench/bench_codeswitch_quality.py [--langs de,el,ru] [--data DIR] [--dictd-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from codeswitch_before import CodeSwitchConfigBefore, load_dictd_before, switch_text_before

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.examples import switch_examples
from generator.codeswitch.switching import switch_text
from generator.example import Example, Switch
from generator.lexicons.codes import ISO_TO_FREEDICT
from generator.lexicons.frequency import frequency_key, word_frequencies
from generator.lexicons.installed import load_lexicon
from generator.lexicons.lexicon import Lexicon

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "xquad"
RATIO = 0.5
PREFIX = 5
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
BANDS = ((6.0, "Zipf >= 6"), (5.0, "Zipf 5-6"), (4.0, "Zipf 4-5"), (0.0, "Zipf < 4"))


def paragraphs(path: Path) -> list[str]:
    """The paragraph contexts of an XQuAD file, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [p["context"] for article in data for p in article["paragraphs"]]


def words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def matches(replacement: str, reference: set[str], prefixes: set[str]) -> bool:
    """Every word of `replacement` is a word of the reference or shares its first PREFIX characters."""
    found = [w.casefold() for w in _WORD.findall(replacement)]
    return bool(found) and all(w in reference or (len(w) >= PREFIX and w[:PREFIX] in prefixes) for w in found)


def derangement(n: int, seed: int = 0) -> list[int]:
    """A random permutation of range(n) with no fixed point."""
    rng = random.Random(seed)
    while True:
        order = list(range(n))
        rng.shuffle(order)
        if all(i != j for i, j in enumerate(order)):
            return order


@dataclass
class Quality:
    switched: int = 0
    right: int = 0
    chance: int = 0
    eligible: int = 0
    word_tokens: int = 0
    bands: Counter[str] = field(default_factory=Counter)
    bands_right: Counter[str] = field(default_factory=Counter)
    wrong: Counter[tuple[str, str]] = field(default_factory=Counter)


def _band(source: str, english: Mapping[str, float] | None) -> str:
    if english is None:
        return "?"
    freq = min((english.get(frequency_key(w, "en"), 1e-9) for w in source.split()), default=1e-9)
    zipf = math.log10(freq) + 9
    return next(name for bound, name in BANDS if zipf >= bound)


def measure(
    english: Sequence[str],
    human: Sequence[str],
    switch: Callable[[str, random.Random], tuple[list[Switch], int]],
) -> Quality:
    """Switch every English paragraph and check each replacement against the human translation."""
    quality = Quality()
    refs = [words(text) for text in human]
    prefixes = [{w[:PREFIX] for w in ref if len(w) >= PREFIX} for ref in refs]
    other = derangement(len(human))
    freqs = word_frequencies("en")
    rng = random.Random(0)
    for i, paragraph in enumerate(english):
        switches, eligible = switch(paragraph, rng)
        quality.eligible += eligible
        quality.word_tokens += len(_WORD.findall(paragraph))
        for s in switches:
            quality.switched += 1
            good = matches(s.target, refs[i], prefixes[i])
            quality.right += good
            quality.chance += matches(s.target, refs[other[i]], prefixes[other[i]])
            band = _band(s.source.lower(), freqs)
            quality.bands[band] += 1
            quality.bands_right[band] += good
            if not good:
                quality.wrong[s.source.lower(), s.target] += 1
    return quality


def valid_examples(path: Path, lexicon: Lexicon, cfg: CodeSwitchConfig) -> tuple[int, int, int]:
    """(examples, kept, answers still at their offsets) after switching every XQuAD question."""
    from generator.tasks import read_examples

    examples: list[Example] = read_examples("squad", path).examples
    kept, _ = switch_examples(examples, {cfg.langs[0]: lexicon}, cfg, random.Random(0))
    intact = sum(all(e.context[a.start : a.start + len(a.text)] == a.text for a in e.answers) for e in kept)
    return len(examples), len(kept), intact


def _switch_before(
    lexicons: dict[str, Lexicon], cfg: CodeSwitchConfigBefore, text: str, rng: random.Random
) -> tuple[list[Switch], int]:
    result = switch_text_before(text, lexicons, cfg, rng)
    return result.switches, result.candidates


def _switch_after(
    lexicons: dict[str, Lexicon], cfg: CodeSwitchConfig, text: str, rng: random.Random
) -> tuple[list[Switch], int]:
    result = switch_text(text, lexicons, cfg, rng)
    return result.switches, result.candidates


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="de,el,ru")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with xquad.<lang>.json")
    parser.add_argument("--dictd-dir", type=Path, default=Path("/usr/share/dictd"))
    parser.add_argument("--quick", action="store_true", help="accepted for run_all; the run is the same")
    args = parser.parse_args(argv)
    english_file = args.data / "xquad.en.json"
    if not english_file.exists():
        print(f"{english_file} not found: the benchmark needs XQuAD (../shared/data/xquad); nothing measured")
        return 0
    english = paragraphs(english_file)
    rows, bands, wrong = [], [], []
    for lang in args.langs.split(","):
        human_file = args.data / f"xquad.{lang}.json"
        index = args.dictd_dir / f"freedict-eng-{ISO_TO_FREEDICT.get(lang, lang)}.index"
        if not human_file.exists() or not index.exists():
            print(f"skipping {lang}: needs {human_file} and {index}")
            continue
        human = paragraphs(human_file)
        before_lex = load_dictd_before(index)
        before_cfg = CodeSwitchConfigBefore(langs=(lang,), token_ratio=RATIO)
        after_lex = load_lexicon(lang, sources=("freedict", "mueller"), dictd_dir=args.dictd_dir)
        after_cfg = CodeSwitchConfig(langs=(lang,), token_ratio=RATIO)

        before = partial(_switch_before, {lang: before_lex}, before_cfg)
        after = partial(_switch_after, {lang: after_lex}, after_cfg)

        total, kept, intact = valid_examples(english_file, after_lex, after_cfg)
        for name, switch in (("before", before), ("after", after)):
            q = measure(english, human, switch)
            rows.append(
                f"| {lang} | {name} | {q.switched:,} | **{_pct(q.right, q.switched)}** | {_pct(q.chance, q.switched)} "
                f"| {100 * (q.right - q.chance) / q.switched:+.1f} | {q.switched / q.eligible:.3f} "
                f"| {_pct(q.eligible, q.word_tokens)} | {_pct(q.switched, q.word_tokens)} |"
                + (f" {kept}/{total} kept, {intact} intact |" if name == "after" else " - |")
            )
            bands.append(
                f"| {lang} | {name} | "
                + " | ".join(f"{_pct(q.bands_right[b], q.bands[b])} ({q.bands[b]:,})" for _, b in BANDS)
                + " |"
            )
            if name == "after":
                wrong.append(
                    f"- {lang}: " + ", ".join(f"{s}→{t} {n}" for (s, t), n in q.wrong.most_common(12))
                )
    print(f"\n### Switch precision against the human XQuAD translations (token ratio {RATIO})\n")
    print(
        "| lang | code | switched | precision | chance | over chance | realised ratio "
        "| eligible / word tokens | switched / word tokens | QA examples |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    print("\n### Precision by English word frequency (switched units in brackets)\n")
    print("| lang | code | " + " | ".join(name for _, name in BANDS) + " |")
    print("|---|---|" + "---:|" * len(BANDS))
    print("\n".join(bands))
    print("\nMost frequent wrong switches after the change:\n")
    print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
