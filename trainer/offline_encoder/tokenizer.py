"""The XLM-R tokenizer of the model file: its Unigram pieces and its exact normalisation table.

The file's table maps single codepoints to replacements (SentencePiece `nmt_nfkc` as the engine
applies it). SentencePiece compiles such a table into the "precompiled charsmap" the `tokenizers`
`Precompiled` normaliser reads when a model is trained with `normalization_rule_tsv`, so a throwaway
character model is trained on the table and only its charsmap is kept.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from trainer.offline_encoder.bin_format import Vocabulary


def rules_tsv(normalisation: dict[int, tuple[int, ...]]) -> str:
    """SentencePiece's rule TSV: source codepoint, tab, replacement codepoints (hex; empty: delete)."""
    return "".join(
        f"{cp:X}\t{' '.join(f'{c:X}' for c in rep)}\n" for cp, rep in sorted(normalisation.items())
    )


def precompiled_charsmap(normalisation: dict[int, tuple[int, ...]]) -> bytes:
    """The table compiled by SentencePiece's own normaliser builder."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text(rules_tsv(normalisation), encoding="utf-8")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["a b c d e f g h"] * 20),
            model_writer=model,
            model_type="char",
            vocab_size=12,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(tsv),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()  # type: ignore[attr-defined]
    proto.ParseFromString(model.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def apply_table(text: str, normalisation: dict[int, tuple[int, ...]]) -> str:
    """`text` with the table applied codepoint by codepoint, as the engine does."""
    return "".join(
        "".join(map(chr, normalisation[ord(ch)])) if ord(ch) in normalisation else ch for ch in text
    )


def build_tokenizer(vocabulary: Vocabulary, max_length: int) -> Any:
    """An `XLMRobertaTokenizer` over the file's pieces with the file's normalisation."""
    from tokenizers import normalizers
    from transformers import XLMRobertaTokenizer

    tokenizer = XLMRobertaTokenizer(vocab=vocabulary.pieces)
    tokenizer.backend_tokenizer.normalizer = normalizers.Precompiled(
        precompiled_charsmap(vocabulary.normalisation)
    )
    tokenizer.model_max_length = max_length
    special = {"bos": vocabulary.bos, "eos": vocabulary.eos, "pad": vocabulary.pad, "unk": vocabulary.unk}
    for name, wanted in special.items():
        got = getattr(tokenizer, f"{name}_token_id")
        if got != wanted:
            raise ValueError(f"tokenizer {name} id {got}, the model file says {wanted}")
    return tokenizer
