"""Tokens and lookup tables: each lexicon's entries as lowercase token keys and a trie over tokens.

Lookup tables are built once per `Lexicon` object (kept in `Lexicon.derived`) and reused; do not
mutate a lexicon's entries after switching with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import is_
from typing import cast

from generator.codeswitch.config import STOPWORDS, CodeSwitchConfig
from generator.errors import ConfigError
from generator.lexicons.lexicon import Lexicon

TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")

Entry = tuple[tuple[str, tuple[str, ...]], ...]  # ((lang, translations), ...)
# A trie over lowercase token keys: token -> (entry of the units ending here, the tokens that may follow).
Node = tuple[Entry | None, "dict[str, Node] | None"]
Flags = tuple[bool, bool, bool, bool]  # (skip_numbers, skip_punct, skip_stopwords, single_words)


@dataclass(slots=True)
class Table:
    """Lowercase token-key lookup (`entries["new york"]`) and the same entries as a trie of tokens."""

    entries: dict[str, Entry]
    trie: dict[str, Node]
    variants: dict[Flags, Table] = field(default_factory=dict)

    def only(self, flags: Flags) -> Table:
        """The table without keys a config never switches, so that a lookup hit means a candidate."""
        table = self.variants.get(flags)
        if table is None:
            table = self.variants[flags] = _restrict(self.entries, flags)
        return table


def _switchable(token: str, flags: Flags) -> bool:
    skip_numbers, skip_punct, skip_stopwords, _ = flags
    if not (token[0].isalnum() or token[0] == "_"):
        return not skip_punct
    if skip_numbers and _DIGIT.search(token):
        return False
    return not (skip_stopwords and token in STOPWORDS)


def _restrict(entries: dict[str, Entry], flags: Flags) -> Table:
    kept: dict[str, Entry] = {}
    for key, entry in entries.items():
        tokens = key.split(" ")
        if not all(_switchable(token, flags) for token in tokens):
            continue
        if flags[3]:
            if len(tokens) > 1:
                continue
            entry = tuple((lang, t) for lang, ts in entry if (t := tuple(x for x in ts if " " not in x)))
            if not entry:
                continue
        kept[key] = entry
    return _index(kept)


def _index(entries: dict[str, Entry]) -> Table:
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
    return Table(entries, _freeze(root))


def _freeze(level: dict[str, list[object]]) -> dict[str, Node]:
    return {
        token: (cast(Entry | None, entry), _freeze(cast(dict[str, list[object]], after)) if after else None)
        for token, (entry, after) in level.items()
    }


_MIXED: dict[tuple[tuple[str, int], ...], tuple[tuple[Lexicon, ...], Table]] = {}


def token_key(text: str) -> str:
    low = text.lower()
    return low.replace("’", "'") if "’" in low else low


def _build_table(lexicon: Lexicon, lang: str, max_words: int) -> Table:
    entries: dict[str, Entry] = {}
    for word, translations in lexicon.entries.items():
        tokens = TOKEN.findall(word)
        if not tokens or len(tokens) > max_words or not translations:
            continue
        key = " ".join(token_key(t) for t in tokens)
        known = entries.get(key)
        merged = tuple(dict.fromkeys((*known[0][1], *translations))) if known else tuple(translations)
        entries[key] = ((lang, merged),)
    return _index(entries)


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


def _mixed_table(lexicons: Mapping[str, Lexicon], langs: Sequence[str], max_words: int) -> Table:
    key = (*((lang, id(lexicons[lang])) for lang in sorted(langs)), ("", max_words))
    cached = _MIXED.get(key)
    if cached is not None:
        return cached[1]
    entries: dict[str, Entry] = {}
    for lang in sorted(langs):
        for word, entry in _table(lexicons[lang], lang, max_words).entries.items():
            entries[word] = entries.get(word, ()) + entry
    table = _index(entries)
    if len(_MIXED) >= 16:
        _MIXED.clear()
    _MIXED[key] = (tuple(lexicons[lang] for lang in langs), table)
    return table


# The tables of the last few (config, lexicons) pairs, so that a call with the same objects skips the lookups.
_RECENT: dict[tuple[int, bool], tuple[CodeSwitchConfig, tuple[Lexicon | None, ...], list[Table]]] = {}


def tables_for(
    lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, single_words: bool = False
) -> list[Table]:
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
    flags = (cfg.skip_numbers, cfg.skip_punct, cfg.skip_stopwords, single_words)
    tables = [table.only(flags) for table in tables]
    if len(_RECENT) >= 16:
        _RECENT.clear()
    _RECENT[id(cfg), single_words] = (cfg, used, tables)
    return tables
