"""Backend language codes for XTREME-R ISO codes, read from `generator.languages`."""

from __future__ import annotations

from typing import Any

from generator.errors import ConfigError


def _entry(code: str) -> Any:
    from generator.languages import LANGUAGES

    if code not in LANGUAGES:
        raise ConfigError(f"unknown language code '{code}'; use one of {', '.join(sorted(LANGUAGES))}")
    return LANGUAGES[code]


def all_codes() -> list[str]:
    """Every ISO code the language registry knows."""
    from generator.languages import LANGUAGES

    return sorted(LANGUAGES)


def flores_code(code: str) -> str | None:
    """FLORES-200 code (NLLB), e.g. "es" -> "spa_Latn"; None when NLLB lacks the language."""
    return _entry(code).flores or None


def m2m100_code(code: str) -> str | None:
    """M2M100 code, e.g. "es" -> "es"; None when M2M100 lacks the language."""
    return _entry(code).m2m100 or None


def language_name(code: str) -> str:
    """English name of the language, for prompts."""
    return str(_entry(code).name)
