"""Which quality-estimation signals a run computes and the least score each language keeps."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

COSINE = "cosine"
ROUND_TRIP = "round_trip"
LOW_QUALITY = "low_quality"
Signal = Literal["cosine", "round_trip"]


class QEConfig(BaseModel):
    """Quality estimation of translated segments (`generator.quality.qe`); off unless `signals` names one.

    Thresholds map a language code, or `*` for every other language, to the least score kept. The
    defaults are set a priori, not fitted: a translation that is no closer to its source than
    unrelated text, or whose back-translation shares under a fifth of its character n-grams, goes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    signals: list[Signal] = Field(
        default_factory=list, description="cosine (needs projection.encoder), round_trip"
    )
    min_cosine: dict[str, float] = Field(default_factory=lambda: {"*": 0.5})
    min_round_trip: dict[str, float] = Field(default_factory=lambda: {"*": 0.2})

    @model_validator(mode="after")
    def _check(self) -> QEConfig:
        for name, table in (("min_cosine", self.min_cosine), ("min_round_trip", self.min_round_trip)):
            if "*" not in table:
                raise ValueError(f"{name} needs a '*' entry: the threshold of languages not listed")
            bad = [f"{lang}={value}" for lang, value in table.items() if not 0.0 <= value <= 1.0]
            if bad:
                raise ValueError(f"{name} thresholds must lie in 0..1, got {', '.join(bad)}")
        return self

    def threshold(self, signal: str, lang: str) -> float:
        table = self.min_cosine if signal == COSINE else self.min_round_trip
        return table.get(lang, table["*"])
