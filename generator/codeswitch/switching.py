"""Code-switching one text: choose units by greedy longest match, replace them, map offsets.

Protection inside a text: a capitalised word that does not start a sentence is a name unless the
lexicon lists it capitalised (`European`) and it is no part of a longer run of capitalised words
(`North Western`); a capitalised word starting a sentence is one when the next word is capitalised
too (`Doctor Who`); URLs, e-mail addresses and dates (a month name with a
day or year) stay. A switched word is capitalised only where it starts a sentence; elsewhere it keeps
the lexicon's casing (German nouns capitalised, Spanish `europeo` not).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, chain
from operator import itemgetter
from random import Random

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.forms import adjective_fits, fits, governed
from generator.codeswitch.offsets import OffsetMap
from generator.codeswitch.tables import TOKEN, Table, tables_for, token_key
from generator.example import Switch
from generator.lexicons.lexicon import Lexicon

# A token with the whitespace before it; every non-space character is in a token, so the matches of
# `_GAP_TOKEN` tile a text (up to trailing whitespace) and offsets are running sums of their lengths.
_GAP_TOKEN = re.compile(r"(\s*)(" + TOKEN.pattern + ")")
_TOKEN_OF = itemgetter(1)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]+\b")
# Tokens after which a capitalised word starts a sentence (or a quotation) rather than being a name.
SENTENCE_OPENERS = frozenset(".!?:;\"“‘'(")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MONTH_NAME = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{3,4}})?"  # 5 March (2010)
    rf"|{_MONTH}\s+\d{{1,4}}(?:st|nd|rd|th)?(?:,?\s+\d{{3,4}})?)\b"  # March 5(, 2010), May 1998
)


@dataclass(slots=True)
class SwitchResult:
    """Switched text, the switches made, the offset map, and how many candidate units there were."""

    text: str
    switches: list[Switch] = field(default_factory=list)
    offset_map: OffsetMap = field(default_factory=OffsetMap)
    candidates: int = 0


def cased(source: str, target: str) -> str:
    """`target` with a capital first letter when `source` has one."""
    if source[:1].isupper() and target[:1].islower():
        return target[:1].upper() + target[1:]
    return target


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of URLs, e-mail addresses and dates in `text`."""
    spans: list[tuple[int, int]] = []
    if "://" in text or "www." in text:
        spans.extend(match.span() for match in _URL.finditer(text))
    if "@" in text:
        spans.extend(match.span() for match in _EMAIL.finditer(text))
    if _MONTH_NAME.search(text):
        spans.extend(match.span() for match in _DATE.finditer(text))
    return spans


def choose_units(
    keys: Sequence[str],
    can_join: Callable[[int], bool],
    blocked: Container[int],
    table: Table,
    ratio: float,
    rng: Random,
    capitals: Container[int] | None = None,
    text: str = "",
    starts: Sequence[int] = (),
) -> tuple[list[tuple[int, int, str, str]], int]:
    """Greedy longest-match units over tokens; returns switched (first, width, lang, target) and candidates.

    `can_join(k)` is true when token k may extend a unit that token k-1 is in; `blocked` tokens never
    switch. Capitalised tokens are names unless `table.proper` lists them: `capitals` names them, or,
    when it is None, token k is capitalised when `text[starts[k]]` is an upper-case letter.
    """
    random = rng.random
    chosen: list[tuple[int, int, str, str]] = []
    candidates = 0
    count = len(keys)
    resume = 0  # the token after the last multiword unit
    proper, forms, case_nouns, agreeing = table.proper, table.forms, table.case_nouns, table.agreeing
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
        if forms or case_nouns or agreeing:
            unit_key = keys[i] if width == 1 else " ".join(keys[i : i + width])
            kind = forms.get(unit_key)
            if kind is not None and not fits(kind, keys[i - 1] if i else ""):
                continue
            if unit_key in case_nouns and governed(keys, i):
                continue
            noun = agreeing.get(unit_key)
            if noun is not None and not adjective_fits(keys, i, noun):
                continue
        if i in capitals if capitals is not None else text[starts[i]].isupper():
            key = keys[i] if width == 1 else " ".join(keys[i : i + width])
            end = i + width
            after_name = end < count and (
                end in capitals if capitals is not None else text[starts[end]].isupper()
            )
            if width == 1 and capitals is None and _ACRONYM.match(text, starts[i]):
                continue  # an acronym (ABC, NASA) is a name wherever it stands
            if i and keys[i - 1] not in SENTENCE_OPENERS:  # inside a sentence: a name unless listed
                entry = proper.get(key)
                before_name = (i > 1 and keys[i - 2] not in SENTENCE_OPENERS) and (
                    i - 1 in capitals if capitals is not None else text[starts[i - 1]].isupper()
                )  # a capital starting the sentence says nothing
                if entry is None or before_name or after_name:  # or part of a longer name
                    continue
            elif after_name and key not in proper:  # starts a run of capitalised words
                continue
        candidates += 1
        if random() < ratio:
            lang, options, cumulative = entry[0] if len(entry) == 1 else entry[int(random() * len(entry))]
            if len(options) == 1:
                target = options[0]
            elif cumulative is None:
                target = options[int(random() * len(options))]
            else:
                target = options[min(bisect_right(cumulative, random()), len(options) - 1)]
            chosen.append((i, width, lang, target))
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


