"""How spans are projected (`ProjectionConfig`) and the names projection outcomes are recorded under."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MARKER = "marker"
FUZZY = "fuzzy"
ALIGN = "align"
ENCODER_ALIGN = "encoder-align"
AUTO = "auto"
LOST_SPAN = "lost_span"


class ProjectionConfig(BaseModel):
    """How spans are projected: the marker pair and the thresholds of the fuzzy and alignment steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["cascade", "auto"] = Field(
        default="cascade",
        description="without intact markers: first method over its threshold (cascade) or best calibrated (auto)",
    )
    encoder: str | None = Field(
        default=None,
        description="encoder model directory for `encoder-align` (from `xstilts models import`); none: no encoder",
    )
    encoder_layer: int = Field(default=8, ge=0, description="hidden-state layer the word aligner compares")
    encoder_device: str = Field(default="cpu", description="torch device of the encoder, e.g. cpu or cuda:0")
    markers: tuple[str, str] = Field(default=("[[", "]]"), description="opening and closing span markers")
    fuzzy_threshold: float = Field(default=0.6, ge=0.0, le=1.0, description="least trigram similarity kept")
    align_threshold: float = Field(default=0.2, ge=0.0, le=1.0, description="least alignment confidence kept")
    encoder_threshold: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="least encoder-alignment confidence kept (share of words linked)",
    )
    auto_threshold: float = Field(
        default=0.2, ge=0.0, le=1.0, description="least calibrated confidence `auto` keeps"
    )

    @model_validator(mode="after")
    def _distinct_markers(self) -> ProjectionConfig:
        opening, closing = self.markers
        if not opening.strip() or not closing.strip() or opening == closing:
            raise ValueError(
                "markers must be two different non-blank strings, e.g. ['[[', ']]'], so a span's ends can be told apart"
            )
        return self
