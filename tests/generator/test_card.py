from pathlib import Path

from generator.card import CARD, render_card
from generator.example import Answer, Example
from generator.shards import Manifest, ShardStore, histogram


def _example(i: int, projection: str, confidence: float) -> Example:
    ex = Example(id=str(i), task="squad", kind="qa", lang="es", context="Hola mundo.", question="¿Qué?")
    ex.answers = [Answer("mundo", 5)]
    ex.method, ex.projection, ex.confidence = "translate", projection, confidence
    return ex


def test_card_is_written_beside_the_manifest_without_server_paths(tmp_path: Path) -> None:
    config = {
        "task": "squad",
        "input": "/srv/private/data/xquad.en.json",
        "langs": ["es"],
        "methods": ["translate"],
        "input_rows": 3,
        "projection": {"method": "auto", "encoder": "/srv/models/me5-small", "encoder_layer": 8},
    }
    backend = {
        "name": "apertium",
        "model_id": "/opt/apertium/eng-spa",
        "lexicons": {"sw": "/usr/share/x.index"},
    }
    store = ShardStore(tmp_path, config, backend)
    examples = [_example(0, "marker", 1.0), _example(1, "encoder-align", 0.55)]
    store.write(
        "squad",
        "es",
        "translate",
        0,
        examples,
        input_rows=3,
        drops={"low_quality": 1},
        qe={"cosine": histogram([0.91, 0.2])},
    )
    card = (tmp_path / CARD).read_text(encoding="utf-8")
    assert "/srv" not in card and "/opt" not in card and "/usr" not in card
    assert "`xquad.en.json` (3 rows" in card and "encoder `me5-small` layer 8" in card
    assert "| squad | es | translate | 3 | 2 | 1 | low_quality 1 |" in card
    assert "encoder-align 1, marker 1" in card
    assert "| squad | es | translate | cosine | 2 |" in card
    assert "CC BY-SA 4.0" in card and "MIT" in card
    assert 'load_dataset("parquet"' in card and "read_parquet" in card


def test_histogram_closes_the_last_bin() -> None:
    assert histogram([0.0, 0.05, 0.5, 1.0], bins=4) == [2, 0, 1, 1]


def test_card_of_an_empty_manifest() -> None:
    assert "No quality estimation was run" in render_card(Manifest())


def test_inspect_lines_show_projection_and_qe_distributions(tmp_path: Path) -> None:
    from generator.card import distribution_lines

    store = ShardStore(tmp_path, {"task": "squad", "langs": ["es"]}, {})
    store.write(
        "squad",
        "es",
        "translate",
        0,
        [_example(0, "fuzzy", 0.75)],
        input_rows=1,
        qe={"cosine": histogram([0.85])},
    )
    lines = distribution_lines(store.manifest)
    assert lines[0] == "squad/es/translate projection: fuzzy 1; confidence % per tenth: 0 0 0 0 0 0 0 100 0 0"
    assert lines[1] == "squad/es/translate QE cosine: 1 scored, % per tenth: 0 0 0 0 0 0 0 0 100 0"
