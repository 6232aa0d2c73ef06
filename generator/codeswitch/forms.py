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

Nouns are cited in the nominative. Where a language marks case on the noun itself (Russian `век`,
`в начале века`; Turkish `ev`, `evde`) or attaches the preposition to it (Arabic, Hebrew), the
citation form is wrong for a noun an English preposition governs (`of the century`, `in the
house`): in those languages (`CASE_ON_NOUNS`) a word that can be a noun does not switch after a
preposition, with determiners, numerals, possessives and adjectives between them (`governed`).
German marks case mostly on the article and the adjective, Spanish and French not at all: their
nouns keep the rule out.

An adjective is cited in its uninflected (German) or masculine singular form. Where adjectives
agree with their noun or inflect before it (`AGREEING_ADJECTIVES`: German `ein neues System`,
Russian `новая система`), that form rarely fits an attributive adjective, and a word such as
`early` or `fast` after a verb is an adverb with a translation of its own; so there a word that can
be an adjective switches only as a predicate, after a copula (`is new`, `was not early`), or, when it
can be a noun, as the head of its phrase (`the public`; `adjective_fits`). Multiword units are left to the dictionary.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from generator.codeswitch.function_words import ADPOSITIONS, DETERMINERS, FUNCTION_WORDS, NUMERALS, _words

# The constraint on a word, by its English readings.
NEVER = 0  # only an inflected verb form
AFTER_INFINITIVE_MARKER = 1  # only a verb, in its base form
AFTER_MARKER_OR_NOUN_CUE = 2  # a verb or another part of speech
AFTER_NOUN_CUE = 3  # a verb or another part of speech, in a language without an infinitive

NO_INFINITIVE = frozenset({"el", "bg", "ar", "he"})
# XTREME-R languages whose nouns change form with case (suffixes, declension) or take the
# preposition as a prefix: Slavic, Baltic, Finnic, Hungarian, Turkic, Georgian, Basque,
# Dravidian, Marathi, Bengali, Korean (particles written on the noun), Greek, Arabic, Hebrew.
CASE_ON_NOUNS = _words("ru uk pl lt fi et hu tr az kk ka eu ta te ml mr bn ko el ar he")
# XTREME-R languages whose adjectives agree with the noun (gender, number or case) or, like German,
# Dutch and Afrikaans, inflect before it.
AGREEING_ADJECTIVES = _words("af ar bg de el es et fi fr gu he hi it lt mr nl pa pl pt ro ru sw uk ur")
COPULAS = _words(
    "is are was were be been being am become becomes became becoming seem seems seemed remain "
    "remains remained isn't aren't wasn't weren't it's he's she's that's i'm you're we're "
    "they're"
)
# Prepositions that govern an oblique case; `as`, `than`, `like` take the nominative, `to` is also
# the infinitive marker, `but` and `since` are mostly conjunctions.
GOVERNING = ADPOSITIONS - {"to", "as", "than", "like", "but", "since"}

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


def nouns(keys: Iterable[str]) -> frozenset[str]:
    """The lookup keys whose first content word can be a noun."""
    found = []
    for key in keys:
        head = next((w for w in key.split(" ") if w not in FUNCTION_WORDS), None)
        if head is not None and "NOUN" in _readings(head):
            found.append(key)
    return frozenset(found)


def adjectives(keys: Iterable[str]) -> dict[str, bool]:
    """The one-word lookup keys that can be adjectives, each with whether it can be a noun too."""
    return {k: "NOUN" in r for k in keys if " " not in k and "ADJ" in (r := _readings(k))}


def adjective_fits(keys: Sequence[str], i: int, noun: bool) -> bool:
    """True when an adjective's citation form fits the token at `i`: a predicate after a copula,
    directly or after `not` or a word that can only be an adverb (`is not new`), or, for a word that can be a noun, a noun heading
    its phrase (`the public`, not `the public debate`)."""
    if i and keys[i - 1] in COPULAS:
        return True
    if i > 1 and keys[i - 2] in COPULAS and (keys[i - 1] == "not" or _readings(keys[i - 1]) == {"ADV"}):
        return True
    following = keys[i + 1] if i + 1 < len(keys) else ""
    return noun and noun_cue(keys[i - 1] if i else "") and not ({"NOUN", "ADJ"} & _readings(following))


def governed(keys: Sequence[str], i: int) -> bool:
    """True when a preposition governs the token at `i`: it stands before it, with at most two
    determiners, numerals, possessives or adjectives between them (`of two centuries`)."""
    for k in range(i - 1, max(i - 4, -1), -1):
        before = keys[k]
        if before in GOVERNING:
            return True
        if not (
            before in DETERMINERS
            or before in NUMERALS
            or before.endswith("'s")
            or _readings(before) == {"ADJ"}
        ):
            return False
    return False


@functools.lru_cache(maxsize=1 << 16)
def _readings(word: str) -> frozenset[str]:
    return frozenset(_lemmas()(word))  # type: ignore[operator]


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
    return _readings(before) in ({"ADJ"}, {"VERB"})
