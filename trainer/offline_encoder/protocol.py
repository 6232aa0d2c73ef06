"""Tatoeba on a pretrained encoder folder, embedded the way its import record says the model was trained."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError
from trainer.offline_encoder.importer import MARKER


@dataclass(frozen=True)
class EmbeddingProtocol:
    """How sentences become vectors: a prefix before each, the layer mean-pooled (None: the middle one)."""

    prefix: str = ""
    layer: int | None = None


def read_protocol(model_dir: Path) -> EmbeddingProtocol:
    """The protocol an imported folder records; the XTREME default (no prefix, middle layer) otherwise."""
    marker = Path(model_dir) / MARKER
    if not marker.is_file():
        return EmbeddingProtocol()
    recorded = json.loads(marker.read_text(encoding="utf-8")).get("protocol", {})
    return EmbeddingProtocol(prefix=str(recorded.get("prefix", "")), layer=recorded.get("layer"))


def tatoeba_of_pretrained(
    model_dir: Path,
    data_dir: Path,
    langs: Sequence[str],
    *,
    protocol: EmbeddingProtocol,
    max_pairs: int | None = None,
    batch_size: int = 64,
    say: Callable[[str], None] = print,
) -> dict[str, dict[str, float]]:
    """Tatoeba accuracy in both directions, and their mean, per language, forward passes only."""
    import torch
    from transformers import AutoTokenizer

    from trainer.model import load_encoder
    from trainer.retrieval import evaluate_tatoeba, read_tatoeba

    if not Path(model_dir).is_dir():
        raise ConfigError(
            f"{model_dir} is not a model folder; make one with `xstilts models import me5-small`"
        )
    if not Path(data_dir).is_dir():
        raise ConfigError(f"{data_dir} is not a folder; point --data at LASER's data/tatoeba/v1")
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = load_encoder(model_dir).eval()
    out: dict[str, dict[str, float]] = {}
    with torch.inference_mode():
        for lang in langs:
            src, eng = read_tatoeba(data_dir, lang)
            if max_pairs is not None:
                src, eng = src[:max_pairs], eng[:max_pairs]
            scores = evaluate_tatoeba(
                model,
                tokenizer,
                src,
                eng,
                layer=protocol.layer,
                prefix=protocol.prefix,
                batch_size=batch_size,
            )
            scores["mean"] = (scores["accuracy"] + scores["accuracy_xx_en"]) / 2
            scores["pairs"] = float(len(src))
            say(
                f"{lang}: en->xx {scores['accuracy']:.1f} %, xx->en {scores['accuracy_xx_en']:.1f} % ({len(src)} pairs)"
            )
            out[lang] = scores
    return out
