"""Dictionary-based code-switching (CoSDA-ML, Qin et al. 2020) that keeps spans and labels valid.

A sentence is selected with probability `sentence_ratio`; in a selected sentence every candidate unit
(a token, or the longest multiword lexicon entry of up to `max_words` tokens starting there) is
replaced with probability `token_ratio` by a random translation. Candidates are tokens that are not
numbers, punctuation, stop-words (when asked) or protected, and that the lexicon translates, so
`token_ratio` is the expected share of translatable tokens that get switched.

Switched examples carry `method="codeswitch"` and `lang="+".join(sorted(cfg.langs))`: the requested
language set names the shard (`es` for a one-language config, `de+es` for a mix).
Lookup tables are built once per `Lexicon` object (kept in `Lexicon.derived`) and reused; do not
mutate a lexicon's entries after switching with it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import accumulate, chain
from operator import is_, itemgetter
from random import Random
from typing import Literal, cast

from generator.errors import ConfigError
from generator.example import Answer, Example, Switch
from generator.lexicons import Lexicon

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
class CodeSwitchConfig:
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
    key = ("codeswitch", lang, max_words)
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
_RECENT: dict[tuple[int, bool], tuple[CodeSwitchConfig, tuple[Lexicon | None, ...], list[_Table]]] = {}


def _tables(
    lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, single_words: bool = False
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


def switch_text(
    text: str,
    lexicons: Mapping[str, Lexicon],
    cfg: CodeSwitchConfig,
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


def _answers_valid(context: str, answers: Iterable[Answer]) -> bool:
    return all(
        a.text and a.start >= 0 and context[a.start : a.start + len(a.text)] == a.text for a in answers
    )


def switch_qa(
    example: Example, lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> Example | None:
    """Switch context and question; answers stay valid (protected, or switched with the context), else None."""
    if not _answers_valid(example.context, example.answers):
        return None
    spans = [(a.start, a.start + len(a.text)) for a in example.answers]
    if cfg.switch_answers:
        points = sorted({p for span in spans for p in span})
        context = switch_text(example.context, lexicons, cfg, rng, boundaries=points)
        answers = []
        for start, end in spans:
            new_start, new_end = context.offset_map.span(start, end)
            answers.append(Answer(context.text[new_start:new_end], new_start))
    else:
        context = switch_text(example.context, lexicons, cfg, rng, protect=spans)
        answers = [Answer(a.text, context.offset_map(a.start)) for a in example.answers]
    if not _answers_valid(context.text, answers):
        return None
    question = switch_text(example.question, lexicons, cfg, rng)
    return _switched(
        example,
        context.switches + question.switches,
        cfg,
        context=context.text,
        question=question.text,
        answers=answers,
    )


def _is_bio(tags: Sequence[str]) -> bool:
    return all(_BIO.match(tag) for tag in tags)


def switch_tagging(
    example: Example, lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> Example:
    """Switch tokens and keep one tag per output token.

    BIO tags: a unit spans tokens of one entity (or only O tokens); a k-word translation of a unit
    tagged B-X (I-X) gets B-X (I-X) then I-X for the other words; O stays O. Other tag sets
    (UD-POS, CCG) switch single tokens to single-word translations only, each keeping its tag.
    """
    tokens, tags = example.tokens, example.tags
    if len(tokens) != len(tags):
        raise ConfigError(
            f"example {example.id}: {len(tokens)} tokens but {len(tags)} tags; give one tag per token"
        )
    bio = _is_bio(tags)
    tables = _tables(lexicons, cfg, single_words=not bio)
    if rng.random() >= cfg.sentence_ratio:
        return _switched(example, [], cfg)
    table = tables[0] if len(tables) == 1 else tables[rng.randrange(len(tables))]
    keys = [_key(token) for token in tokens]

    def can_join(k: int) -> bool:
        before, tag = tags[k - 1], tags[k]
        return bio and ((tag == "O" and before == "O") or (tag.startswith("I-") and before[2:] == tag[2:]))

    chosen, _ = _choose(keys, can_join, (), table, cfg.token_ratio, rng)
    new_tokens: list[str] = []
    new_tags: list[str] = []
    switches: list[Switch] = []
    cursor = 0
    for first, width, lang, target in chosen:
        new_tokens.extend(tokens[cursor:first])
        new_tags.extend(tags[cursor:first])
        source = " ".join(tokens[first : first + width])
        words = (_cased(source, target) if cfg.keep_case else target).split()
        head = tags[first]
        new_tokens.extend(words)
        new_tags.append(head)
        new_tags.extend([head if head == "O" else "I-" + head[2:]] * (len(words) - 1))
        switches.append(Switch(source, " ".join(words), lang))
        cursor = first + width
    new_tokens.extend(tokens[cursor:])
    new_tags.extend(tags[cursor:])
    return _switched(example, switches, cfg, tokens=new_tokens, tags=new_tags)


def _switch_fields(
    example: Example,
    names: Sequence[str],
    lexicons: Mapping[str, Lexicon],
    cfg: CodeSwitchConfig,
    rng: Random,
) -> Example:
    switches: list[Switch] = []
    changes: dict[str, object] = {}
    for name in names:
        value = getattr(example, name)
        if name == "choices":
            results = [switch_text(choice, lexicons, cfg, rng) for choice in value]
            changes[name] = [r.text for r in results]
            for r in results:
                switches.extend(r.switches)
        elif value:
            result = switch_text(value, lexicons, cfg, rng)
            changes[name] = result.text
            switches.extend(result.switches)
    return _switched(example, switches, cfg, **changes)


def _switched(example: Example, switches: list[Switch], cfg: CodeSwitchConfig, **changes: object) -> Example:
    fields: dict[str, object] = {
        "meta": dict(example.meta),
        "answers": list(example.answers),
        "choices": list(example.choices),
        "tokens": list(example.tokens),
        "tags": list(example.tags),
    }
    fields.update(changes)
    return replace(
        example,
        lang=cfg.lang_label,
        method="codeswitch",
        switched=list(example.switched) + switches,
        **fields,  # type: ignore[arg-type]
    )


def switch_example(
    example: Example, lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> Example | None:
    """The code-switched copy of `example` (labels unchanged), or None when a QA answer span was lost."""
    if example.kind == "qa":
        return switch_qa(example, lexicons, cfg, rng)
    if example.kind == "tagging":
        return switch_tagging(example, lexicons, cfg, rng)
    if example.kind == "pair":
        return _switch_fields(example, ("text_a", "text_b"), lexicons, cfg, rng)
    if example.kind == "choice":
        return _switch_fields(example, ("context", "question", "choices"), lexicons, cfg, rng)
    raise ConfigError(
        f"example {example.id}: {example.kind} examples are evaluation data and are not code-switched; "
        "code-switch qa, pair, choice or tagging examples"
    )


def switch_examples(
    examples: Iterable[Example], lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> tuple[list[Example], Counter[str]]:
    """Switch every example; returns the kept ones and drop counts by reason ("lost_span")."""
    kept: list[Example] = []
    dropped: Counter[str] = Counter()
    for example in examples:
        switched = switch_example(example, lexicons, cfg, rng)
        if switched is None:
            dropped["lost_span"] += 1
        else:
            kept.append(switched)
    return kept, dropped
