"""Reference backend: Hugging Face `generate` on a seq2seq checkpoint (NLLB, M2M100, Marian)."""

from __future__ import annotations

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

# `from_pretrained` takes `dtype=` from transformers 4.56 on; earlier versions read `torch_dtype=` and
# silently ignore `dtype=`, which would load float32 weights when float16 was asked for.
DTYPE_KEYWORD_SINCE = (4, 56)


def dtype_argument(dtype: Any, version: str | None = None) -> dict[str, Any]:
    """The `from_pretrained` keyword that sets the weights' dtype in the installed transformers."""
    if version is None:
        import transformers

        version = transformers.__version__
    major_minor = tuple(int(part) for part in version.split(".")[:2])
    return {"dtype" if major_minor >= DTYPE_KEYWORD_SINCE else "torch_dtype": dtype}


class HFLoadOptions(LoadOptions):
    """Load-time options of the `transformers` backend: which checkpoint, where and at what precision."""

    model: str = Field(description="Hugging Face seq2seq checkpoint directory")
    family: Family | None = Field(default=None, description="nllb, m2m100 or marian; detected when omitted")
    pair: str | None = Field(default=None, description="language pair of a Marian model, e.g. 'en-es'")
    device: Literal["cpu", "cuda", "auto"] = "auto"
    dtype: Literal["float32", "float16", "bfloat16"] | None = Field(
        default=None, description="default float32 on cpu, float16 on cuda"
    )


class HFCallOptions(CallOptions):
    """Call-time options of the `transformers` backend: decoding and batching of one call."""

    batch_size: int = Field(default=32, ge=1, le=512, description="sentences per generate call")
    num_beams: int = Field(default=2, ge=1, le=16)
    max_new_tokens: int = Field(default=256, ge=1, le=1024)


def _import_torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "the transformers backend needs torch and transformers: pip install torch transformers"
        ) from exc
    return torch


class HFTranslator(Seq2SeqTranslator[HFCallOptions]):
    """Translate with `AutoModelForSeq2SeqLM.generate`, in length-sorted batches under inference mode."""

    name = "transformers"
    call_options_model = HFCallOptions

    def __init__(self, opts: HFLoadOptions) -> None:
        torch = _import_torch()
        super().__init__(opts.model, opts.family, opts.pair)
        self.opts = opts
        self.device = opts.device
        if self.device == "auto":
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ConfigError("device 'cuda' asked for but torch sees no CUDA GPU; use device='cpu'")
        self.dtype = opts.dtype or ("float16" if self.device == "cuda" else "float32")
        if self.device == "cpu" and self.dtype == "float16":
            raise ConfigError("float16 generation is not supported on cpu; use dtype='float32'")
        self.options: dict[str, object] = {"family": self.codes.family, "dtype": self.dtype}

    def close(self) -> None:
        super().close()
        if self.device == "cuda":
            _import_torch().cuda.empty_cache()

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            torch = _import_torch()
            from transformers import AutoModelForSeq2SeqLM

            self._tokenizer = load_tokenizer(self.source_dir)
            model = AutoModelForSeq2SeqLM.from_pretrained(
                str(self.source_dir), **dtype_argument(getattr(torch, self.dtype))
            )
            self._model = model.to(self.device).eval()
        return self._model, self._tokenizer

    def _translate(self, texts: list[str], src: str, tgt: str, call: HFCallOptions) -> list[str]:
        torch = _import_torch()
        with self._lock:
            model, tokenizer = self._load()
            ids = encode_ids(tokenizer, self.codes, texts, src)
            prefix = self.codes.target_token(tgt)
            extra: dict[str, Any] = {}
            if prefix:
                extra["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(prefix)
            order = length_order(ids)
            out = ["" for _ in texts]
            pad = tokenizer.pad_token_id
            for start in range(0, len(order), call.batch_size):
                chunk = order[start : start + call.batch_size]
                width = max(len(ids[i]) for i in chunk)
                input_ids = torch.full((len(chunk), width), pad, dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for row, i in enumerate(chunk):
                    input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                    mask[row, : len(ids[i])] = 1
                with torch.inference_mode():
                    generated = model.generate(
                        input_ids=input_ids.to(self.device),
                        attention_mask=mask.to(self.device),
                        num_beams=call.num_beams,
                        do_sample=False,
                        max_new_tokens=call.max_new_tokens,
                        **extra,
                    )
                for i, row_ids in zip(chunk, generated.tolist(), strict=True):
                    out[i] = decode_ids(tokenizer, row_ids)
            return out
