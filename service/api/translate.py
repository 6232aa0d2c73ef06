"""Synchronous translation and code-switching of small batches of texts (micro-batched across requests)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from generator.errors import ConfigError
from generator.languages import LANGUAGES, get_language
from service.deps import CodeSwitchDep, SettingsDep, TranslationDep, TranslatorsDep
from service.errors import ServiceError
from service.redaction import public_model_id
from service.settings import Settings
from service.wellformed import CheckedRoute

router = APIRouter(prefix="/v1", tags=["translate"], route_class=CheckedRoute)


LANGUAGE_ENUM: dict[str, Any] = {"enum": list(LANGUAGES)}


def _language(code: str) -> str:
    try:
        return get_language(code).code
    except ConfigError as exc:
        raise ValueError(str(exc)) from None


class TextsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    texts: list[str] = Field(
        min_length=1, description="Texts to process (the service sets the most texts and characters)."
    )

    def check_limits(self, settings: Settings) -> None:
        """422 naming the offending field when the request is over the configured size limits."""
        if len(self.texts) > settings.max_texts:
            raise ServiceError(
                422,
                "too_many_texts",
                f"field 'texts': {len(self.texts)} texts sent, at most {settings.max_texts} per request; "
                "split the request",
                "texts",
            )
        for i, text in enumerate(self.texts):
            if len(text) > settings.max_text_chars:
                raise ServiceError(
                    422,
                    "text_too_long",
                    f"field 'texts.{i}': {len(text)} characters, at most {settings.max_text_chars}; "
                    "split the text into sentences",
                    f"texts.{i}",
                )


class TranslateRequest(TextsRequest):
    src: str = Field(
        default="en", description="Source language (XTREME-R code).", json_schema_extra=LANGUAGE_ENUM
    )
    tgt: str = Field(
        description="Target language (XTREME-R code), e.g. 'es'.", json_schema_extra=LANGUAGE_ENUM
    )
    profile: str | None = Field(
        default=None, description="Backend profile from GET /v1/profiles; default from settings."
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Call-time options of the profile's backend over the profile's own (GET /v1/profiles "
        "lists them per profile); load-time options are the operator's and refused.",
    )

    _check_src = field_validator("src")(_language)
    _check_tgt = field_validator("tgt")(_language)


class TranslateResponse(BaseModel):
    translations: list[str]
    profile: str
    backend: str
    model: str = Field(description="The model's name (no server path).")
    cached: int = Field(description="How many texts were answered from the translation memory.")


class SwitchOut(BaseModel):
    source: str
    target: str
    lang: str


class CodeSwitchRequest(TextsRequest):
    langs: list[Annotated[str, Field(json_schema_extra=LANGUAGE_ENUM)]] = Field(
        min_length=1, description="Languages to switch into (XTREME-R codes with an installed lexicon)."
    )
    token_ratio: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Share of translatable tokens switched."
    )
    sentence_ratio: float = Field(
        default=1.0, ge=0.0, le=1.0, description="Share of sentences switched at all."
    )
    mix: Literal["one", "many"] = Field(
        default="one", description="'one' language per sentence or 'many' languages within a sentence."
    )
    sense: Literal["main", "weighted", "uniform"] = Field(
        default="main",
        description="'main': the best-ranked translation; 'weighted': drawn by rank score; 'uniform': any.",
    )
    function_words: bool = Field(
        default=False, description="Switch function words (articles, prepositions, auxiliaries) too."
    )
    seed: int = Field(default=0, description="Random seed; the same request gives the same output.")

    @field_validator("langs")
    @classmethod
    def _check_langs(cls, langs: list[str]) -> list[str]:
        return list(dict.fromkeys(_language(code) for code in langs))


class CodeSwitchResponse(BaseModel):
    texts: list[str]
    switched: list[list[SwitchOut]] = Field(description="Per text, the tokens that were replaced.")


@router.post("/translate", summary="Translate texts with a backend profile (cached, micro-batched)")
async def translate(
    body: TranslateRequest, settings: SettingsDep, translators: TranslatorsDep, runner: TranslationDep
) -> TranslateResponse:
    body.check_limits(settings)
    choice = translators.choose(body.profile, body.options)
    selected = await translators.aget(choice)
    translator = selected.translator
    model = public_model_id(translator.model_id)
    if not translator.supports(body.src, body.tgt):
        raise ServiceError(
            422,
            "unsupported_pair",
            f"field 'tgt': profile '{choice.name}' ({choice.backend}, {model}) cannot translate "
            f"{body.src}->{body.tgt}; GET /v1/profiles lists the profiles, or pick another tgt",
            "tgt",
        )
    result = await runner.translate(selected, body.texts, body.src, body.tgt)
    return TranslateResponse(
        translations=result.translations,
        profile=choice.name,
        backend=choice.backend,
        model=model,
        cached=result.cached,
    )


@router.post("/codeswitch", summary="Code-switch English texts with bilingual lexicons (micro-batched)")
async def codeswitch(
    body: CodeSwitchRequest, settings: SettingsDep, switcher: CodeSwitchDep
) -> CodeSwitchResponse:
    body.check_limits(settings)
    from generator.codeswitch.config import CodeSwitchConfig

    cfg = CodeSwitchConfig(
        langs=tuple(body.langs),
        token_ratio=body.token_ratio,
        sentence_ratio=body.sentence_ratio,
        mix=body.mix,
        sense=body.sense,
        function_words=body.function_words,
    )
    try:
        results = await switcher.switch(body.texts, cfg, body.seed)
    except ConfigError as exc:
        raise ServiceError(422, "missing_lexicon", f"field 'langs': {exc}", "langs") from exc
    return CodeSwitchResponse(
        texts=[r.text for r in results],
        switched=[
            [SwitchOut(source=s.source, target=s.target, lang=s.lang) for s in r.switches] for r in results
        ],
    )
