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
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pysbd

_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")  # İ ı ſ K (Kelvin sign)
_PLAIN_LETTERS = re.compile(r"[a-z]+")
_BEFORE_PERIOD = re.compile(r"(?<!\S)([A-Za-z]+)(?=\.)")


@lru_cache(maxsize=65536)
def _compiled(pattern: str | re.Pattern[str], flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _CompiledOnce:
    """The `re` functions pysbd calls, each pattern compiled once per process.

    pysbd formats a pattern per abbreviation it meets and calls `re.sub(pattern, ...)`; with more
    distinct patterns than `re` keeps compiled (512), every call compiled its pattern again. The same
    patterns give the same results.
    """

    def __getattr__(self, name: str) -> object:
        return getattr(re, name)

    def sub(self, pattern: str, repl: object, string: str, count: int = 0, flags: int = 0) -> str:
        return _compiled(pattern, flags).sub(repl, string, count)  # type: ignore[call-overload]

    def findall(self, pattern: str, string: str, flags: int = 0) -> list[object]:
        return _compiled(pattern, flags).findall(string)

    def finditer(self, pattern: str, string: str, flags: int = 0) -> object:
        return _compiled(pattern, flags).finditer(string)

    def search(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return _compiled(pattern, flags).search(string)

    def match(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return _compiled(pattern, flags).match(string)

    def split(self, pattern: str, string: str, maxsplit: int = 0, flags: int = 0) -> list[str | object]:
        return _compiled(pattern, flags).split(string, maxsplit)


def _skipping(base: type[Any]) -> type[Any]:
    """`base` (pysbd's abbreviation replacer of a language) visiting only abbreviations that can change a line."""

    class Skipping(base):
        def search_for_abbreviations_in_string(self, text: str) -> str:
            if _FOLDS_TO_ASCII.intersection(text):
                return str(super().search_for_abbreviations_in_string(text))
            before_period = {word.lower() for word in _BEFORE_PERIOD.findall(text)}
            lowered = text.lower()
            for abbr in self.lang.Abbreviation.ABBREVIATIONS:
                stripped = abbr.strip()
                if stripped not in lowered:
                    continue
                if stripped not in before_period and _PLAIN_LETTERS.fullmatch(stripped):
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


@lru_cache(maxsize=32)
def segmenter(lang: str) -> pysbd.Segmenter:
    """pysbd's segmenter of `lang` (non-destructive, no cleaning), with the speed-ups above."""
    import pysbd
    from pysbd.abbreviation_replacer import AbbreviationReplacer

    segmenter = pysbd.Segmenter(language=lang, clean=False, char_span=False)
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
