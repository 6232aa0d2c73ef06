"""Word alignment from a multilingual encoder's contextual subword vectors (SimAlign, Jalili Sabet et al. 2020).

Both texts are split into words, each word into subwords; the cosine matrix of the subwords of one
layer is aligned by `argmax` (pairs that are each other's best match) or `itermax` (argmax, then
repeatedly the best mutual matches among words still unaligned); two words align when any of
their subwords do. A source span is projected onto the densest cluster of target words its words
align to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

# A run of letters/digits is a word, each CJK character and each other symbol on its own.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_WORDS = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")
ALIGN_METHODS = ("argmax", "itermax")
_EDGE = "\"'“”‘’«»„¿¡()[]{}<>.,;:!?"


def words(text: str) -> list[tuple[int, int]]:
    """Character (start, end) of each word of `text`."""
    return [m.span() for m in _WORDS.finditer(text)]


def _mutual_argmax(sim: np.ndarray) -> np.ndarray:
    import numpy as np

    forward = np.zeros_like(sim, dtype=bool)
    forward[np.arange(sim.shape[0]), sim.argmax(axis=1)] = True
    backward = np.zeros_like(sim, dtype=bool)
    backward[sim.argmax(axis=0), np.arange(sim.shape[1])] = True
    return forward & backward


def itermax(sim: np.ndarray, *, rounds: int = 2, alpha: float = 0.9) -> np.ndarray:
    """SimAlign's IterMax: argmax, then `rounds - 1` more passes that favour rows and columns still unaligned."""
    import numpy as np

    links = _mutual_argmax(sim)
    if min(sim.shape) <= 2:
        return links
    for _ in range(rounds - 1):
        free_rows = np.asarray(~links.any(axis=1))
        free_cols = np.asarray(~links.any(axis=0))
        if not free_rows.any() or not free_cols.any():
            break
        weight = np.clip(alpha * free_rows[:, None] + alpha * free_cols[None, :], 0.0, 1.0)
        either_free = free_rows[:, None] | free_cols[None, :]
        new = _mutual_argmax(sim * weight) & either_free
        if not (new & ~links).any():
            break
        links |= new
    return links


@dataclass(frozen=True, slots=True)
class WordAlignment:
    """Links between the words of `source` and `target` (word indices into the `*_words` spans)."""

    source: str
    target: str
    source_words: list[tuple[int, int]]
    target_words: list[tuple[int, int]]
    links: set[tuple[int, int]]
    truncated: bool  # a side was longer than the encoder's positions: its tail is unaligned


