"""Sense ranking: order each word's translations by how likely a translator is to use them.

score(e, t) = f(t) / (rank + 1): f(t) is the target-language frequency of translation t (wordfreq;
a multiword's by wordfreq's rule), rank t's position in the lexicon's listing (senses in dictionary
order: a weak signal, eng-tur `a` lists a definition first, eng-spa `in` lists `a` before `en`).
A one-word English entry prefers one-word translations (a multiword one is mostly a paraphrase).
Without a frequency list for the target language the listing order alone ranks (score 1 / (rank + 1)).
A one-word translation that the frequency list does not know but that splits into words it knows
is words run together (FreeDict eng-spa `ytambién`) in a language that writes compounds apart; it is
dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.lexicons.frequency import frequency_key, phrase_frequency, word_frequencies
from generator.lexicons.lexicon import Lexicon

# Languages whose compounds are written as separate words (a closed-up compound is not a word there).
OPEN_COMPOUNDING = frozenset({"es", "fr", "it", "pt", "ro", "ca"})
RUN_TOGETHER = "words run together"
_MIN_PIECE = 2


def splits(word: str, known: Mapping[str, float]) -> bool:
    """True when `word` is two or more words of `known` (each of 2+ letters) written together."""
    n = len(word)
    pieces = [0] + [-1] * n  # pieces[i]: most known words tiling word[:i], -1 when none does
    for end in range(_MIN_PIECE, n + 1):
        for start in range(end - _MIN_PIECE + 1):
            if pieces[start] >= 0 and word[start:end] in known:
                pieces[end] = max(pieces[end], pieces[start] + 1)
    return pieces[n] >= 2


def rank(lexicon: Lexicon) -> Lexicon:
    """`lexicon` with translations ordered best first and their scores in `weights`."""
    target = word_frequencies(lexicon.tgt)
    entries: dict[str, list[str]] = {}
    weights: dict[str, list[float]] = {}
    dropped: list[str] = []
    run_together = target is not None and lexicon.tgt in OPEN_COMPOUNDING
    for word, translations in lexicon.entries.items():
        one_word = " " not in word
        scored: list[tuple[bool, float, str]] = []
        for position, translation in enumerate(translations):
            score = 1.0 / (position + 1)
            if target is not None:
                key = frequency_key(translation, lexicon.tgt)
                if run_together and " " not in key and key not in target and splits(key, target):
                    dropped.append(f"{word}: {translation}")
                    continue
                score *= phrase_frequency(target, key)
            scored.append((one_word and " " in translation, -score, translation))
        if scored:
            scored.sort()
            entries[word] = [t for _, _, t in scored]
            weights[word] = [-s for _, s, _ in scored]
    rejected = dict(lexicon.rejected)
    if dropped:
        rejected[RUN_TOGETHER] = (len(dropped), dropped[:3])
    ranking = "frequency" if target is not None else "listing order"
    return Lexicon(lexicon.src, lexicon.tgt, entries, lexicon.origin, rejected, weights, ranking)
