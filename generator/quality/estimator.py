"""The QE signals of a run, computed on (English, translation) pairs of one target language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from generator.errors import ConfigError
from generator.quality.qe import EncoderQE, round_trip_scores
from generator.quality.qe_config import COSINE, ROUND_TRIP, QEConfig

BackTranslate = Callable[[str, list[str]], list[str]]  # (source language, texts) -> English


class Estimator:
    """Scores pairs by the configured signals: `encoder` is (model, tokenizer), `back` translates into English."""

    def __init__(
        self,
        config: QEConfig,
        encoder: tuple[Any, Any] | None,
        back: BackTranslate | None,
        can_back: Callable[[str], bool],
    ) -> None:
        if COSINE in config.signals and encoder is None:
            raise ConfigError("qe signal 'cosine' needs an encoder: set projection.encoder to a model folder")
        self.config = config
        self._encoder = EncoderQE(*encoder) if encoder is not None else None
        self._back, self._can_back = back, can_back

    def scores(
        self, lang: str, sources: Sequence[str], translations: Sequence[str]
    ) -> dict[str, list[float]]:
        """Each configured signal's score of every pair."""
        out: dict[str, list[float]] = {}
        if not sources:
            return out
        if COSINE in self.config.signals and self._encoder is not None:
            out[COSINE] = self._encoder.scores(sources, translations)
        if ROUND_TRIP in self.config.signals:
            if self._back is None or not self._can_back(lang):
                raise ConfigError(
                    f"qe signal 'round_trip' needs a backend that translates {lang} into English; "
                    "drop round_trip from qe.signals or use a backend with that direction (Apertium: spa-eng)"
                )
            back = self._back(lang, list(translations))
            out[ROUND_TRIP] = round_trip_scores(sources, back, translations)
        return out

    def failing(self, lang: str, scores: dict[str, float]) -> bool:
        """True when any signal's score is under the language's threshold."""
        return any(value < self.config.threshold(signal, lang) for signal, value in scores.items())
