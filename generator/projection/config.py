"""How spans are projected (`ProjectionConfig`) and the names projection outcomes are recorded under."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

MARKER = "marker"
FUZZY = "fuzzy"
ALIGN = "align"
LOST_SPAN = "lost_span"


class ProjectionConfig(BaseModel):
    """How spans are projected: the marker pair and the thresholds of the fuzzy and alignment steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    markers: tuple[str, str] = Field(default=("[[", "]]"), description="opening and closing span markers")
    fuzzy_threshold: float = Field(default=0.6, ge=0.0, le=1.0, description="least trigram similarity kept")
    align_threshold: float = Field(default=0.2, ge=0.0, le=1.0, description="least alignment confidence kept")

    @model_validator(mode="after")
    def _distinct_markers(self) -> ProjectionConfig:
        opening, closing = self.markers
        if not opening.strip() or not closing.strip() or opening == closing:
            raise ValueError(
                "markers must be two different non-blank strings, e.g. ['[[', ']]'], so a span's ends can be told apart"
            )
        return self
