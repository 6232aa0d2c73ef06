"""Whether a dictionary's citation form fits where an English word stands (verbs, noun-verb homographs).

A bilingual dictionary gives each translation in its citation form: a verb's infinitive (or the
language's dictionary form), a noun's nominative singular. That form is what a translator writes
for an English noun, but seldom for a finite English verb (`I know` -> German `weiß`, not `wissen`;
`she said` -> Russian `сказала`, not `сказать`). The English readings of a word come from
`lemminflect` (its data ships in the package; MIT license): a word that can only be an inflected
verb (`said`, `knows`) never switches; a word that can only be a verb in its base form (`know`)
switches only after an infinitive marker (`to`, a modal: `want to know`, `can see`), where the
citation form is the one translators use; a word that can be a verb or something else (`time`,
`need`, `states`) switches after an infinitive marker or a word that starts a noun phrase or takes
one: a determiner, possessive, numeral or preposition (`the need`, `of states`), an adjective
(`big dog`) or a verb that is not `do` (`eats cream`: a verb seldom follows a full verb).
Languages without an infinitive (Greek and Bulgarian cite a verb in the first person singular,
Arabic and Hebrew in the third person past) have no place where a verb's citation form fits: there
a word that can be a verb switches only after a noun cue. A multiword unit takes the strictest
constraint of its first content word and of the words in it that can only be verbs (`go to`,
`i want`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from generator.codeswitch.function_words import ADPOSITIONS, DETERMINERS, FUNCTION_WORDS, NUMERALS

# The constraint on a word, by its English readings.
NEVER = 0  # only an inflected verb form
AFTER_INFINITIVE_MARKER = 1  # only a verb, in its base form
AFTER_MARKER_OR_NOUN_CUE = 2  # a verb or another part of speech
AFTER_NOUN_CUE = 3  # a verb or another part of speech, in a language without an infinitive

NO_INFINITIVE = frozenset({"el", "bg", "ar", "he"})

INFINITIVE_MARKERS = frozenset(
    [
        "to",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "cannot",
        "can't",
        "couldn't",
        "won't",
        "wouldn't",
        "shan't",
        "shouldn't",
        "mayn't",
        "mightn't",
        "mustn't",
    ]
)
# Words after which a noun phrase (or its head) follows: determiners, possessives, numerals, prepositions.
NOUN_CUES = (DETERMINERS | NUMERALS | ADPOSITIONS) - {"to", "that", "as", "than", "but", "since", "like"}


@functools.lru_cache(maxsize=1)
def _lemmas() -> object:
    try:
        import lemminflect
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ImportError(
            "code-switching with fit_forms=True needs lemminflect: pip install 'lemminflect==0.2.3'"
        ) from exc
    return lemminflect.getAllLemmas


def constraint(word: str, infinitive: bool = True) -> int | None:
    """The constraint on switching lowercase English `word` (NEVER, AFTER_...), or None when there is none.

    `infinitive`: the target language cites verbs in an infinitive.
    """
    readings: dict[str, tuple[str, ...]] = _lemmas()(word)  # type: ignore[operator]
    verb = readings.get("VERB")
    if verb is None:
        return None
    if len(readings) > 1:
        return AFTER_MARKER_OR_NOUN_CUE if infinitive else AFTER_NOUN_CUE
    return AFTER_INFINITIVE_MARKER if infinitive and word in verb else NEVER


# The contexts each constraint allows: after an infinitive marker (1), after a noun cue (2).
_ALLOWED = {NEVER: 0, AFTER_INFINITIVE_MARKER: 1, AFTER_MARKER_OR_NOUN_CUE: 3, AFTER_NOUN_CUE: 2}
_BY_ALLOWED = {allowed: kind for kind, allowed in _ALLOWED.items()}


def _strictest(kinds: Iterable[int | None]) -> int | None:
    """The constraint allowing only the contexts every one of `kinds` allows."""
    allowed = None
    for kind in kinds:
        if kind is not None:
            allowed = _ALLOWED[kind] if allowed is None else allowed & _ALLOWED[kind]
    return None if allowed is None else _BY_ALLOWED[allowed]


def constraints(keys: Iterable[str], infinitive: bool = True) -> dict[str, int]:
    """The constraint of every lookup key (one word, or words joined by spaces) in `keys` that has one."""
    found: dict[str, int] = {}
    for key in keys:
        if " " in key:
            kinds = [constraint(w, infinitive) for w in key.split(" ") if w not in FUNCTION_WORDS]
            kind = _strictest([*kinds[:1], *(k for k in kinds if k in (NEVER, AFTER_INFINITIVE_MARKER))])
        else:
            kind = constraint(key, infinitive)
        if kind is not None:
            found[key] = kind
    return found


def fits(kind: int, before: str) -> bool:
    """True when a word of constraint `kind` may switch after the token key `before` ("" at the start)."""
    if kind == NEVER:
        return False
    if kind != AFTER_NOUN_CUE and before in INFINITIVE_MARKERS:
        return True
    return kind != AFTER_INFINITIVE_MARKER and noun_cue(before)


@functools.lru_cache(maxsize=1 << 16)
def noun_cue(before: str) -> bool:
    """True when a noun (rather than a verb) is likely to follow the token key `before`."""
    if before in NOUN_CUES or before.endswith("'s"):
        return True
    if not before or before in FUNCTION_WORDS:
        return False
    readings = set(_lemmas()(before))  # type: ignore[operator]
    return readings == {"ADJ"} or readings == {"VERB"}
