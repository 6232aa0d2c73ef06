"""Code-switching one text: choose units by greedy longest match, replace them, map offsets."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, chain
from operator import itemgetter
from random import Random

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.offsets import OffsetMap
from generator.codeswitch.tables import TOKEN, Table, tables_for, token_key
from generator.example import Switch
from generator.lexicons.lexicon import Lexicon

# A token with the whitespace before it; every non-space character is in a token, so the matches of
# `_GAP_TOKEN` tile a text (up to trailing whitespace) and offsets are running sums of their lengths.
_GAP_TOKEN = re.compile(r"(\s*)(" + TOKEN.pattern + ")")
_TOKEN_OF = itemgetter(1)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")


@dataclass(slots=True)
class SwitchResult:
    """Switched text, the switches made, the offset map, and how many candidate units there were."""

    text: str
    switches: list[Switch] = field(default_factory=list)
    offset_map: OffsetMap = field(default_factory=OffsetMap)
    candidates: int = 0


def cased(source: str, target: str) -> str:
    if source[:1].isupper() and target[:1].islower():
        return target[:1].upper() + target[1:]
    return target


def choose_units(
    keys: Sequence[str],
    can_join: Callable[[int], bool],
    blocked: Container[int],
    table: Table,
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

        chosen, found = choose_units(keys, can_join, blocked, table, token_ratio, rng)
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
