"""A tiny randomly initialised XLM-R (sentencepiece + config) that loads like xlm-roberta-large.

No hub is reachable from tests or the demo, so the trainer builds its own model: a unigram
sentencepiece trained on the given text, an `XLMRobertaTokenizer` built from the piece list in the
fairseq id layout (`<s> <pad> </s> <unk>`, pieces, `<mask>`), and a small `XLMRobertaConfig` with
random weights. Both are saved with `save_pretrained`, so `AutoModel.from_pretrained(out)` and
`AutoTokenizer.from_pretrained(out)` load it through the same code path as a real checkpoint.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

# Small phrase lists in the languages the demo code-switches into, so switched tokens are not all <unk>.
_PHRASES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "en": (
        ["the house", "the dog", "my friend", "a teacher", "the river", "our city", "the old man", "a child"],
        ["is near", "looks at", "walks to", "lives in", "talks about", "remembers", "buys", "likes"],
        ["the market", "a small garden", "the school", "the mountains", "a red car", "the station"],
    ),
    "es": (
        ["la casa", "el perro", "mi amigo", "una maestra", "el río", "nuestra ciudad", "el viejo", "un niño"],
        ["está cerca de", "mira", "camina a", "vive en", "habla de", "recuerda", "compra", "quiere"],
        ["el mercado", "un jardín pequeño", "la escuela", "las montañas", "un coche rojo", "la estación"],
    ),
    "de": (
        ["das Haus", "der Hund", "mein Freund", "eine Lehrerin", "der Fluss", "unsere Stadt", "ein Kind"],
        ["ist nahe", "sieht", "geht zu", "wohnt in", "spricht über", "erinnert sich an", "kauft", "mag"],
        ["den Markt", "einen kleinen Garten", "die Schule", "die Berge", "ein rotes Auto", "den Bahnhof"],
    ),
    "sw": (
        ["nyumba", "mbwa", "rafiki yangu", "mwalimu", "mto", "mji wetu", "mzee", "mtoto"],
        ["iko karibu na", "anaangalia", "anatembea kwenda", "anaishi", "anazungumza kuhusu", "ananunua"],
        ["soko", "bustani ndogo", "shule", "milima", "gari jekundu", "kituo"],
    ),
    "fr": (
        ["la maison", "le chien", "mon ami", "une enseignante", "la rivière", "notre ville", "un enfant"],
        ["est près de", "regarde", "marche vers", "habite", "parle de", "se souvient de", "achète"],
        ["le marché", "un petit jardin", "l'école", "les montagnes", "une voiture rouge", "la gare"],
    ),
}


def default_corpus(n_lines: int = 800, seed: int = 0) -> list[str]:
    """Short English, Spanish, German, Swahili and French sentences from small phrase lists."""
    rng = random.Random(seed)
    langs = list(_PHRASES)
    lines = []
    for i in range(n_lines):
        subjects, verbs, objects = _PHRASES[langs[i % len(langs)]]
        text = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
        lines.append(text[0].upper() + text[1:] + rng.choice([".", "?", "!"]) + f" {rng.randint(0, 1999)}")
    return lines


def train_sentencepiece(directory: Path, lines: Sequence[str], vocab_size: int) -> Path:
    """Train a unigram sentencepiece model (unk id 0, no bos/eos/pad) on `lines`; returns the `.model` path."""
    import sentencepiece as spm

    directory.mkdir(parents=True, exist_ok=True)
    corpus = directory / "corpus.txt"
    corpus.write_text("\n".join(line.replace("\n", " ") for line in lines) + "\n", encoding="utf-8")
    prefix = directory / "spm"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        unk_id=0,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def _scored_pieces(model_file: Path) -> list[tuple[str, float]]:
    """(piece, score) of every piece after `<unk>`."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_file))
    return [(sp.id_to_piece(i), sp.get_score(i)) for i in range(1, sp.get_piece_size())]


def build_tiny_xlmr(
    out_dir: Path,
    corpus_lines: Iterable[str] | None = None,
    vocab_size: int = 1000,
    *,
    hidden_size: int = 64,
    layers: int = 2,
    heads: int = 4,
    max_positions: int = 514,
    seed: int = 0,
) -> Path:
    """Build and save a random XLM-R-shaped model and its tokenizer under `out_dir`; returns `out_dir`."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizer

    lines = list(corpus_lines) if corpus_lines is not None else []
    lines += default_corpus()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pieces = _scored_pieces(train_sentencepiece(Path(tmp), lines, vocab_size))
    special = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    tokenizer = XLMRobertaTokenizer(vocab=[*special, *pieces, ("<mask>", 0.0)])
    tokenizer.model_max_length = max_positions - 2
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden_size * 4,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    XLMRobertaModel(config, add_pooling_layer=False).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
