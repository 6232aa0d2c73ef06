"""Exact match and token F1 of answer strings, with MLQA's language-aware normalisation.

As MLQA's `mlqa_evaluation_v1.py` (which extends SQuAD v1.1's): lower-case, drop every Unicode
punctuation character, drop the language's articles (English, Spanish, German, Vietnamese, Arabic;
none for other languages), collapse whitespace, then compare whitespace tokens.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter

_ASCII_PUNCT = frozenset(string.punctuation)
_ARTICLES = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "de": r"\b(ein|eine|einer|eines|einem|einen|der|die|das|des|dem|den)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "ar": r"\sال^|ال",
}


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def normalize_answer(text: str, lang: str) -> str:
    """MLQA's normalisation of `text` in language `lang` (an XTREME-R code)."""
    text = "".join(ch for ch in text.lower() if not _is_punct(ch))
    article = _ARTICLES.get(lang)
    if article is not None:
        text = re.sub(article, " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, gold: str, lang: str) -> float:
    return float(normalize_answer(prediction, lang) == normalize_answer(gold, lang))


def token_f1(prediction: str, gold: str, lang: str) -> float:
    """F1 of the whitespace tokens of the normalised strings (SQuAD's `f1_score`), 0..1."""
    pred, ref = normalize_answer(prediction, lang).split(), normalize_answer(gold, lang).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)