def _blocked_tokens(
    offsets: list[int], protect: Sequence[tuple[int, int]], boundaries: Sequence[int]
) -> set[int]:
    """Tokens overlapping a protected span or holding a boundary strictly inside."""
    starts, ends = offsets[1::2], offsets[2::2]
    blocked: set[int] = set()
    for p_start, p_end in protect:
        blocked.update(range(bisect_right(ends, p_start), bisect_left(starts, p_end)))
    for x in boundaries:
        k = bisect_left(starts, x) - 1  # the last token starting before x
        if k >= 0 and ends[k] > x:
            blocked.add(k)
    return blocked


def switch_text(
    text: str,
    lexicons: Mapping[str, Lexicon],
    cfg: CodeSwitchConfig,
    rng: Random,
    protect: Sequence[tuple[int, int]] = (),
    boundaries: Sequence[int] = (),
) -> SwitchResult:
    """Code-switch `text`; spans in `protect` stay untouched; no switched unit crosses a `boundaries` offset."""
    tables = tables_for(lexicons, cfg)
    low = text.lower()
    if "’" in low:
        low = low.replace("’", "'")
    exact = len(low) == len(text)  # lowercasing may change lengths (e.g. 'İ'); then keys come per token
    scanned = low if exact else text
    keep_case, sentence_ratio, token_ratio = cfg.keep_case, cfg.sentence_ratio, cfg.token_ratio
    names = cfg.protect_names
    if names:
        found = protected_spans(text)
        if found:
            protect = [*protect, *found]
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
        keys = list(map(_TOKEN_OF, units)) if exact else [token_key(token) for _, token in units]
        offsets = _offsets(units, s_start)  # offsets[2k + 1] and offsets[2k + 2]: start and end of token k
        blocked: Container[int] = ()

        def can_join(k: int, units: list[tuple[str, str]] = units) -> bool:
            return units[k][0] != ""  # whitespace between tokens k-1 and k

        if protect or boundaries:
            blocked = _blocked_tokens(offsets, protect, boundaries)
            can_join = partial(_spaced_without_boundary, offsets, boundaries)

        if names:
            chosen, found_units = choose_units(
                keys, can_join, blocked, table, token_ratio, rng, None, text, offsets[1::2]
            )
        else:
            chosen, found_units = choose_units(keys, can_join, blocked, table, token_ratio, rng, ())
        candidates += found_units
        for first, width, lang, target in chosen:
            start, end = offsets[2 * first + 1], offsets[2 * (first + width)]
            surface = text[start:end]
            if (
                keep_case
                and surface[0].isupper()
                and target[0].islower()
                and (first == 0 or keys[first - 1] in SENTENCE_OPENERS)
            ):
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
