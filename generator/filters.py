"""Quality filters for machine-translated text: empty output, length ratio, copied source, wrong language.

A check returns None (keep) or one reason from REASONS. Language identification uses lingua,
with a detector built from only the target languages, the source language and any
`langid_languages` named in the config: a small candidate set keeps close pairs (Malay and
Indonesian, say) from being confused, and its job is to catch output left in the source language
or drifted into another requested one. Lingua has no model for some XTREME-R languages
(LINGUA_UNSUPPORTED: ht jv ml my qu wo); their translations are not language-checked and are counted
as `langid_unsupported` in the DropCounter's `unchecked`, next to `langid_short` (too short to
identify reliably), `langid_undecided` (lingua could not tell) and `langid_no_alternative` (the
target is the source language and no other candidate was named). Length-ratio bounds assume a
Latin-script source (English) and are set per target script.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.errors import MissingDependencyError
from generator.languages import LANGUAGES, get_language

if TYPE_CHECKING:
    import lingua

Reason = Literal["empty", "length_ratio", "copy", "wrong_language"]
REASONS: tuple[Reason, ...] = ("empty", "length_ratio", "copy", "wrong_language")
UNCHECKED: tuple[str, ...] = (
    "langid_unsupported",
    "langid_short",
    "langid_undecided",
    "langid_no_alternative",
)

DEFAULT_RATIO_BOUNDS: dict[str, tuple[float, float]] = {
    "default": (0.4, 2.5),
    "Hans": (0.12, 1.2),
    "Jpan": (0.15, 1.5),
    "Hang": (0.15, 1.5),
    "Thai": (0.3, 3.0),
    "Mymr": (0.3, 3.5),
    "Geor": (0.4, 3.0),
    "Mlym": (0.4, 3.0),
    "Taml": (0.4, 3.0),
    "Telu": (0.4, 3.0),
}

_WORD = re.compile(r"\w+")


class FilterConfig(BaseModel):
    """Which checks run and their thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    length_ratio: bool = True
    ratio_bounds: dict[str, tuple[float, float]] = Field(default_factory=lambda: dict(DEFAULT_RATIO_BOUNDS))
    ratio_min_source_chars: int = Field(default=20, ge=1)
    copy_check: bool = True
    copy_min_tokens: int = Field(default=4, ge=1)
    copy_similarity: float = Field(default=0.9, gt=0.0, le=1.0)
    langid: bool = True
    langid_min_chars: int = Field(default=20, ge=1)
    langid_window: int = Field(
        default=200,
        ge=0,
        description="characters of a long text's start and of its end that language identification "
        "reads (0: the whole text)",
    )
    langid_languages: tuple[str, ...] = ()
    source_lang: str = "en"

    @model_validator(mode="after")
    def _valid(self) -> FilterConfig:
        if "default" not in self.ratio_bounds:
            raise ValueError("ratio_bounds needs a 'default' entry used for scripts without their own bounds")
        for script, (low, high) in self.ratio_bounds.items():
            if not 0 < low < high:
                raise ValueError(f"ratio_bounds[{script!r}] = ({low}, {high}): need 0 < min < max")
        for code in (self.source_lang, *self.langid_languages):
            if code not in LANGUAGES:
                raise ValueError(f"unknown language code {code!r}; use XTREME-R codes: {' '.join(LANGUAGES)}")
        return self

    def bounds_for(self, lang: str) -> tuple[float, float]:
        script = get_language(lang).script
        return self.ratio_bounds.get(script, self.ratio_bounds["default"])


@dataclass
class DropCounter:
    """Dropped items by reason, checks skipped by cause, and items kept; mergeable."""

    dropped: Counter[str] = field(default_factory=Counter)
    unchecked: Counter[str] = field(default_factory=Counter)
    kept: int = 0

    def add(self, reason: str | None) -> None:
        if reason is None:
            self.kept += 1
        else:
            self.dropped[reason] += 1

    def merge(self, other: DropCounter) -> DropCounter:
        """Add the other counter's counts into this one; returns self."""
        self.dropped.update(other.dropped)
        self.unchecked.update(other.unchecked)
        self.kept += other.kept
        return self

    def __add__(self, other: DropCounter) -> DropCounter:
        return DropCounter().merge(self).merge(other)

    @property
    def total(self) -> int:
        return self.kept + sum(self.dropped.values())

    def to_dict(self) -> dict[str, int]:
        """Drop counts by reason (non-zero only), the shape a shard manifest records."""
        return {reason: count for reason, count in sorted(self.dropped.items()) if count}

    def summary(self) -> dict[str, object]:
        return {
            "kept": self.kept,
            "dropped": self.to_dict(),
            "unchecked": dict(sorted(self.unchecked.items())),
        }


def _require_lingua() -> None:
    try:
        import lingua  # noqa: F401
    except ImportError as err:
        raise MissingDependencyError(
            "language identification needs lingua: pip install lingua-language-detector"
        ) from err


def _lingua_language(code: str) -> lingua.Language | None:
    """Lingua's language for one of our codes, or None where lingua has no model for it."""
    import lingua

    iso = getattr(lingua.IsoCode639_1, code.upper(), None)
    if iso is None:
        return None
    try:
        return lingua.Language.from_iso_code_639_1(iso)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def lingua_unsupported() -> frozenset[str]:
    """The XTREME-R codes lingua cannot identify."""
    _require_lingua()
    return frozenset(code for code in LANGUAGES if _lingua_language(code) is None)


