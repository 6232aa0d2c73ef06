"""The `Lexicon` type (English word or multiword -> translations) and merging lexicons of one pair."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from generator.errors import ConfigError

# Why candidate translations were not kept: reason -> (count, a few examples).
Rejections = dict[str, tuple[int, list[str]]]


@dataclass(eq=False)
class Lexicon:
    """Translations of source words/multiwords (`entries[word] -> [translation, ...]`) into `tgt`."""

    src: str
    tgt: str
    entries: dict[str, list[str]]
    origin: str
    rejected: Rejections = field(default_factory=dict)
    # Scores of `entries[word]`'s translations, best first, once ranked (generator.lexicons.ranking).
    weights: dict[str, list[float]] = field(default_factory=dict)
    ranking: str = "listing order"
    # Lookup tables derived from `entries` by their users (generator.codeswitch), built once per object.
    derived: dict[object, object] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(slots=True)
class EntryBuilder:
    """Collects translations per word in first-seen order, without duplicates."""

    entries: dict[str, list[str]] = field(default_factory=dict)

    def add(self, word: str, translation: str) -> None:
        known = self.entries.setdefault(word, [])
        if translation not in known:
            known.append(translation)


def merge(lexicons: Sequence[Lexicon]) -> Lexicon:
    """One lexicon holding every translation of the given ones, earlier lexicons' translations first."""
    if len(lexicons) == 1:
        return lexicons[0]
    first = lexicons[0]
    if any((lex.src, lex.tgt) != (first.src, first.tgt) for lex in lexicons):
        raise ConfigError(
            "only lexicons of the same language pair merge: " + ", ".join(lex.origin for lex in lexicons)
        )
    builder = EntryBuilder()
    for lexicon in lexicons:
        for word, translations in lexicon.entries.items():
            for translation in translations:
                builder.add(word, translation)
    rejected = {
        f"{lex.origin}: {reason}": found for lex in lexicons for reason, found in lex.rejected.items()
    }
    return Lexicon(first.src, first.tgt, builder.entries, "+".join(lex.origin for lex in lexicons), rejected)
