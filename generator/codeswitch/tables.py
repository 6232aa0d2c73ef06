"""Tokens and lookup tables: each lexicon's entries as lowercase token keys and a trie over tokens.

A table holds, per key, the translations a config may draw (`main`: the best-ranked one; `weighted`:
all, with cumulative rank scores; `uniform`: all) and, apart, the entries the lexicon lists
capitalised (`European`, `New York`), used for capitalised words inside a sentence; a capitalised
word there without such an entry is a name and stays. A lexicon that capitalises most of its
headwords (eng-ara) says nothing by it and gets no capitalised entries.
A word is a candidate only when its best translation holds at least `min_confidence` of the
word's rank-score mass (an ambiguous word, whose senses split the mass, stays English); without a
frequency ranking the scores carry no such evidence and every word is kept.
Lookup tables are built once per `Lexicon` object (kept in `Lexicon.derived`) and reused; do not
mutate a lexicon's entries after switching with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import is_
from typing import cast

from generator.codeswitch.config import CodeSwitchConfig, SenseChoice
from generator.codeswitch.forms import (
    AGREEING_ADJECTIVES,
    CASE_ON_NOUNS,
    NEVER,
    NO_INFINITIVE,
    adjectives,
    constraints,
    nouns,
)
from generator.codeswitch.function_words import FUNCTION_WORDS
from generator.errors import ConfigError
from generator.lexicons.lexicon import Lexicon

TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")

# ((lang, translations, cumulative weights or None for a uniform draw), ...)
Entry = tuple[tuple[str, tuple[str, ...], tuple[float, ...] | None], ...]
# A trie over lowercase token keys: token -> (entry of the units ending here, the tokens that may follow).
Node = tuple[Entry | None, "dict[str, Node] | None"]
# (skip_numbers, skip_punct, function_words, single_words, sense, min_confidence, fit_forms)
Flags = tuple[bool, bool, bool, bool, SenseChoice, float, bool]
# key -> ((lang, translations, rank scores, the best translation's share of the scores), ...)
Ranked = dict[str, tuple[tuple[str, tuple[str, ...], tuple[float, ...], float], ...]]


@dataclass(slots=True)
class Table:
    """Lowercase token-key lookup (`entries["new york"]`), the same entries as a trie, capitalised entries."""

    entries: dict[str, Entry]
    trie: dict[str, Node]
    proper: dict[str, Entry] = field(default_factory=dict)
    ranked: Ranked = field(default_factory=dict)
    ranked_proper: Ranked = field(default_factory=dict)
    variants: dict[Flags, Table] = field(default_factory=dict)
    # key -> where its citation form fits (generator.codeswitch.forms), with `fit_forms`.
    forms: dict[str, int] = field(default_factory=dict)
    # keys that can be nouns, in a language whose nouns show case (forms.governed), with `fit_forms`.
    case_nouns: frozenset[str] = frozenset()
    # one-word keys that can be adjectives (and whether nouns too), where adjectives agree (forms.adjective_fits).
    agreeing: dict[str, bool] = field(default_factory=dict)

    def only(self, flags: Flags) -> Table:
        """The table of what a config switches, so that a lookup hit means a candidate."""
        table = self.variants.get(flags)
        if table is None:
            plain, proper = _restrict(self.ranked, flags), _restrict(self.ranked_proper, flags)
            forms: dict[str, int] = {}
            case_nouns: frozenset[str] = frozenset()
            agreeing: dict[str, bool] = {}
            if flags[6]:
                langs = {option[0] for entry in plain.values() for option in entry}
                forms = constraints(plain.keys() | proper.keys(), infinitive=not langs <= NO_INFINITIVE)
                plain = {key: entry for key, entry in plain.items() if forms.get(key) != NEVER}
                proper = {key: entry for key, entry in proper.items() if forms.get(key) != NEVER}
                forms = {key: kind for key, kind in forms.items() if kind != NEVER}
                if langs and langs <= CASE_ON_NOUNS:
                    case_nouns = nouns(plain.keys() | proper.keys())
                if langs and langs <= AGREEING_ADJECTIVES:
                    agreeing = adjectives(plain.keys() | proper.keys())
            table = self.variants[flags] = Table(
                *_index(plain), proper=proper, forms=forms, case_nouns=case_nouns, agreeing=agreeing
            )
        return table


def _blocked(token: str, flags: Flags) -> bool:
    if not (token[0].isalnum() or token[0] == "_"):
        return flags[1]
    return flags[0] and _DIGIT.search(token) is not None


def _draw(
    translations: tuple[str, ...], weights: tuple[float, ...], sense: SenseChoice
) -> tuple[tuple[str, ...], tuple[float, ...] | None]:
    if sense == "main" or len(translations) == 1:
        return translations[:1], None
    if sense == "uniform":
        return translations, None
    total = sum(weights)
    return translations, tuple(w / total for w in accumulate(weights))


def _restrict(ranked: Ranked, flags: Flags) -> dict[str, Entry]:
    kept: dict[str, Entry] = {}
    function_words, single_words, sense, min_confidence = flags[2], flags[3], flags[4], flags[5]
    for key, options in ranked.items():
        tokens = key.split(" ")
        if any(_blocked(token, flags) for token in tokens):
            continue
        if not function_words and all(token in FUNCTION_WORDS for token in tokens):
            continue
        if len(key) == 1:  # a letter (`e` of `e.g.`, `s` of `'s`), not a word
            continue
        if single_words and len(tokens) > 1:
            continue
        entry = []
        for lang, translations, weights, confidence in options:
            if confidence < min_confidence:
                continue
            if single_words:
                pairs = [(t, w) for t, w in zip(translations, weights, strict=True) if " " not in t]
                if not pairs:
                    continue
                translations, weights = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
            entry.append((lang, *_draw(translations, weights, sense)))
        if entry:
            kept[key] = tuple(entry)
    return kept


def _index(entries: dict[str, Entry]) -> tuple[dict[str, Entry], dict[str, Node]]:
    root: dict[str, list[object]] = {}
    for key, entry in entries.items():
        level = root
        *path, last = key.split(" ")
        for token in path:
            node = level.setdefault(token, [None, None])
            if node[1] is None:
                node[1] = {}
            level = cast(dict[str, list[object]], node[1])
        level.setdefault(last, [None, None])[0] = entry
    return entries, _freeze(root)


def _freeze(level: dict[str, list[object]]) -> dict[str, Node]:
    return {
        token: (cast(Entry | None, entry), _freeze(cast(dict[str, list[object]], after)) if after else None)
        for token, (entry, after) in level.items()
    }


def token_key(text: str) -> str:
    """The lookup key of a token: lowercase, typographic apostrophe as ASCII."""
    low = text.lower()
    return low.replace("’", "'") if "’" in low else low


def _weights(lexicon: Lexicon, word: str, translations: list[str]) -> tuple[float, ...]:
    weights = lexicon.weights.get(word)
    if weights is None or len(weights) != len(translations):
        return tuple(1.0 / (rank + 1) for rank in range(len(translations)))
    return tuple(weights)


def _confidence(lexicon: Lexicon, weights: tuple[float, ...]) -> float:
    """The best translation's share of the rank scores (1.0 when the lexicon is not frequency-ranked)."""
    if not lexicon.ranking.startswith("frequency"):
        return 1.0
    total = sum(weights)
    return weights[0] / total if total > 0 else 0.0


