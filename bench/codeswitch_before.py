"""The code-switching of this repository before sense ranking and protection, kept for side-by-side runs.

A frozen copy of `generator/lexicons.py` (FreeDict parsing, lines 49-192) and `generator/codeswitch.py`
(lookup tables and `switch_text`, lines 15-413) at commit ef7a1fc, so that the benchmarks compare the
current implementation with the previous one in one run, on the same sentences. Not used by the package.
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_right
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, chain
from operator import is_, itemgetter
from pathlib import Path
from random import Random
from typing import Literal, cast

from generator.errors import ConfigError, InputError
from generator.example import Switch
from generator.lexicons.lexicon import Lexicon

MAX_TRANSLATION_WORDS = 4
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_DICTD_NAME = re.compile(r"^freedict-([a-z]{3})-([a-z]{3})\.index$")
_NON_TRANSLATION = ("see:", "synonym:", "synonyms:", "note:", '"', "{")
_BRACKETED = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_PLACEHOLDER = re.compile(r"\b(?:sth|sb|etw|jdn|jdm|jds|jd)\.(?:/(?:sth|sb|etw|jdn|jdm|jds|jd)\.)*")
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_SEPARATORS = re.compile(r"[,;]")
_BAD_CHARS = re.compile(r"[\d./\\()\[\]{}<>=\"…|:!?]")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(slots=True)
class _Builder:
    entries: dict[str, list[str]] = field(default_factory=dict)

    def add(self, word: str, translation: str) -> None:
        known = self.entries.setdefault(word, [])
        if translation not in known:
            known.append(translation)


def _is_metadata(headword: str) -> bool:
    return headword.startswith(("00database", "00-database"))


def _b64_number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64[char]
    return value


def _clean_headword(line: str) -> str:
    head = line.split(" /", 1)[0]
    head = _PLACEHOLDER.sub(" ", _BRACKETED.sub(" ", head))
    return _SPACES.sub(" ", head.replace("…", " ")).strip(" .,;")


def _translations(line: str, max_words: int) -> list[str]:
    text = _PLACEHOLDER.sub(" ", _BRACKETED.sub(" ", _SENSE_NUMBER.sub("", line)))
    end = _SENTENCE_END.search(text)
    if end is not None:
        text = text[: end.start()]
    found = []
    for part in _SEPARATORS.split(text):
        candidate = _SPACES.sub(" ", part).strip(" '‘’-")
        if (
            candidate
            and not _BAD_CHARS.search(candidate)
            and "- " not in candidate
            and _LETTER.search(candidate)
            and candidate.count(" ") < max_words
        ):
            found.append(candidate)
    return found


def parse_dictd_entry(body: str, max_words: int = MAX_TRANSLATION_WORDS) -> tuple[str, list[str]]:
    """Headword and translations of one dictd entry (pronunciation, grammar notes, senses removed)."""
    lines = body.split("\n")
    headword = _clean_headword(lines[0])
    translations: list[str] = []
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped or stripped.lower().startswith(_NON_TRANSLATION):
            continue
        for candidate in _translations(stripped, max_words):
            if candidate not in translations and candidate.casefold() != headword.casefold():
                translations.append(candidate)
    return headword, translations


def _parse_dictd(index: Path, max_words: int) -> dict[str, list[str]]:
    data_path = index.with_name(index.name[: -len(".index")] + ".dict.dz")
    raw = gzip.decompress(data_path.read_bytes()) if data_path.suffix == ".dz" else data_path.read_bytes()
    builder = _Builder()
    with index.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise InputError(
                    str(index), f"line {number}", "entry", "expected 'headword<TAB>offset<TAB>length'"
                )
            if _is_metadata(parts[0]):
                continue
            try:
                start, length = _b64_number(parts[1]), _b64_number(parts[2])
            except KeyError:
                raise InputError(str(index), f"line {number}", "offset", "not dictd base64") from None
            body = raw[start : start + length].decode("utf-8", errors="replace")
            headword, translations = parse_dictd_entry(body, max_words)
            if not headword or not _LETTER.search(headword):
                continue
            for translation in translations:
                builder.add(headword, translation)
    return builder.entries


def load_dictd_before(index: Path) -> Lexicon:
    """The lexicon the previous parser read from a FreeDict index (no cache, no ranking)."""
    match = _DICTD_NAME.match(index.name)
    if match is None:
        raise ConfigError(f"{index}: not a FreeDict index")
    return Lexicon("en", match.group(2), _parse_dictd(index, MAX_TRANSLATION_WORDS), f"before:{index}")


Mix = Literal["one", "many"]
_TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")
# A token with the whitespace before it; every non-space character is in a token, so the matches of
# `_GAP_TOKEN` tile a text (up to trailing whitespace) and offsets are running sums of their lengths.
_GAP_TOKEN = re.compile(r"(\s*)(" + _TOKEN.pattern + ")")
_TOKEN_OF = itemgetter(1)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
_DIGIT = re.compile(r"\d")
_BIO = re.compile(r"^(?:O|[BI]-.+)$")

# fmt: off
STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "at", "by", "for", "with", "about", "to", "from",
    "in", "on", "into", "onto", "over", "under", "as", "is", "are", "was", "were", "be", "been", "being",
    "am", "do", "does", "did", "have", "has", "had", "it", "its", "this", "that", "these", "those", "he",
    "she", "they", "we", "you", "i", "me", "him", "her", "them", "us", "my", "your", "his", "our",
    "their", "not", "no", "so", "than", "then", "there", "here", "which", "who", "whom", "whose", "what",
    "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some",
    "such", "only", "own", "same", "too", "very", "can", "will", "just", "should", "would", "could",
    "may", "might", "must", "shall",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class CodeSwitchConfigBefore:
    """How much and into which languages to switch; `switch_answers` switches inside QA answer spans too."""

    langs: tuple[str, ...]
    sentence_ratio: float = 1.0
    token_ratio: float = 0.5
    mix: Mix = "one"
    skip_numbers: bool = True
    skip_punct: bool = True
    skip_stopwords: bool = False
    switch_answers: bool = False
    max_words: int = 3
    keep_case: bool = True

    def __post_init__(self) -> None:
        if not self.langs:
            raise ConfigError("code-switching needs at least one target language, e.g. langs=('es',)")
        if isinstance(self.langs, str):
            raise ConfigError(f"langs must be a tuple of codes, e.g. ({self.langs!r},), not a string")
        for name in ("sentence_ratio", "token_ratio"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must lie in [0, 1], got {value}")
        if self.mix not in ("one", "many"):
            raise ConfigError(
                f"mix must be 'one' (one language per sentence) or 'many' (per token), got {self.mix!r}"
            )
        if not 1 <= self.max_words <= 8:
            raise ConfigError(f"max_words must be between 1 and 8, got {self.max_words}")

    @property
    def lang_label(self) -> str:
        """The `lang` a switched example carries: the sorted language set joined by '+'."""
        return "+".join(sorted(self.langs))


Entry = tuple[tuple[str, tuple[str, ...]], ...]  # ((lang, translations), ...)
# A trie over lowercase token keys: token -> (entry of the units ending here, the tokens that may follow).
Node = tuple[Entry | None, "dict[str, Node] | None"]
Flags = tuple[bool, bool, bool, bool]  # (skip_numbers, skip_punct, skip_stopwords, single_words)


@dataclass(slots=True)
class _Table:
    """Lowercase token-key lookup (`entries["new york"]`) and the same entries as a trie of tokens."""

    entries: dict[str, Entry]
    trie: dict[str, Node]
    variants: dict[Flags, _Table] = field(default_factory=dict)

    def only(self, flags: Flags) -> _Table:
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


def _restrict(entries: dict[str, Entry], flags: Flags) -> _Table:
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


def _index(entries: dict[str, Entry]) -> _Table:
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
    return _Table(entries, _freeze(root))


def _freeze(level: dict[str, list[object]]) -> dict[str, Node]:
    return {
        token: (cast(Entry | None, entry), _freeze(cast(dict[str, list[object]], after)) if after else None)
        for token, (entry, after) in level.items()
    }


_MIXED: dict[tuple[tuple[str, int], ...], tuple[tuple[Lexicon, ...], _Table]] = {}


def _key(text: str) -> str:
    low = text.lower()
    return low.replace("’", "'") if "’" in low else low


def _build_table(lexicon: Lexicon, lang: str, max_words: int) -> _Table:
    entries: dict[str, Entry] = {}
    for word, translations in lexicon.entries.items():
        tokens = _TOKEN.findall(word)
        if not tokens or len(tokens) > max_words or not translations:
            continue
        key = " ".join(_key(t) for t in tokens)
        known = entries.get(key)
        merged = tuple(dict.fromkeys((*known[0][1], *translations))) if known else tuple(translations)
        entries[key] = ((lang, merged),)
    return _index(entries)


def _table(lexicon: Lexicon, lang: str, max_words: int) -> _Table:
    if lexicon.src != "en":
        raise ConfigError(
            f"code-switching needs English->{lang} lexicons; {lexicon.origin} is {lexicon.src}->{lexicon.tgt}; "
            f"load an English one, e.g. generator.lexicons.load_lexicon('{lang}')"
        )
    key = ("codeswitch-before", lang, max_words)
    table = lexicon.derived.get(key)
    if table is None:
        table = lexicon.derived[key] = _build_table(lexicon, lang, max_words)
    return cast(_Table, table)


def _mixed_table(lexicons: Mapping[str, Lexicon], langs: Sequence[str], max_words: int) -> _Table:
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
_RECENT: dict[tuple[int, bool], tuple[CodeSwitchConfigBefore, tuple[Lexicon | None, ...], list[_Table]]] = {}


def _tables(
    lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfigBefore, single_words: bool = False
) -> list[_Table]:
    used = tuple(map(lexicons.get, cfg.langs))
    recent = _RECENT.get((id(cfg), single_words))
    if recent is not None and recent[0] is cfg and all(map(is_, used, recent[1])):
        return recent[2]
    missing = [lang for lang in cfg.langs if lang not in lexicons]
    if missing:
        raise ConfigError(
            f"no lexicon given for {missing}; load one with generator.lexicons.load_lexicon(lang)"
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


class OffsetMap:
    """Maps character offsets of the original text to offsets of the switched text."""

    __slots__ = ("_edits", "_starts")

    def __init__(self, edits: Sequence[tuple[int, int, int, int]] = ()) -> None:
        # (old_start, old_end, new_start, new_end), sorted and non-overlapping.
        self._edits = list(edits)
        self._starts = list(map(itemgetter(0), self._edits))

    def __call__(self, pos: int, end: bool = False) -> int:
        """The new offset of `pos`; a position inside a replaced unit maps to its new start (or end if `end`)."""
        index = bisect_right(self._starts, pos) - 1
        if index < 0:
            return pos
        old_start, old_end, new_start, new_end = self._edits[index]
        if pos >= old_end:
            return pos - old_end + new_end
        if pos == old_start:
            return new_start
        return new_end if end else new_start

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The new (start, end) of the original span [start, end)."""
        return self(start), self(end, end=True)

    def __len__(self) -> int:
        return len(self._edits)


