"""Quality estimation of a translated segment without a reference.

Three signals, each 0..1 and higher for a better translation:
- `cosine`: cosine of the encoder's mean-pooled sentence embeddings of source and translation
  (e5 models expect the `query: ` prefix), times the share of source words the encoder's word
  alignment links to the translation (a translation that leaves out half the source loses half);
- `round_trip`: chrF (character 6-grams, β = 2) of the translation back-translated into English
  against the source, where a reverse backend exists (Apertium spa→eng);
- both are multiplied by `1 - copied`, `copied` being the trigram similarity of source and translation
  above 0.5, so an untranslated copy scores 0 however similar it is to its source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.projection.spans import similarity

CHRF_ORDER = 6
CHRF_BETA = 2.0


def _char_ngrams(text: str, n: int) -> Counter[str]:
    chars = "".join(text.split())
    return Counter(chars[i : i + n] for i in range(len(chars) - n + 1))


def chrf(hypothesis: str, reference: str, *, order: int = CHRF_ORDER, beta: float = CHRF_BETA) -> float:
    """Sentence chrF (Popović 2015, as sacrebleu's default chrF: whitespace ignored), 0..1."""
    precisions, recalls = [], []
    for n in range(1, order + 1):
        hyp, ref = _char_ngrams(hypothesis, n), _char_ngrams(reference, n)
        if not hyp or not ref:
            continue
        common = sum((hyp & ref).values())
        precisions.append(common / sum(hyp.values()))
        recalls.append(common / sum(ref.values()))
    if not precisions:
        return 0.0
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    return (1 + beta**2) * p * r / (beta**2 * p + r)


def copy_factor(source: str, translation: str) -> float:
    """1 for a translation unlike its source, falling to 0 for a copy (trigram similarity above 0.5 counts)."""
    return min(1.0, 2.0 * (1.0 - similarity(source, translation)))


def round_trip_scores(
    sources: Sequence[str], back_translations: Sequence[str], translations: Sequence[str]
) -> list[float]:
    """chrF of each back-translation against its source, times the copy factor of the translation."""
    return [
        round(chrf(back, source) * copy_factor(source, tr), 4)
        for source, back, tr in zip(sources, back_translations, translations, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class EncoderQE:
    """Encoder-based QE: sentence-embedding cosine times word-alignment coverage times the copy factor."""

    model: Any
    tokenizer: Any
    prefix: str = "query: "
    batch_size: int = 16

    def scores(self, sources: Sequence[str], translations: Sequence[str]) -> list[float]:
        from generator.encoder.states import embed_texts
        from generator.projection.encoder_align import EncoderAligner

        n_layers = int(self.model.config.num_hidden_layers)
        kwargs: dict[str, Any] = {"layer": n_layers, "batch_size": self.batch_size, "normalize": True}
        src = embed_texts(self.model, self.tokenizer, [self.prefix + s for s in sources], **kwargs)
        tgt = embed_texts(self.model, self.tokenizer, [self.prefix + t for t in translations], **kwargs)
        aligner = EncoderAligner(self.model, self.tokenizer, batch_size=self.batch_size)
        out = []
        pairs = list(zip(sources, translations, strict=True))
        for k, alignment in enumerate(aligner.align(pairs)):
            linked = {i for i, _ in alignment.links}
            coverage = len(linked) / max(1, len(alignment.source_words))
            cosine = max(0.0, float(src[k] @ tgt[k]))
            out.append(round(cosine * coverage * copy_factor(*pairs[k]), 4))
        return out