class EncoderAligner:
    """Aligns batches of (source, target) texts with one layer of `model` (a Hugging Face encoder)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        layer: int | None = None,
        method: str = "itermax",
        batch_size: int = 32,
        max_length: int = 512,
    ) -> None:
        from generator.encoder.states import check_layer

        if method not in ALIGN_METHODS:
            raise ConfigError(
                f"alignment method {method!r} is unknown; use one of: {' '.join(ALIGN_METHODS)}"
            )
        self.model, self.tokenizer = model, tokenizer
        self.layer = check_layer(model, layer)
        self.method, self.batch_size, self.max_length = method, batch_size, max_length
        self.last_alignments: list[WordAlignment] = []

    def align(self, pairs: Sequence[tuple[str, str]]) -> list[WordAlignment]:
        """Word alignments of each (source, target) pair, both sides encoded in shared length-sorted batches."""
        import numpy as np

        from generator.encoder.states import word_states

        spans = [(words(s), words(t)) for s, t in pairs]
        texts = [
            [text[a:b] for a, b in side]
            for (s, t), sides in zip(pairs, spans, strict=True)
            for text, side in zip((s, t), sides, strict=True)
        ]
        states = word_states(
            self.model,
            self.tokenizer,
            texts,
            layer=self.layer,
            batch_size=self.batch_size,
            max_length=self.max_length,
        )
        out = []
        for k, ((source, target), (s_words, t_words)) in enumerate(zip(pairs, spans, strict=True)):
            src, tgt = states[2 * k], states[2 * k + 1]
            links: set[tuple[int, int]] = set()
            if len(src.word_ids) and len(tgt.word_ids):
                a = src.vectors / np.linalg.norm(src.vectors, axis=1, keepdims=True).clip(min=1e-12)
                b = tgt.vectors / np.linalg.norm(tgt.vectors, axis=1, keepdims=True).clip(min=1e-12)
                sim = a @ b.T
                hits = itermax(sim) if self.method == "itermax" else _mutual_argmax(sim)
                links = {(src.word_ids[i], tgt.word_ids[j]) for i, j in zip(*np.nonzero(hits), strict=True)}
            truncated = src.kept < len(s_words) or tgt.kept < len(t_words)
            out.append(WordAlignment(source, target, s_words, t_words, links, truncated))
        self.last_alignments = out
        return out


def project_aligned(alignment: WordAlignment, start: int, end: int) -> tuple[int, int, float] | None:
    """Target (start, end, confidence) of source span [start, end): the densest run of aligned target words.

    Aligned target words closer than two unaligned words form a run; the run with the most links
    wins. The confidence is the share of the span's words linked into that run times the share of
    the run's links that come from the span.
    """
    span_words = {i for i, (a, b) in enumerate(alignment.source_words) if b > start and a < end}
    if not span_words:
        return None
    hits = sorted({j for i, j in alignment.links if i in span_words})
    if not hits:
        return None
    runs: list[list[int]] = [[hits[0]]]
    for j in hits[1:]:
        if j - runs[-1][-1] <= 2:
            runs[-1].append(j)
        else:
            runs.append([j])
    weight = {j: sum(1 for i, t in alignment.links if t == j and i in span_words) for j in hits}
    best = max(runs, key=lambda run: sum(weight[j] for j in run))
    first, last = best[0], best[-1]
    covered = {i for i, j in alignment.links if i in span_words and first <= j <= last}
    inside = [(i, j) for i, j in alignment.links if first <= j <= last]
    purity = sum(1 for i, _ in inside if i in span_words) / len(inside)
    a, b = alignment.target_words[first][0], alignment.target_words[last][1]
    text = alignment.target
    while a < b and text[a] in _EDGE:
        a += 1
    while b > a and text[b - 1] in _EDGE:
        b -= 1
    if b <= a:
        return None
    return a, b, round(len(covered) / len(span_words) * purity, 4)


class CachedAligner:
    """`SpanAligner` over an `EncoderAligner`: pairs aligned in batches by `prepare`, kept for `place`."""

    def __init__(self, aligner: EncoderAligner, capacity: int = 4096) -> None:
        self.aligner = aligner
        self.capacity = capacity
        self._done: dict[tuple[str, str], WordAlignment] = {}

    def prepare(self, pairs: Sequence[tuple[str, str]]) -> None:
        todo = list(dict.fromkeys(p for p in pairs if p not in self._done and p[0].strip() and p[1].strip()))
        if len(self._done) + len(todo) > self.capacity:
            self._done.clear()
        for pair, alignment in zip(todo, self.aligner.align(todo), strict=True):
            self._done[pair] = alignment

    def place(self, source: str, start: int, end: int, target: str) -> tuple[int, int, float] | None:
        if (source, target) not in self._done:
            self.prepare([(source, target)])
        alignment = self._done.get((source, target))
        return project_aligned(alignment, start, end) if alignment is not None else None


def load_aligner(model_dir: str, layer: int, device: str = "cpu") -> CachedAligner:
    """The encoder in `model_dir` (a Hugging Face folder, e.g. from `xstilts models import me5-small DIR`) as an aligner."""
    from pathlib import Path

    folder = Path(model_dir)
    if not (folder / "config.json").is_file():
        raise ConfigError(
            f"projection.encoder {model_dir!r} is not a model folder (no config.json); "
            "import one with `xstilts models import me5-small DIR` and pass DIR"
        )
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(folder)
    try:
        model = model.to(device)
    except (RuntimeError, AssertionError) as err:
        raise ConfigError(
            f"projection.encoder_device {device!r} is not usable here ({err}); use cpu or cuda:N"
        ) from None
    tokenizer = AutoTokenizer.from_pretrained(folder)
    return CachedAligner(EncoderAligner(model, tokenizer, layer=layer))
