"""The E5S1 reader: Q4_0 dequantisation by hand, and files that are not the format."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from generator.errors import InputError
from trainer.offline_encoder.bin_format import E5File, dequantise_q4_0


def _block(scale: float, weights: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then weight j in the low nibble and weight j + 16 in the high one."""
    nibbles = [w + 8 for w in weights]
    body = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + body


def test_dequantise_q4_0_nibble_order_and_scale() -> None:
    first = list(range(-8, 8)) + list(range(7, -9, -1))
    second = [3] * 32
    raw = np.frombuffer(_block(0.5, first) + _block(-2.0, second), dtype=np.uint8)
    out = dequantise_q4_0(raw)
    assert out.dtype == np.float32 and out.shape == (64,)
    np.testing.assert_array_equal(out[:32], np.array(first, dtype=np.float32) * 0.5)
    np.testing.assert_array_equal(out[32:], np.full(32, -6.0, dtype=np.float32))


def test_unknown_block_size() -> None:
    with pytest.raises(InputError, match="block size"):
        dequantise_q4_0(np.zeros(18, dtype=np.uint8), block=64)


def test_wrong_magic(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(64))
    with pytest.raises(InputError, match="not an E5S1 v1 file"):
        E5File(path)


def test_truncated_header(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"E5S1" + struct.pack("<I", 1) + struct.pack("<3i", 384, 12, 12))
    with pytest.raises(InputError, match="truncated"):
        E5File(path)


def test_wheel_file_reads(me5_small: Path) -> None:
    from trainer.offline_encoder.importer import wheel_model_file

    model = E5File(wheel_model_file()[0])
    assert (model.shape.hidden, model.shape.layers, model.shape.vocab) == (384, 12, 250037)
    voc = model.vocabulary
    assert (voc.bos, voc.pad, voc.eos, voc.unk) == (0, 1, 2, 3)
    assert voc.pieces[250001][0] == "<mask>" and len(voc.normalisation) == 4837
    pos = model.tensor("emb.pos", (512, 384))
    assert pos.dtype == np.float32 and np.isfinite(pos).all()
    with pytest.raises(InputError, match="expected"):
        model.tensor("emb.pos", (511, 384))
    with pytest.raises(InputError, match="missing"):
        model.tensor("pooler.w", (384, 384))