@dataclass(slots=True)
class SwitchResult:
    """Switched text, the switches made, the offset map, and how many candidate units there were."""

    text: str
    switches: list[Switch] = field(default_factory=list)
    offset_map: OffsetMap = field(default_factory=OffsetMap)
    candidates: int = 0


def _cased(source: str, target: str) -> str:
    if source[:1].isupper() and target[:1].islower():
        return target[:1].upper() + target[1:]
    return target


def _choose(
    keys: Sequence[str],
    can_join: Callable[[int], bool],
    blocked: Container[int],
    table: _Table,
    ratio: float,
    rng: Random,
) -> tuple[list[tuple[int, int, str, str]], int]:
    """Greedy longest-match units over tokens; returns switched (first, width, lang, target) and candidates.

    `can_join(k)` is true when token k may extend a unit that token k-1 is in; `blocked` tokens never switch.
    """
    random = rng.random
    chosen: list[tuple[int, int, str, str]] = []
    candidates = 0
    count = len(keys)
    resume = 0  # the token after the last multiword unit
    for i, head in enumerate(map(table.trie.get, keys)):
        if head is None or i < resume:
            continue
        entry, after = head
        width = 1
        if after is not None and i + 1 < count and i not in blocked:
            k = i + 1
            node = after.get(keys[k])
            while node is not None and k not in blocked and can_join(k):
                unit, after = node
                k += 1
                if unit is not None:
                    entry, width = unit, k - i
                if after is None or k == count:
                    break
                node = after.get(keys[k])
            resume = i + width
        if entry is None or i in blocked:
            continue
        candidates += 1
        if random() < ratio:
            lang, options = entry[0] if len(entry) == 1 else entry[int(random() * len(entry))]
            chosen.append(
                (i, width, lang, options[0] if len(options) == 1 else options[int(random() * len(options))])
            )
    return chosen, candidates


