"""The `Translator` protocol every MT backend implements, its two kinds of options, and helpers they share.

A backend's options come in two pydantic models. Load-time options (`LoadOptions`) pick and load
a model or resource: backend model path, device, compute type, threads, programs, server URLs,
credentials. One loaded translator exists per (backend, load-time options) in a process
(`generator.backends.loaded`). Call-time options (`CallOptions`) are arguments of every
`translate()` call: decoding settings such as beam size, output length and batch sizes. They never
name a file, directory, program, URL, device or compute type, and are bounded, so they are safe to
take from a client.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Sized
from typing import Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from generator.cache import CacheKey
from generator.errors import ConfigError


class LoadOptions(BaseModel):
    """Options that choose and load a model or resource; a new value means a new translator instance."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CallOptions(BaseModel):
    """Options of one `translate()` call on an already loaded translator."""

    model_config = ConfigDict(extra="forbid", frozen=True)


C = TypeVar("C", bound=CallOptions)


@runtime_checkable
class Translator(Protocol):
    """A batch-first translator between XTREME-R ISO language codes ("en", "es", "sw", "zh").

    `options` holds the load-time settings that change the output (family, compute type); which
    model it is, is `model_id`.
    """

    name: str
    model_id: str
    keeps_markers: bool
    options: dict[str, object]

    @property
    def call_options_model(self) -> type[CallOptions]:
        """The call-time options model `translate()` takes."""
        ...

    def supported_languages(self) -> list[str]:
        """ISO codes this backend can read or write."""
        ...

    def languages(self) -> list[tuple[str, str]] | None:
        """Supported (src, tgt) pairs, or None when any pair among `supported_languages()` works."""
        ...

    def supports(self, src: str, tgt: str) -> bool: ...

    def translate(
        self, texts: list[str], src: str, tgt: str, options: CallOptions | None = None
    ) -> list[str]:
        """Translate `texts` in order with call-time `options` (the backend's defaults when None).

        Empty strings come back empty without reaching the model.
        """
        ...

    def close(self) -> None:
        """Release the loaded model; a later `translate()` loads it again."""
        ...


def resolve_call_options(model: type[C], options: CallOptions | None) -> C:
    """`options` as `model`, or `model`'s defaults when None; ConfigError for another backend's options."""
    if options is None:
        return model()
    if not isinstance(options, model):
        raise ConfigError(
            f"call options {type(options).__name__} were given to a backend that takes {model.__name__}; "
            "build them with generator.backends.registry.call_options(<backend>, ...)"
        )
    return options


def cache_key(translator: Translator, options: CallOptions | None, src: str, tgt: str) -> CacheKey:
    """The translation-memory key of `translator`'s output for src->tgt with call-time `options`.

    It covers the model (`model_id`), the load-time settings that change output (`options`) and
    every call-time option, defaults filled in.
    """
    call = resolve_call_options(translator.call_options_model, options)
    settings = {"load": translator.options, "call": call.model_dump(mode="json")}
    return CacheKey.build(translator.name, translator.model_id, settings, src, tgt)


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
