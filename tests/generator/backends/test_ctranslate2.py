from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.backends.base import cache_key
from generator.backends.ctranslate2 import CT2CallOptions, ensure_converted
from generator.backends.registry import create_translator
from generator.errors import ConfigError

TEXTS = ["The house is near the market.", "", "A teacher walks to the school and the station.", "Mzee"]
SHORT = CT2CallOptions(max_decoding_length=12)


def test_ct2_dir_m2m100_translates_in_order(tiny_m2m100_ct2_dir: Path) -> None:
    translator = create_translator(
        "ct2", model=str(tiny_m2m100_ct2_dir), device="cpu", compute_type="float32"
    )
    assert translator.languages() is None
    assert {"en", "es", "sw"} <= set(translator.supported_languages())
    out = translator.translate(TEXTS, "en", "es", SHORT)
    assert len(out) == len(TEXTS)
    assert out[1] == ""
    assert all(out[i] for i in (0, 2, 3))
    single = [translator.translate([text], "en", "es", SHORT)[0] for text in TEXTS]
    assert single == out
    assert translator.translate(["", " "], "en", "es", SHORT) == ["", ""]


def test_target_language_changes_the_output(tiny_m2m100_ct2_dir: Path) -> None:
    translator = create_translator(
        "ct2", model=str(tiny_m2m100_ct2_dir), device="cpu", compute_type="float32"
    )
    to_es = translator.translate(TEXTS, "en", "es", SHORT)
    to_sw = translator.translate(TEXTS, "en", "sw", SHORT)
    assert to_es != to_sw


def test_hf_dir_converts_once_into_the_cache(tiny_marian_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "converted"
    short = CT2CallOptions(max_decoding_length=10)
    translator = create_translator("ct2", model=str(tiny_marian_dir), device="cpu", ct2_cache_dir=str(cache))
    assert translator.languages() == [("en", "es")]
    out = translator.translate(["The house is near the market.", "", "Mzee"], "en", "es", short)
    assert len(out) == 3 and out[1] == "" and out[0]
    assert (cache / "model.bin").is_file()
    assert (cache / "source.spm").is_file()
    stamp = (cache / "model.bin").stat().st_mtime_ns
    again = create_translator("ct2", model=str(tiny_marian_dir), device="cpu", ct2_cache_dir=str(cache))
    assert again.translate(["The house is near the market."], "en", "es", short) == out[:1]
    assert (cache / "model.bin").stat().st_mtime_ns == stamp


def _convert(args: tuple[str, str]) -> str:
    return str(ensure_converted(Path(args[0]), Path(args[1]), "int8"))


def test_concurrent_conversions_publish_one_directory(tiny_marian_dir: Path, tmp_path: Path) -> None:
    # flock locks belong to each open file, so two threads contend exactly like two processes.
    out = tmp_path / "shared-cache"
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(_convert, [(str(tiny_marian_dir), str(out))] * 3))
    assert results == [str(out)] * 3
    assert (out / "model.bin").is_file()
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_unsupported_pair_names_the_supported_one(tiny_marian_dir: Path) -> None:
    translator = create_translator("ct2", model=str(tiny_marian_dir), device="cpu")
    assert not translator.supports("en", "sw")
    with pytest.raises(ConfigError, match=r"cannot translate en->sw; it supports pairs en->es"):
        translator.translate(["hello"], "en", "sw")


def test_unknown_language_is_refused_with_the_list(tiny_m2m100_ct2_dir: Path) -> None:
    translator = create_translator("ct2", model=str(tiny_m2m100_ct2_dir), device="cpu")
    assert not translator.supports("en", "qu")
    with pytest.raises(ConfigError, match=r"en->qu; it supports any pair among .*\bes\b"):
        translator.translate(["hello"], "en", "qu")


def test_missing_model_path_says_how_to_convert(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ct2-transformers-converter --model PATH --output_dir OUT"):
        create_translator("ct2", model=str(tmp_path / "absent"))


def test_unsupported_compute_type_lists_the_supported(tiny_m2m100_ct2_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"compute_type 'float16' is not supported on cpu.*int8"):
        create_translator("ct2", model=str(tiny_m2m100_ct2_dir), device="cpu", compute_type="float16")


def test_family_from_tokenizer_needs_tokenizer_files(tiny_m2m100_ct2_dir: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("model.bin", "config.json", "shared_vocabulary.json"):
        shutil.copy(tiny_m2m100_ct2_dir / name, bare / name)
    with pytest.raises(ConfigError, match="pass family="):
        create_translator("ct2", model=str(bare))
    translator = create_translator("ct2", model=str(bare), family="m2m100", device="cpu")
    with pytest.raises(ConfigError, match="no usable tokenizer"):
        translator.translate(["hello"], "en", "es")


def test_options_used_in_cache_keys(tiny_m2m100_ct2_dir: Path) -> None:
    translator = create_translator("ct2", model=str(tiny_m2m100_ct2_dir), device="cpu")
    assert translator.options == {"family": "m2m100", "compute_type": "int8"}
    assert translator.model_id == str(tiny_m2m100_ct2_dir.resolve())
    beam3 = cache_key(translator, CT2CallOptions(beam_size=3), "en", "es")
    assert cache_key(translator, None, "en", "es") == cache_key(translator, CT2CallOptions(), "en", "es")
    assert beam3 != cache_key(translator, None, "en", "es")
    assert '"beam_size":3' in beam3.options_json and '"compute_type":"int8"' in beam3.options_json


def test_batch_options_keep_the_output(tiny_m2m100_ct2_dir: Path) -> None:
    translator = create_translator(
        "ct2", model=str(tiny_m2m100_ct2_dir), device="cpu", compute_type="float32"
    )
    by_examples = CT2CallOptions(max_decoding_length=12, batch_type="examples", max_batch_size=1)
    assert translator.translate(TEXTS, "en", "es", by_examples) == translator.translate(
        TEXTS, "en", "es", SHORT
    )


def test_close_releases_the_model(tiny_m2m100_ct2_dir: Path) -> None:
    translator = create_translator(
        "ct2", model=str(tiny_m2m100_ct2_dir), device="cpu", compute_type="float32"
    )
    first = translator.translate(TEXTS[:1], "en", "es", SHORT)
    assert translator._model is not None
    translator.close()
    assert translator._model is None and translator._tokenizer is None
    assert translator.translate(TEXTS[:1], "en", "es", SHORT) == first


def _readme_converter_command() -> str:
    """The README's `ct2-transformers-converter` command, continuation lines joined."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ct2-transformers-converter "))
    command = []
    for line in lines[start:]:
        command.append(line.rstrip("\\").strip())
        if not line.endswith("\\"):
            break
    return " ".join(command)


@pytest.mark.slow
def test_readme_conversion_command_gives_a_folder_the_backend_loads(
    tiny_nllb_dir: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    command = _readme_converter_command()
    assert "--copy_files" in command
    command = command.replace("/models/nllb-200-distilled-600M-ct2", str(tmp_path / "ct2"))
    command = command.replace("/models/nllb-200-distilled-600M", str(tiny_nllb_dir))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    translator = create_translator("ct2", model=str(tmp_path / "ct2"), device="cpu")
    assert translator.options["family"] == "nllb"
    out = translator.translate(["The house is near the market.", "", "Mzee"], "en", "sw", SHORT)
    assert out[1] == "" and out[0] and out[2]
