"""Text fields through translation: the sentences a text needs, the text rebuilt, pair/choice/retrieval examples."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from generator.example import Example
from generator.segment import Segment, join_segments, split_sentences


@lru_cache(maxsize=131072)
def sentence_segments(text: str, lang: str) -> tuple[Segment, ...]:
    """Sentences of `text`, memoised: a SQuAD paragraph is split once for all its questions, and a
    SQuAD-sized input (≈106k contexts and questions) once for all its target languages."""
    return tuple(split_sentences(text, lang, protect=None))


def text_segments(text: str, src_lang: str = "en") -> list[str]:
    """The sentences of `text` that a translation of it needs."""
    return [seg.text for seg in sentence_segments(text, src_lang)]


def translate_text(text: str, translations: Mapping[str, str], src_lang: str = "en") -> str:
    """`text` rebuilt from the translations of its sentences, whitespace between them kept."""
    segs = list(sentence_segments(text, src_lang))
    return join_segments(text, segs, [translations[s.text] for s in segs])


def derived_example(ex: Example, lang: str, method: str) -> Example:
    """A copy of `ex` for `lang` made by `method`, with no projection recorded yet."""
    out = Example.from_dict(ex.to_dict())
    out.lang = lang
    out.method = method
    out.projection = ""
    out.confidence = 1.0
    return out


def fields_to_translate(example: Example) -> list[str]:
    """The texts of a pair, choice or retrieval example that translation changes (retrieval: text_a only)."""
    if example.kind == "pair":
        return [example.text_a, example.text_b]
    if example.kind == "choice":
        return [example.context, example.question, *example.choices]
    if example.kind == "retrieval":
        return [example.text_a]
    raise ValueError(f"fields_to_translate does not handle kind '{example.kind}'")


def translate_fields(example: Example, translations: Mapping[str, str], *, lang: str, method: str) -> Example:
    """A pair, choice or retrieval example with its texts translated and its label carried as is."""
    out = derived_example(example, lang, method)
    if example.kind == "pair":
        out.text_a = translate_text(example.text_a, translations)
        out.text_b = translate_text(example.text_b, translations)
    elif example.kind == "choice":
        out.context = translate_text(example.context, translations)
        out.question = translate_text(example.question, translations)
        out.choices = [translate_text(c, translations) for c in example.choices]
    elif example.kind == "retrieval":
        out.text_a = translate_text(example.text_a, translations)
    else:
        raise ValueError(f"translate_fields does not handle kind '{example.kind}'")
    return out
