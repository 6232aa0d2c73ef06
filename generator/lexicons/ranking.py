"""Sense ranking: order each word's translations by how likely a translator is to use them.

score(e, t) = f(t) / (rank + 1) * back(e, t): f(t) is the target-language frequency of translation t
(wordfreq; a multiword's by wordfreq's rule), rank t's position in the lexicon's listing (senses in
dictionary order: a weak signal, eng-tur `a` lists a definition first, eng-spa `in` lists `a` before
`en`), and back(e, t) how a reverse (X->English) dictionary translates t back: 1 / (k + 1) when e is
its k-th translation of t, BACK_MISSING when it translates t but never by e (`Gruppen` is `groups`,
not `schools`), BACK_UNKNOWN when it does not list t; 1 without a reverse dictionary.
A translator keeps a word that is spelt the same in both languages: when the best translation is the
word itself (`system` -> `System`) the entry is dropped (switching it changes nothing), otherwise
identical translations are.
A one-word English entry prefers one-word translations (a multiword one is mostly a paraphrase).
Without a frequency list for the target language the listing order alone ranks (score 1 / (rank + 1)).
A one-word translation that the frequency list does not know but that splits into words it knows
is words run together (FreeDict eng-spa `ytambién`) in a language that writes compounds apart; it is
dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.lexicons.frequency import UNLISTED, frequency_key, phrase_frequency, word_frequencies
from generator.lexicons.lexicon import Lexicon

# Languages whose compounds are written as separate words (a closed-up compound is not a word there).
OPEN_COMPOUNDING = frozenset({"es", "fr", "it", "pt", "ro", "ca"})
RUN_TOGETHER = "words run together"
SAME_WORD = "best translation is the word itself"
UNATTESTED = "translation unknown to the frequency list"
BACK_MISSING = 0.05
BACK_UNKNOWN = 0.2
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


def _back_ranks(reverse: Lexicon | None) -> dict[str, dict[str, int]]:
    if reverse is None:
        return {}
    ranks: dict[str, dict[str, int]] = {}
    for word, translations in reverse.entries.items():
        known = ranks.setdefault(word.casefold(), {})
        for k, english in enumerate(translations):
            known.setdefault(english.casefold(), k)
    return ranks


def rank(lexicon: Lexicon, reverse: Lexicon | None = None) -> Lexicon:
    """`lexicon` with translations ordered best first and their scores in `weights`.

    `reverse` is a dictionary from the target language back to English (FreeDict XXX-eng).
    """
    target = word_frequencies(lexicon.tgt)
    back = _back_ranks(reverse)
    entries: dict[str, list[str]] = {}
    weights: dict[str, list[float]] = {}
    dropped: dict[str, list[str]] = {RUN_TOGETHER: [], SAME_WORD: [], UNATTESTED: []}
    run_together = target is not None and lexicon.tgt in OPEN_COMPOUNDING
    for word, translations in lexicon.entries.items():
        one_word = " " not in word
        folded = word.casefold()
        scored: list[tuple[bool, float, str]] = []
        for position, translation in enumerate(translations):
            score = 1.0 / (position + 1)
            if target is not None:
                key = frequency_key(translation, lexicon.tgt)
                if run_together and " " not in key and key not in target and splits(key, target):
                    dropped[RUN_TOGETHER].append(f"{word}: {translation}")
                    continue
                frequency = phrase_frequency(target, key)
                if frequency <= UNLISTED:
                    dropped[UNATTESTED].append(f"{word}: {translation}")
                    continue
                score *= frequency
            if back:
                english = back.get(translation.casefold())
                if english is None:
                    score *= BACK_UNKNOWN
                else:
                    k = english.get(folded)
                    score *= BACK_MISSING if k is None else 1.0 / (k + 1)
            scored.append((one_word and " " in translation, -score, translation))
        if not scored:
            continue
        scored.sort()
        if scored[0][2].casefold() == folded:
            dropped[SAME_WORD].append(word)
            continue
        scored = [item for item in scored if item[2].casefold() != folded]
        entries[word] = [t for _, _, t in scored]
        weights[word] = [-s for _, s, _ in scored]
    rejected = dict(lexicon.rejected)
    for reason, words in dropped.items():
        if words:
            rejected[reason] = (len(words), words[:3])
    ranking = "frequency" if target is not None else "listing order"
    if back:
        ranking += " and back-translation"
    return Lexicon(lexicon.src, lexicon.tgt, entries, lexicon.origin, rejected, weights, ranking)
