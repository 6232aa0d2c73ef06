"""The `Translator` protocol every MT backend implements, plus helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Sequence, Sized
from typing import Protocol, runtime_checkable

from generator.errors import ConfigError


@runtime_checkable
class Translator(Protocol):
    """A batch-first translator between XTREME-R ISO language codes ("en", "es", "sw", "zh")."""

    name: str
    model_id: str
    keeps_markers: bool
    options: dict[str, object]

    def supported_languages(self) -> list[str]:
        """ISO codes this backend can read or write."""
        ...

    def languages(self) -> list[tuple[str, str]] | None:
        """Supported (src, tgt) pairs, or None when any pair among `supported_languages()` works."""
        ...

    def supports(self, src: str, tgt: str) -> bool: ...

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """Translate `texts` in order; empty strings come back empty without reaching the model."""
        ...


def supports_pair(translator: Translator, src: str, tgt: str) -> bool:
    """Whether `translator` declares the (src, tgt) pair."""
    pairs = translator.languages()
    if pairs is not None:
        return (src, tgt) in pairs
    codes = translator.supported_languages()
    return src != tgt and src in codes and tgt in codes


def check_pair(translator: Translator, src: str, tgt: str) -> None:
    """Raise ConfigError naming what `translator` supports when (src, tgt) is not among it."""
    if translator.supports(src, tgt):
        return
    pairs = translator.languages()
    if pairs is not None:
        offered = ", ".join(f"{s}->{t}" for s, t in pairs) or "none"
        what = f"pairs {offered}"
    else:
        what = f"any pair among {', '.join(translator.supported_languages())}"
    raise ConfigError(
        f"backend '{translator.name}' ({translator.model_id}) cannot translate {src}->{tgt}; "
        f"it supports {what}"
    )


def translate_nonempty(texts: Sequence[str], run: Callable[[list[str]], list[str]]) -> list[str]:
    """Call `run` on the non-blank texts only and put the results back in input order."""
    positions = [i for i, text in enumerate(texts) if text.strip()]
    out = ["" for _ in texts]
    if not positions:
        return out
    results = run([texts[i] for i in positions])
    if len(results) != len(positions):
        raise RuntimeError(f"backend returned {len(results)} translations for {len(positions)} inputs")
    for i, result in zip(positions, results, strict=True):
        out[i] = result
    return out


def length_order(items: Sequence[Sized]) -> list[int]:
    """Indices of `items` from longest to shortest, so batches hold similar lengths."""
    return sorted(range(len(items)), key=lambda i: len(items[i]), reverse=True)
