"""Lexicons derived from others or from data: inversion, word-alignment counts, Dice induction."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from generator.lexicons.lexicon import EntryBuilder, Lexicon

_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def invert(lexicon: Lexicon, origin: str | None = None) -> Lexicon:
    """The reverse lexicon: each translation maps back to the words it translates."""
    builder = EntryBuilder()
    for word, translations in lexicon.entries.items():
        for translation in translations:
            builder.add(translation, word)
    return Lexicon(lexicon.tgt, lexicon.src, builder.entries, origin or f"inverted:{lexicon.origin}")


def lexicon_from_word_pairs(
    pairs: Iterable[tuple[str, str]], src: str, tgt: str, *, min_count: int = 1, origin: str = "induced:words"
) -> Lexicon:
    """A lexicon from word alignments (source word, translated word); translations ordered by frequency."""
    counts = Counter((s.strip(), t.strip()) for s, t in pairs)
    builder = EntryBuilder()
    for (source, target), count in counts.most_common():
        if count >= min_count and source and target and source.casefold() != target.casefold():
            builder.add(source, target)
    return Lexicon(src, tgt, builder.entries, origin)


def induce_lexicon(
    sentence_pairs: Iterable[tuple[str, str]],
    src: str,
    tgt: str,
    *,
    min_cooccur: int = 2,
    min_dice: float = 0.5,
    origin: str = "induced:sentences",
) -> Lexicon:
    """A lexicon induced from (source sentence, translated sentence) pairs by Dice co-occurrence.

    Word pairs are linked when each is the other's best Dice partner (a one-step competitive
    linking), they co-occur in at least `min_cooccur` pairs and their Dice score reaches `min_dice`.
    """
    source_counts: Counter[str] = Counter()
    target_counts: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    for source, target in sentence_pairs:
        source_words = set(_WORDS.findall(source.lower()))
        target_words = set(_WORDS.findall(target.lower()))
        source_counts.update(source_words)
        target_counts.update(target_words)
        joint.update((s, t) for s in source_words for t in target_words)
    best_target: dict[str, tuple[float, str]] = {}
    best_source: dict[str, tuple[float, str]] = {}
    for (s, t), together in joint.items():
        if together < min_cooccur:
            continue
        dice = 2.0 * together / (source_counts[s] + target_counts[t])
        if dice > best_target.get(s, (0.0, ""))[0]:
            best_target[s] = (dice, t)
        if dice > best_source.get(t, (0.0, ""))[0]:
            best_source[t] = (dice, s)
    builder = EntryBuilder()
    for s, (dice, t) in sorted(best_target.items()):
        if dice >= min_dice and best_source[t][1] == s and s != t:
            builder.add(s, t)
    return Lexicon(src, tgt, builder.entries, origin)
