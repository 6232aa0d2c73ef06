"""pysbd's segmenter made fast without changing its output: patterns compiled once, abbreviations skipped
where they cannot change a line.

pysbd's abbreviation pass (`AbbreviationReplacer.search_for_abbreviations_in_string`) visits each of
its ~190 abbreviations that occurs anywhere in a line, finds every word that starts with it, and
rewrites the whole line once per such word to turn the period after the abbreviation into a
placeholder. A rewrite only changes the line where the abbreviation stands between whitespace (or
the line's start) and a period, and rewrites only ever remove periods, so an abbreviation of plain
letters that never stands so in the line as it came cannot change it and is skipped. Under
`re.IGNORECASE` plain letters match only their two cases and four other letters (`_FOLDS_TO_ASCII`);
a line holding one of those takes pysbd's own path.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pysbd

_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")  # İ ı ſ K (Kelvin sign)
_PLAIN_LETTERS = re.compile(r"[a-z]+")
_BLANKS = re.compile(r"\s*")
_BEFORE_PERIOD = re.compile(r"(?<!\S)([A-Za-z]+)(?=\.)")


@lru_cache(maxsize=65536)
def _compiled(pattern: str | re.Pattern[str], flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _literals(tree: Any) -> Iterator[str]:
    """Characters that every match of a parsed pattern holds: its literals outside optional parts and
    negative lookarounds (positive ones hold theirs too), and those common to all alternatives."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, arg in tree:
        if op is c.LITERAL:
            yield chr(arg)
        elif op is c.SUBPATTERN and not arg[1] & re.IGNORECASE:
            yield from _literals(arg[3])
        elif op is c.ASSERT:
            yield from _literals(arg[1])
        elif op is c.BRANCH:
            yield from sorted(set.intersection(*(set(_literals(branch)) for branch in arg[1])))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and arg[0] >= 1:
            yield from _literals(arg[2])


# Necessary conditions for pysbd's costliest patterns (lookbehinds first, tried at every position): a
# text in which none of a pattern's conditions is found cannot match it. pysbd's list patterns by name.
_NECESSARY_LISTS = {
    # every alternative: one or two digits, then "." and whitespace or ")"
    "NUMBERED_LIST_REGEX_1": (r"\d\.[\s)]",),
    # a lowercase letter at the start or after whitespace, then "."
    "ALPHABETICAL_LIST_WITH_PERIODS": (r"\A[a-z]\.", r"\s[a-z]\."),
    # lowercase letters, then ")"
    "ALPHABETICAL_LIST_WITH_PARENS": (r"[a-z]\)",),
}
_NECESSARY = {
    r"(?<=^[A-Z])\.(?=\s)": (r"\A[A-Z]\.",),
    r"(?<=^\d)\.(?=(\s\S)|\))": (r"\A\d\.",),
    r"(?<=^\d\d)\.(?=(\s\S)|\))": (r"\A\d\d\.",),
    r"(?<=\s[A-Z])\.(?=,?\s)": (r"\s[A-Z]\.",),
    r"(?<=\S)\.{3}(?=\.\s[A-Z])": (r"\.\.\.\.\s",),
    r"(\s\.){3}\s": (r"\.\s\.\s\.",),
    r"(?<=[a-z])(\.\s){3}\.($|\\n)": (r"\.\s\.\s\.\s\.",),
    r"(?<=\S)(!|\?){3,}(?=(\s|\Z|$))": (r"[!?]{3}",),
    # a period or placeholder, then a bracketed reference or digits
    r"(?<=[^\d\s])(\.|∯)((\[(\d{1,3},?\s?-?\s?)*\b\d{1,3}\])+|((\d{1,3}\s?)?\d{1,3}))(\s)(?=[A-Z])": (
        r"[.∯][\[\d]",
    ),
}


@lru_cache(maxsize=1)
def _necessary() -> dict[str, tuple[re.Pattern[str], ...]]:
    from pysbd.lang.common.standard import Standard
    from pysbd.lists_item_replacer import ListItemReplacer

    named = {getattr(ListItemReplacer, name): conditions for name, conditions in _NECESSARY_LISTS.items()}
    named[Standard.FileFormatRule.pattern] = (r"\s\.",)
    return {
        pattern: tuple(map(re.compile, conditions)) for pattern, conditions in {**_NECESSARY, **named}.items()
    }


class _Gate:
    """A compiled pattern with what a text needs for it to match: characters, and one of some patterns."""

    __slots__ = ("compiled", "conditions", "needed")

    def __init__(self, pattern: str | re.Pattern[str], flags: int) -> None:
        from re import _parser  # type: ignore[attr-defined]

        self.compiled = re.compile(pattern, flags)
        tree = _parser.parse(self.compiled.pattern, self.compiled.flags)
        folds = tree.state.flags & re.IGNORECASE
        self.needed = () if folds else tuple(dict.fromkeys(_literals(tree)))
        self.conditions = () if folds else _necessary().get(self.compiled.pattern, ())

    def skips(self, string: str) -> bool:
        """Whether `string` surely has no match."""
        for char in self.needed:
            if char not in string:
                return True
        return bool(self.conditions) and not any(c.search(string) for c in self.conditions)


@lru_cache(maxsize=65536)
def _gated(pattern: str | re.Pattern[str], flags: int) -> _Gate:
    return _Gate(pattern, flags)


