"""Code-switching settings: target languages, sentence and token ratios, what is never switched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.errors import ConfigError

Mix = Literal["one", "many"]

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