def langid_sample(text: str, window: int) -> str:
    """What language identification reads of `text`: all of it, or, when longer than two windows, its
    first and last `window` characters cut at whitespace. Lingua's verdict on a paragraph is settled
    long before its end, and its cost grows with the length; the two ends still catch output that
    starts or ends in another language."""
    text = text.strip()
    if not window or len(text) <= 2 * window:
        return text
    head, tail = text[:window], text[-window:]
    head = head.rsplit(None, 1)[0] if " " in head.strip() else head
    tail = tail.split(None, 1)[-1] if " " in tail.strip() else tail
    return f"{head} {tail}"


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of `a` and `b` (bit-parallel, Hyyrö 2004)."""
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = full
    for char in b:
        matched = row & masks.get(char, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(a) - row.bit_count()


def similar(a: str, b: str, threshold: float) -> bool:
    """`SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold`, computed only when cheap
    upper bounds of the ratio (character counts, then the longest common subsequence, which holds
    every matching block) reach the threshold."""
    total = len(a) + len(b)
    if not total or 2 * min(len(a), len(b)) < threshold * total:
        return total == 0 and threshold <= 1.0
    if 2 * sum((Counter(a) & Counter(b)).values()) < threshold * total:
        return False
    if 2 * lcs_length(a, b) < threshold * total:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


def _normalized_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


class Filter:
    """Checks (source, translation, target language) triples; one instance may serve many targets."""

    def __init__(self, config: FilterConfig | None = None) -> None:
        self.config = config or FilterConfig()
        self._detectors: dict[frozenset[str], lingua.LanguageDetector] = {}

    def _detector(self, targets: frozenset[str]) -> lingua.LanguageDetector | None:
        """A detector over the targets, the source and the extra languages; None if only one is known."""
        candidates = frozenset({*targets, self.config.source_lang, *self.config.langid_languages})
        candidates = frozenset(c for c in candidates if c not in lingua_unsupported())
        if len(candidates) < 2:
            return None
        if candidates not in self._detectors:
            import lingua

            languages = [lang for lang in map(_lingua_language, sorted(candidates)) if lang is not None]
            self._detectors[candidates] = lingua.LanguageDetectorBuilder.from_languages(*languages).build()
        return self._detectors[candidates]

    def _surface_reason(self, source: str, translation: str, tgt_lang: str) -> Reason | None:
        """The checks that need no model: empty, length ratio, copy."""
        if not translation.strip():
            return "empty" if source.strip() else None
        cfg = self.config
        src_len, out_len = len(source.strip()), len(translation.strip())
        if cfg.length_ratio and src_len >= cfg.ratio_min_source_chars:
            low, high = cfg.bounds_for(tgt_lang)
            if not low <= out_len / src_len <= high:
                return "length_ratio"
        if cfg.copy_check and tgt_lang != cfg.source_lang:
            src_words = _normalized_words(source)
            if len(src_words) >= cfg.copy_min_tokens:
                out_words = _normalized_words(translation)
                if src_words == out_words:
                    return "copy"
                if similar(" ".join(src_words), " ".join(out_words), cfg.copy_similarity):
                    return "copy"
        return None

    def check(
        self, source: str, translation: str, tgt_lang: str, counter: DropCounter | None = None
    ) -> Reason | None:
        """None to keep the translation, else the reason to drop it."""
        return self.check_many([source], [translation], tgt_lang, counter)[0]

    def check_many(
        self,
        sources: Sequence[str],
        translations: Sequence[str],
        tgt_langs: str | Sequence[str],
        counter: DropCounter | None = None,
    ) -> list[Reason | None]:
        """Reasons aligned with the inputs; language identification runs batched and in parallel."""
        if len(sources) != len(translations):
            raise ValueError(f"{len(sources)} sources but {len(translations)} translations; pass pairs")
        langs = [tgt_langs] * len(sources) if isinstance(tgt_langs, str) else list(tgt_langs)
        if len(langs) != len(sources):
            raise ValueError(
                f"{len(sources)} sources but {len(langs)} target languages; pass one or one each"
            )
        for code in set(langs):
            get_language(code)
        reasons = [
            self._surface_reason(s, t, lang) for s, t, lang in zip(sources, translations, langs, strict=True)
        ]
        unchecked: Counter[str] = Counter()
        if self.config.langid:
            pending = [i for i, reason in enumerate(reasons) if reason is None and translations[i].strip()]
            to_detect: list[int] = []
            for i in pending:
                if langs[i] in lingua_unsupported():
                    unchecked["langid_unsupported"] += 1
                elif len(translations[i].strip()) < self.config.langid_min_chars:
                    unchecked["langid_short"] += 1
                else:
                    to_detect.append(i)
            detector = self._detector(frozenset(langs[i] for i in to_detect)) if to_detect else None
            if detector is None:
                unchecked["langid_no_alternative"] += len(to_detect)
            else:
                window = self.config.langid_window
                found = detector.detect_languages_in_parallel_of(
                    [langid_sample(translations[i], window) for i in to_detect]
                )
                for i, language in zip(to_detect, found, strict=True):
                    if language is None:
                        unchecked["langid_undecided"] += 1
                    elif language.iso_code_639_1.name.lower() != langs[i]:
                        reasons[i] = "wrong_language"
        if counter is not None:
            for reason in reasons:
                counter.add(reason)
            counter.unchecked.update(unchecked)
        return reasons
