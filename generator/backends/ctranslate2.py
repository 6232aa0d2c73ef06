"""CTranslate2 backend: NLLB-200 / M2M100 / OPUS-MT converted models, int8, token batches, GPU replicas."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from generator.backends.base import CallOptions, LoadOptions, length_order
from generator.backends.seq2seq import (
    Family,
    Seq2SeqTranslator,
    decode_ids,
    encode_ids,
    load_tokenizer,
)
from generator.errors import ConfigError, MissingDependencyError

CONVERTER_QUANTIZATIONS = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
TOKENIZER_FILES = (
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.json",
    "vocab.json",
    "sentencepiece.bpe.model",
    "source.spm",
    "target.spm",
    "target_vocab.json",
    "spiece.model",
)


class CT2LoadOptions(LoadOptions):
    """Load-time options of the `ct2` backend: which model, where it runs, how it is threaded."""

    model: str = Field(description="CTranslate2 directory (model.bin) or HF checkpoint (converted once)")
    family: Family | None = Field(default=None, description="nllb, m2m100 or marian; detected when omitted")
    pair: str | None = Field(default=None, description="language pair of a Marian model, e.g. 'en-es'")
    device: Literal["cpu", "cuda", "auto"] = "auto"
    device_index: tuple[int, ...] = Field(default=(0,), description="one replica per GPU index")
    compute_type: str | None = Field(default=None, description="default int8 on cpu, int8_float16 on cuda")
    inter_threads: int | None = Field(
        default=None,
        ge=1,
        description="batches translated in parallel per device; default 1 on cuda, one per CPU core (up to 8) on cpu",
    )
    intra_threads: int = Field(
        default=0, ge=0, description="threads per batch on CPU; 0 = cores / inter_threads on cpu"
    )
    ct2_cache_dir: str | None = Field(default=None, description="where converted models go")


class CT2CallOptions(CallOptions):
    """Call-time options of the `ct2` backend: decoding and batching of one call."""

    beam_size: int = Field(default=2, ge=1, le=16)
    max_batch_size: int | None = Field(
        default=None,
        ge=1,
        le=65536,
        description="batch size in batch_type units; default 4096 tokens (64 examples) on cuda, "
        "512 tokens (16 examples) on cpu, where small batches keep every inter_threads worker busy",
    )
    batch_type: Literal["tokens", "examples"] = "tokens"
    max_decoding_length: int = Field(default=256, ge=1, le=1024)


def _import_ct2() -> Any:
    try:
        import ctranslate2
    except ImportError as exc:
        raise MissingDependencyError("the ct2 backend needs CTranslate2: pip install ctranslate2") from exc
    return ctranslate2


def default_cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "xstilts" / "ct2"


def converted_dir(hf_dir: Path, quantization: str | None, cache_dir: str | None) -> Path:
    """Where the CTranslate2 conversion of `hf_dir` at `quantization` lives."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    key = hashlib.sha256(f"{hf_dir.resolve()}|{quantization or 'float32'}".encode()).hexdigest()[:16]
    return default_cache_root() / key


def ensure_converted(hf_dir: Path, out_dir: Path, quantization: str | None) -> Path:
    """Convert `hf_dir` into `out_dir` once, under a file lock, publishing it by atomic rename."""
    if (out_dir / "model.bin").is_file():
        return out_dir
    ct2 = _import_ct2()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.with_name(out_dir.name + ".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out_dir / "model.bin").is_file():
            return out_dir
        staging = out_dir.with_name(f"{out_dir.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        files = [str(hf_dir / name) for name in TOKENIZER_FILES if (hf_dir / name).is_file()]
        converter = ct2.converters.TransformersConverter(str(hf_dir), copy_files=files)
        converter.convert(str(staging), quantization=quantization, force=True)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.rename(staging, out_dir)
    with contextlib.suppress(OSError):
        lock_path.unlink()
    return out_dir


class CT2Translator(Seq2SeqTranslator[CT2CallOptions]):
    """Translate with a CTranslate2 model; texts go in as one length-sorted, token-counted batch."""

    name = "ct2"
    call_options_model = CT2CallOptions

    def __init__(self, opts: CT2LoadOptions) -> None:
        ct2 = _import_ct2()
        super().__init__(opts.model, opts.family, opts.pair)
        self.opts = opts
        self.device = opts.device
        if self.device == "auto":
            self.device = "cuda" if ct2.get_cuda_device_count() > 0 else "cpu"
        self.compute_type = opts.compute_type or ("int8_float16" if self.device == "cuda" else "int8")
        # On CPU, throughput comes from batches decoded in parallel, one per core, each single-threaded.
        cores = os.cpu_count() or 1
        on_cpu = self.device == "cpu"
        self.inter_threads = opts.inter_threads or (min(cores, 8) if on_cpu else 1)
        self.intra_threads = opts.intra_threads or (max(1, cores // self.inter_threads) if on_cpu else 0)
        self.default_batch = {"tokens": 512 if on_cpu else 4096, "examples": 16 if on_cpu else 64}
        supported = sorted(ct2.get_supported_compute_types(self.device))
        if self.compute_type not in ("auto", "default", *supported):
            raise ConfigError(
                f"compute_type '{self.compute_type}' is not supported on {self.device} here; "
                f"use one of {', '.join(supported)}"
            )
        self.options: dict[str, object] = {"family": self.codes.family, "compute_type": self.compute_type}

    def model_dir(self) -> Path:
        """The CTranslate2 directory in use, converting the HF checkpoint on first use."""
        if (self.source_dir / "model.bin").is_file():
            return self.source_dir
        if not (self.source_dir / "config.json").is_file():
            raise ConfigError(
                f"{self.source_dir} is neither a CTranslate2 directory (model.bin) nor a Hugging Face "
                "checkpoint (config.json); point model= at a directory holding one of them"
            )
        quantization = self.compute_type if self.compute_type in CONVERTER_QUANTIZATIONS else None
        target = converted_dir(self.source_dir, quantization, self.opts.ct2_cache_dir)
        return ensure_converted(self.source_dir, target, quantization)

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._model is None:
                ct2 = _import_ct2()
                directory = self.model_dir()
                self._tokenizer = load_tokenizer(directory)
                self._model = ct2.Translator(
                    str(directory),
                    device=self.device,
                    device_index=list(self.opts.device_index),
                    compute_type=self.compute_type,
                    inter_threads=self.inter_threads,
                    intra_threads=self.intra_threads,
                )
        return self._model, self._tokenizer

    def _translate(self, texts: list[str], src: str, tgt: str, call: CT2CallOptions) -> list[str]:
        model, tokenizer = self._load()
        with self._lock:
            ids = encode_ids(tokenizer, self.codes, texts, src)
        tokens = [tokenizer.convert_ids_to_tokens(row) for row in ids]
        order = length_order(tokens)
        prefix_token = self.codes.target_token(tgt)
        results = model.translate_batch(
            [tokens[i] for i in order],
            target_prefix=[[prefix_token]] * len(order) if prefix_token else None,
            beam_size=call.beam_size,
            max_batch_size=call.max_batch_size or self.default_batch[call.batch_type],
            batch_type=call.batch_type,
            max_decoding_length=call.max_decoding_length,
        )
        out = ["" for _ in texts]
        for i, result in zip(order, results, strict=True):
            out[i] = decode_ids(tokenizer, tokenizer.convert_tokens_to_ids(result.hypotheses[0]))
        return out
