"""Code-switching settings: target languages, sentence and token ratios, senses, what is never switched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.errors import ConfigError

Mix = Literal["one", "many"]
# main: the best-ranked translation; weighted: drawn by rank score; uniform: any translation alike.
SenseChoice = Literal["main", "weighted", "uniform"]
SENSES: tuple[SenseChoice, ...] = ("main", "weighted", "uniform")
# Chosen on Tatoeba en-deu/ell/rus/spa/fra/tur (not the XQuAD test set): precision +2..+10 points.
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class CodeSwitchConfig:
    """How much and into which languages to switch, and what stays English.

    Protected by default: numbers, punctuation, function words (`function_words=True` switches them),
    names (`protect_names`: capitalised words inside a sentence that the lexicon does not list
    capitalised, runs of capitalised words, dates, URLs and e-mail addresses), QA answer spans
    (`switch_answers`), tagged entities (`switch_entities`) and ambiguous words (`min_confidence`).
    """

    langs: tuple[str, ...]
    sentence_ratio: float = 1.0
    token_ratio: float = 0.5
    mix: Mix = "one"
    sense: SenseChoice = "main"
    skip_numbers: bool = True
    skip_punct: bool = True
    function_words: bool = False
    protect_names: bool = True
    switch_answers: bool = False
    switch_entities: bool = False
    max_words: int = 3
    keep_case: bool = True
    # A word switches only when its best translation holds this share of its rank scores (tables.py).
    min_confidence: float = MIN_CONFIDENCE
    # Verbs and noun-verb homographs switch only where a citation form fits (forms.py).
    fit_forms: bool = True

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
        if self.sense not in SENSES:
            raise ConfigError(f"sense must be one of {', '.join(SENSES)}, got {self.sense!r}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError(f"min_confidence must lie in [0, 1], got {self.min_confidence}")
        if not 1 <= self.max_words <= 8:
            raise ConfigError(f"max_words must be between 1 and 8, got {self.max_words}")

    @property
    def lang_label(self) -> str:
        """The `lang` a switched example carries: the sorted language set joined by '+'."""
        return "+".join(sorted(self.langs))
