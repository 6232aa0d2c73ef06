"""Model-family handling and the base class shared by the seq2seq backends (NLLB, M2M100, Marian/OPUS-MT)."""

from __future__ import annotations

import json
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from generator.backends.base import (
    CallOptions,
    check_pair,
    resolve_call_options,
    supports_pair,
    translate_nonempty,
)
from generator.backends.langcodes import all_codes, flores_code, m2m100_code
from generator.errors import ConfigError

Family = Literal["nllb", "m2m100", "marian"]
FAMILIES: tuple[Family, ...] = ("nllb", "m2m100", "marian")


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def detect_family(model_dir: Path) -> Family:
    """The family from the checkpoint's `config.json` model_type or its tokenizer class."""
    model_type = str(_read_json(model_dir / "config.json").get("model_type", ""))
    tokenizer_class = str(_read_json(model_dir / "tokenizer_config.json").get("tokenizer_class", ""))
    if model_type == "marian" or tokenizer_class.startswith("Marian"):
        return "marian"
    if model_type == "nllb_moe" or tokenizer_class.startswith("Nllb"):
        return "nllb"
    if model_type == "m2m_100" or tokenizer_class.startswith("M2M100"):
        return "m2m100"
    raise ConfigError(
        f"cannot tell the model family of {model_dir} (config model_type '{model_type}', "
        f"tokenizer class '{tokenizer_class}'); pass family= one of {', '.join(FAMILIES)}"
    )


def marian_pair(model_dir: Path, pair: str | None) -> tuple[str, str]:
    """The single (src, tgt) pair of an OPUS-MT model: explicit, from the tokenizer config or the name."""
    if pair:
        src, sep, tgt = pair.partition("-")
        if not sep or not src or not tgt:
            raise ConfigError(f"pair '{pair}' must look like 'en-es'")
        return src, tgt
    tok = _read_json(model_dir / "tokenizer_config.json")
    known = set(all_codes())
    src, tgt = str(tok.get("source_lang") or ""), str(tok.get("target_lang") or "")
    if src in known and tgt in known:
        return src, tgt
    match = re.search(r"opus-mt-([a-z]{2,3})-([a-z]{2,3})$", model_dir.name)
    if match and match.group(1) in known and match.group(2) in known:
        return match.group(1), match.group(2)
    raise ConfigError(f"cannot tell the language pair of Marian model {model_dir}; pass pair='en-es'")


@dataclass(frozen=True, slots=True)
class FamilyCodes:
    """How one family names languages: the code set on the tokenizer and the target prefix token."""

    family: Family
    pair: tuple[str, str] | None = None

    def backend_code(self, code: str) -> str | None:
        if self.family == "nllb":
            return flores_code(code)
        if self.family == "m2m100":
            return m2m100_code(code)
        return code if self.pair and code in self.pair else None

    def supported_languages(self) -> list[str]:
        if self.pair is not None:
            return list(self.pair)
        return [code for code in all_codes() if self.backend_code(code)]

    def target_token(self, code: str) -> str | None:
        """The token that starts the target side: "spa_Latn" (NLLB), "__es__" (M2M100), none (Marian)."""
        backend = self.backend_code(code)
        if self.family == "nllb":
            return backend
        if self.family == "m2m100":
            return f"__{backend}__"
        return None


def family_codes(model_dir: Path, family: Family | None, pair: str | None) -> FamilyCodes:
    """Resolve family (explicit or detected) and, for Marian, its language pair."""
    resolved = family or detect_family(model_dir)
    return FamilyCodes(resolved, marian_pair(model_dir, pair) if resolved == "marian" else None)


def load_tokenizer(model_dir: Path) -> Any:
    """The HF tokenizer saved with the model; says how to add it when it is missing."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(model_dir))
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"no usable tokenizer in {model_dir} ({exc}); copy the checkpoint's tokenizer files there "
            "(ct2-transformers-converter ... --copy_files tokenizer_config.json vocab.json ...)"
        ) from exc


def encode_ids(tokenizer: Any, codes: FamilyCodes, texts: list[str], src: str) -> list[list[int]]:
    """Token ids with the family's source-language prefix and `</s>`."""
    if codes.family != "marian":
        tokenizer.src_lang = codes.backend_code(src)
    return [list(ids) for ids in tokenizer(texts)["input_ids"]]


def require_model_dir(path: str, backend: str) -> Path:
    """The model directory, or a ConfigError saying how to get one."""
    model_dir = Path(path).expanduser()
    if not model_dir.is_dir():
        raise ConfigError(
            f"{backend}: model path {model_dir} does not exist; point model= at a Hugging Face checkpoint "
            "directory (config.json + tokenizer files) or a CTranslate2 directory made with "
            f"`ct2-transformers-converter --model PATH --output_dir OUT --quantization int8 "
            f"--copy_files tokenizer_config.json vocab.json ...`"
        )
    return model_dir


def decode_ids(tokenizer: Any, ids: list[int]) -> str:
    """Text of generated ids; ids the tokenizer lacks (M2M100's padding "madeup" words) are dropped."""
    known = len(tokenizer)
    return str(tokenizer.decode([i for i in ids if i < known], skip_special_tokens=True))


C = TypeVar("C", bound=CallOptions)


class Seq2SeqTranslator(ABC, Generic[C]):
    """What the seq2seq backends share: model directory, family codes, pair checks, blank-text skipping."""

    name: str
    keeps_markers = False
    options: dict[str, object]
    call_options_model: type[C]

    def __init__(self, model: str, family: Family | None, pair: str | None) -> None:
        self.source_dir = require_model_dir(model, self.name)
        self.model_id = str(self.source_dir.resolve())
        self.codes = family_codes(self.source_dir, family, pair)
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def supported_languages(self) -> list[str]:
        return self.codes.supported_languages()

    def languages(self) -> list[tuple[str, str]] | None:
        return [self.codes.pair] if self.codes.pair else None

    def supports(self, src: str, tgt: str) -> bool:
        return supports_pair(self, src, tgt)

    def translate(
        self, texts: list[str], src: str, tgt: str, options: CallOptions | None = None
    ) -> list[str]:
        call = resolve_call_options(self.call_options_model, options)
        check_pair(self, src, tgt)
        return translate_nonempty(texts, lambda batch: self._translate(batch, src, tgt, call))

    def close(self) -> None:
        """Drop the loaded model and tokenizer (memory is freed once no call still uses them)."""
        with self._lock:
            self._model = None
            self._tokenizer = None

    @abstractmethod
    def _translate(self, texts: list[str], src: str, tgt: str, call: C) -> list[str]:
        """Translate non-blank `texts` of a checked pair with call-time options `call`."""