class _CompiledOnce:
    """The `re` functions pysbd calls, each pattern compiled once per process, and not run on a text
    that lacks a character every match holds (most of pysbd's rules look for placeholders or quotes).

    pysbd formats a pattern per abbreviation it meets and calls `re.sub(pattern, ...)`; with more
    distinct patterns than `re` keeps compiled (512), every call compiled its pattern again. The same
    patterns give the same results.
    """

    def __getattr__(self, name: str) -> object:
        return getattr(re, name)

    def sub(self, pattern: str, repl: object, string: str, count: int = 0, flags: int = 0) -> str:
        gate = _gated(pattern, flags)
        return string if gate.skips(string) else gate.compiled.sub(repl, string, count)  # type: ignore[call-overload]

    def findall(self, pattern: str, string: str, flags: int = 0) -> list[object]:
        gate = _gated(pattern, flags)
        return [] if gate.skips(string) else gate.compiled.findall(string)

    def finditer(self, pattern: str, string: str, flags: int = 0) -> Iterator[re.Match[str]]:
        gate = _gated(pattern, flags)
        return iter(()) if gate.skips(string) else gate.compiled.finditer(string)

    def search(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        gate = _gated(pattern, flags)
        return None if gate.skips(string) else gate.compiled.search(string)

    def match(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        gate = _gated(pattern, flags)
        return None if gate.skips(string) else gate.compiled.match(string)

    def split(self, pattern: str, string: str, maxsplit: int = 0, flags: int = 0) -> list[str | object]:
        gate = _gated(pattern, flags)
        return [string] if gate.skips(string) else gate.compiled.split(string, maxsplit)


@lru_cache(maxsize=64)
def _abbreviations(listed: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """A language's abbreviations stripped, in order, each with whether it is plain lowercase letters."""
    return tuple((a.strip(), _PLAIN_LETTERS.fullmatch(a.strip()) is not None) for a in listed)


def _skipping(base: type[Any]) -> type[Any]:
    """`base` (pysbd's abbreviation replacer of a language) visiting only abbreviations that can change a line."""

    class Skipping(base):
        def search_for_abbreviations_in_string(self, text: str) -> str:
            if any(char in text for char in _FOLDS_TO_ASCII):
                return str(super().search_for_abbreviations_in_string(text))
            before_period = {word.lower() for word in _BEFORE_PERIOD.findall(text)}
            lowered = text.lower()
            for stripped, plain in _abbreviations(tuple(self.lang.Abbreviation.ABBREVIATIONS)):
                if (plain and stripped not in before_period) or stripped not in lowered:
                    continue
                abbrev_match = _compiled(rf"(?:^|\s|\r|\n){stripped}", re.IGNORECASE).findall(text)
                if not abbrev_match:
                    continue
                next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
                char_array = _compiled(next_word_start, 0).findall(text)
                for ind, match in enumerate(abbrev_match):
                    text = self.scan_for_replacements(text, match, ind, char_array)
            return text

    Skipping.__name__ = Skipping.__qualname__ = f"Skipping{base.__name__}"
    return Skipping


def _occurrences(text: str, sentence: str) -> Iterator[tuple[int, int]]:
    """What `re.finditer(re.escape(sentence) + r"\\s*", text)` spans, for a non-empty sentence."""
    found = text.find(sentence)
    while found >= 0:
        end = found + len(sentence)
        while end < len(text) and text[end].isspace():
            end += 1
        yield found, end
        found = text.find(sentence, end)


@lru_cache(maxsize=1)
def _segmenter_class() -> type[Any]:
    """pysbd's segmenter, placing each sentence in the text with `str.find` instead of a regex per sentence."""
    import pysbd
    from pysbd.utils import TextSpan

    class Segmenter(pysbd.Segmenter):
        def sentences_with_char_spans(self, sentences: list[str]) -> list[Any]:
            """pysbd's spans: per sentence, its first match of `sentence\\s*` that ends past the
            previous span, matches taken left to right without overlap."""
            text: str = self.original_text
            spans: list[Any] = []
            prior_end = 0
            for sent in sentences:
                matches = _occurrences(text, sent) if sent else (m.span() for m in _BLANKS.finditer(text))
                for start, end in matches:
                    if end > prior_end:
                        spans.append(TextSpan(text[start:end], start, end))
                        prior_end = end
                        break
            return spans

    return Segmenter


@lru_cache(maxsize=32)
def segmenter(lang: str) -> pysbd.Segmenter:
    """pysbd's segmenter of `lang` (non-destructive, no cleaning), with the speed-ups above."""
    from pysbd.abbreviation_replacer import AbbreviationReplacer

    segmenter = _segmenter_class()(language=lang, clean=False, char_span=False)
    shim = _CompiledOnce()
    for name, module in list(sys.modules.items()):  # after the language's rules are imported
        if name.startswith("pysbd") and getattr(module, "re", None) is re:
            module.re = shim  # type: ignore[attr-defined]
    rules = segmenter.language_module
    replacer = getattr(rules, "AbbreviationReplacer", AbbreviationReplacer)
    unchanged = all(
        getattr(replacer, name) is getattr(AbbreviationReplacer, name)
        for name in ("search_for_abbreviations_in_string", "scan_for_replacements")
    )
    if unchanged:
        rules.AbbreviationReplacer = _skipping(replacer)
    return segmenter
