"""Tatoeba on the imported multilingual-e5-small by its recorded protocol: the real model's accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.errors import ConfigError
from tests.conftest import shared_file
from trainer.offline_encoder.importer import MARKER
from trainer.offline_encoder.protocol import EmbeddingProtocol, read_protocol, tatoeba_of_pretrained
from xstilts.cli import app


def test_a_folder_without_an_import_record_gets_the_xtreme_protocol(tmp_path: Path) -> None:
    assert read_protocol(tmp_path) == EmbeddingProtocol(prefix="", layer=None)
    (tmp_path / MARKER).write_text(json.dumps({"protocol": {"prefix": "query: ", "layer": 12}}))
    assert read_protocol(tmp_path) == EmbeddingProtocol(prefix="query: ", layer=12)


def test_a_missing_model_folder_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="xstilts models import"):
        tatoeba_of_pretrained(tmp_path / "none", tmp_path, ["deu"], protocol=EmbeddingProtocol())


@pytest.mark.slow
def test_me5_small_retrieves_tatoeba_translations(me5_small: Path) -> None:
    data = shared_file("tatoeba")
    result = CliRunner().invoke(
        app,
        [
            "models",
            "tatoeba",
            str(me5_small),
            "--data",
            str(data),
            "--langs",
            "deu,spa,swh",
            "--max-pairs",
            "300",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "prefix 'query: ', layer 12" in result.output
    means = json.loads(result.output.strip().splitlines()[-1])
    # Mean of both directions; a random model of the same shape scores 3.5-7.8 %.
    assert means["deu"] >= 95 and means["spa"] >= 89 and means["swh"] >= 70, means
