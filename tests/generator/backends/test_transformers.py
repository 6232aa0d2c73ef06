from __future__ import annotations

from pathlib import Path

import pytest

from generator.backends.ctranslate2 import CT2CallOptions
from generator.backends.registry import create_translator
from generator.backends.transformers import HFCallOptions, dtype_argument
from generator.errors import ConfigError
from tests.tiny_models import convert_ct2

TEXTS = [
    "The house is near the market.",
    "",
    "A teacher walks to the school and the station and the mountains.",
    "Mzee",
    "Our city remembers a red car.",
]
GREEDY_CT2 = CT2CallOptions(beam_size=1, max_decoding_length=10)


def test_marian_translates_in_order(tiny_marian_dir: Path) -> None:
    translator = create_translator("transformers", model=str(tiny_marian_dir), device="cpu")
    short = HFCallOptions(max_new_tokens=8)
    out = translator.translate(TEXTS, "en", "es", short)
    assert len(out) == len(TEXTS) and out[1] == ""
    single = [translator.translate([text], "en", "es", short)[0] for text in TEXTS]
    assert single == out
    with pytest.raises(ConfigError, match="supports pairs en->es"):
        translator.translate(TEXTS, "es", "en")


def test_float16_on_cpu_is_refused(tiny_marian_dir: Path) -> None:
    with pytest.raises(ConfigError, match="use dtype='float32'"):
        create_translator("transformers", model=str(tiny_marian_dir), device="cpu", dtype="float16")


@pytest.mark.parametrize("batch_size", [1, 2, 32])
def test_ct2_and_transformers_agree_greedy_fp32_m2m100(
    tiny_m2m100_dir: Path, tiny_m2m100_ct2_dir: Path, batch_size: int
) -> None:
    hf = create_translator("transformers", model=str(tiny_m2m100_dir), device="cpu")
    ct2 = create_translator("ct2", model=str(tiny_m2m100_ct2_dir), device="cpu", compute_type="float32")
    hf_call = HFCallOptions(num_beams=1, max_new_tokens=10, batch_size=batch_size)
    for tgt in ("es", "sw"):
        assert hf.translate(TEXTS, "en", tgt, hf_call) == ct2.translate(TEXTS, "en", tgt, GREEDY_CT2)


def test_dtype_keyword_follows_the_transformers_version() -> None:
    assert dtype_argument("bf16", "4.45.2") == {"torch_dtype": "bf16"}
    assert dtype_argument("bf16", "4.56.0") == {"dtype": "bf16"}
    assert dtype_argument("bf16", "5.0.0rc1") == {"dtype": "bf16"}


def test_the_loaded_weights_have_the_asked_dtype(tiny_marian_dir: Path) -> None:
    import torch

    translator = create_translator("transformers", model=str(tiny_marian_dir), device="cpu", dtype="bfloat16")
    assert translator.translate(
        ["The house is near the market."], "en", "es", HFCallOptions(max_new_tokens=4)
    )
    model, _ = translator._load()
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}


def test_ct2_and_transformers_agree_greedy_fp32_nllb(tiny_nllb_dir: Path, tmp_path: Path) -> None:
    hf = create_translator("transformers", model=str(tiny_nllb_dir), device="cpu")
    assert hf.options["family"] == "nllb"
    ct2_dir = convert_ct2(tiny_nllb_dir, tmp_path / "ct2")
    ct2 = create_translator("ct2", model=str(ct2_dir), device="cpu", compute_type="float32")
    hf_call = HFCallOptions(num_beams=1, max_new_tokens=10, batch_size=2)
    for tgt in ("es", "sw", "yo"):
        out = hf.translate(TEXTS, "en", tgt, hf_call)
        assert sum(1 for text in out if text) >= 3, "the random model writes words, not only codes"
        assert out == ct2.translate(TEXTS, "en", tgt, GREEDY_CT2)


def test_ct2_and_transformers_agree_greedy_fp32_marian(tiny_marian_dir: Path, tmp_path: Path) -> None:
    hf = create_translator("transformers", model=str(tiny_marian_dir), device="cpu")
    ct2 = create_translator(
        "ct2",
        model=str(tiny_marian_dir),
        device="cpu",
        compute_type="float32",
        ct2_cache_dir=str(tmp_path / "ct2"),
    )
    hf_call = HFCallOptions(num_beams=1, max_new_tokens=10)
    assert hf.translate(TEXTS, "en", "es", hf_call) == ct2.translate(TEXTS, "en", "es", GREEDY_CT2)