def _spaced_without_boundary(offsets: list[int], boundaries: Sequence[int], k: int) -> bool:
    gap_start, gap_end = offsets[2 * k], offsets[2 * k + 1]
    return gap_start < gap_end and not any(gap_start <= x <= gap_end for x in boundaries)


def _offsets(units: list[tuple[str, str]], start: int) -> list[int]:
    return list(accumulate(map(len, chain.from_iterable(units)), initial=start))


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def switch_text_before(
    text: str,
    lexicons: Mapping[str, Lexicon],
    cfg: CodeSwitchConfigBefore,
    rng: Random,
    protect: Sequence[tuple[int, int]] = (),
    boundaries: Sequence[int] = (),
) -> SwitchResult:
    """Code-switch `text`; spans in `protect` stay untouched; no switched unit crosses a `boundaries` offset."""
    tables = _tables(lexicons, cfg)
    low = text.lower()
    if "’" in low:
        low = low.replace("’", "'")
    exact = len(low) == len(text)  # lowercasing may change lengths (e.g. 'İ'); then keys come per token
    scanned = low if exact else text
    keep_case, sentence_ratio, token_ratio = cfg.keep_case, cfg.sentence_ratio, cfg.token_ratio
    pieces: list[str] = []
    mapped: list[tuple[int, int, int, int]] = []
    switches: list[Switch] = []
    cursor = length = candidates = 0
    whole = sentence_ratio >= 1.0 and len(tables) == 1
    for s_start, s_end in [(0, len(text))] if whole else _sentences(text):
        if rng.random() >= sentence_ratio:
            continue
        table = tables[0] if len(tables) == 1 else tables[rng.randrange(len(tables))]
        units = _GAP_TOKEN.findall(scanned, s_start, s_end)  # [(whitespace before, token), ...]
        if not units:
            continue
        keys = list(map(_TOKEN_OF, units)) if exact else [_key(token) for _, token in units]
        offsets: list[int] = []  # offsets[2k + 1] and offsets[2k + 2]: start and end of token k
        blocked: Container[int] = ()

        def can_join(k: int, units: list[tuple[str, str]] = units) -> bool:
            return units[k][0] != ""  # whitespace between tokens k-1 and k

        if protect or boundaries:
            offsets = _offsets(units, s_start)
            blocked = {
                k
                for k, (a, b) in enumerate(zip(offsets[1::2], offsets[2::2], strict=True))
                if any(a < p_end and p_start < b for p_start, p_end in protect)
                or any(a < x < b for x in boundaries)
            }
            can_join = partial(_spaced_without_boundary, offsets, boundaries)

        chosen, found = _choose(keys, can_join, blocked, table, token_ratio, rng)
        candidates += found
        if chosen and not offsets:
            offsets = _offsets(units, s_start)
        for first, width, lang, target in chosen:
            start, end = offsets[2 * first + 1], offsets[2 * (first + width)]
            surface = text[start:end]
            if keep_case and surface[0].isupper() and target[0].islower():
                target = target[0].upper() + target[1:]
            pieces.append(text[cursor:start])
            length += start - cursor
            mapped.append((start, end, length, length + len(target)))
            pieces.append(target)
            length += len(target)
            switches.append(Switch(surface, target, lang))
            cursor = end
    if not switches:
        return SwitchResult(text, [], OffsetMap(), candidates)
    pieces.append(text[cursor:])
    return SwitchResult("".join(pieces), switches, OffsetMap(mapped), candidates)