def _build_table(lexicon: Lexicon, lang: str, max_words: int) -> Table:
    plain: Ranked = {}
    capitalised: Ranked = {}
    heads = [word for word, translations in lexicon.entries.items() if translations]
    informative = sum(word[:1].isupper() for word in heads) * 2 < len(heads)
    for word in heads:
        tokens = TOKEN.findall(word)
        if not tokens or len(tokens) > max_words:
            continue
        key = " ".join(token_key(t) for t in tokens)
        translations = lexicon.entries[word]
        weights = _weights(lexicon, word, translations)
        option = ((lang, tuple(translations), weights, _confidence(lexicon, weights)),)
        if informative and word[:1].isupper():
            capitalised.setdefault(key, option)
            plain.setdefault(key, option)  # a sentence-initial capital is no name
        else:
            plain[key] = option if key not in plain or plain[key] is capitalised.get(key) else plain[key]
    return Table({}, {}, ranked=plain, ranked_proper=capitalised)


def _table(lexicon: Lexicon, lang: str, max_words: int) -> Table:
    if lexicon.src != "en":
        raise ConfigError(
            f"code-switching needs English->{lang} lexicons; {lexicon.origin} is {lexicon.src}->{lexicon.tgt}; "
            f"load an English one, e.g. generator.lexicons.installed.load_lexicon('{lang}')"
        )
    key = ("codeswitch", lang, max_words)
    table = lexicon.derived.get(key)
    if table is None:
        table = lexicon.derived[key] = _build_table(lexicon, lang, max_words)
    return cast(Table, table)


_MIXED: dict[tuple[tuple[str, int], ...], tuple[tuple[Lexicon, ...], Table]] = {}


def _mixed_table(lexicons: Mapping[str, Lexicon], langs: Sequence[str], max_words: int) -> Table:
    key = (*((lang, id(lexicons[lang])) for lang in sorted(langs)), ("", max_words))
    cached = _MIXED.get(key)
    if cached is not None:
        return cached[1]
    plain: Ranked = {}
    capitalised: Ranked = {}
    for lang in sorted(langs):
        table = _table(lexicons[lang], lang, max_words)
        for word, entry in table.ranked.items():
            plain[word] = plain.get(word, ()) + entry
        for word, entry in table.ranked_proper.items():
            capitalised[word] = capitalised.get(word, ()) + entry
    mixed = Table({}, {}, ranked=plain, ranked_proper=capitalised)
    if len(_MIXED) >= 16:
        _MIXED.clear()
    _MIXED[key] = (tuple(lexicons[lang] for lang in langs), mixed)
    return mixed


# The tables of the last few (config, lexicons) pairs, so that a call with the same objects skips the lookups.
_RECENT: dict[tuple[int, bool], tuple[CodeSwitchConfig, tuple[Lexicon | None, ...], list[Table]]] = {}


def tables_for(
    lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, single_words: bool = False
) -> list[Table]:
    """The lookup tables `cfg` switches with: one per language, or one mixed table for `mix="many"`."""
    used = tuple(map(lexicons.get, cfg.langs))
    recent = _RECENT.get((id(cfg), single_words))
    if recent is not None and recent[0] is cfg and all(map(is_, used, recent[1])):
        return recent[2]
    missing = [lang for lang in cfg.langs if lang not in lexicons]
    if missing:
        raise ConfigError(
            f"no lexicon given for {missing}; load one with generator.lexicons.installed.load_lexicon(lang)"
        )
    if cfg.mix == "many" and len(cfg.langs) > 1:
        tables = [_mixed_table(lexicons, cfg.langs, cfg.max_words)]
    else:
        tables = [_table(lexicons[lang], lang, cfg.max_words) for lang in cfg.langs]
    flags: Flags = (
        cfg.skip_numbers,
        cfg.skip_punct,
        cfg.function_words,
        single_words,
        cfg.sense,
        cfg.min_confidence,
        cfg.fit_forms,
    )
    tables = [table.only(flags) for table in tables]
    if len(_RECENT) >= 16:
        _RECENT.clear()
    _RECENT[id(cfg), single_words] = (cfg, used, tables)
    return tables
