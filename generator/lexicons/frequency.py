"""Word frequencies of a language from `wordfreq` (its data ships in the package; no download)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

# A frequency below every listed word's, for words wordfreq does not list (its lists stop near 1e-8).
UNLISTED = 1e-9


@functools.lru_cache(maxsize=8)
def word_frequencies(lang: str) -> Mapping[str, float] | None:
    """Lowercase word -> frequency (share of tokens) in `lang`, or None when wordfreq has no list for it."""
    import wordfreq

    if lang not in wordfreq.available_languages(wordlist="best"):
        return None
    return wordfreq.get_frequency_dict(lang, wordlist="best")


def frequency_key(text: str, lang: str) -> str:
    """`text` normalised as wordfreq keys its lists (case folded, language-specific letter rules)."""
    from langcodes import Language
    from wordfreq.preprocess import preprocess_text

    return str(preprocess_text(text, Language.get(lang)))


def phrase_frequency(words: Mapping[str, float], phrase: str) -> float:
    """The frequency of a keyed word or multiword: 1/f = sum of 1/f_i over its words (wordfreq's rule)."""
    inverse = 0.0
    for word in phrase.split():
        inverse += 1.0 / words.get(word, UNLISTED)
    if inverse >= 1.0 / UNLISTED:  # a word of it is unlisted
        return UNLISTED
    return 1.0 / inverse if inverse else UNLISTED
