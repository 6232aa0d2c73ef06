from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import ShardError
from generator.example import Answer, Example, Switch
from generator.shards import (
    SCHEMA_VERSION,
    ShardStore,
    iter_examples,
    load_manifest,
    read_shard,
    verify,
    write_shard,
)


def _examples(n: int = 5) -> list[Example]:
    return [
        Example(
            id=f"q{i}",
            task="squad",
            kind="qa",
            lang="es",
            title="Título",
            context=f"El contexto número {i} con respuesta.",
            question=f"¿Pregunta {i}?",
            answers=[Answer(text="respuesta", start=27 + len(str(i)))],
            meta={"source_id": f"q{i}", "note": "ñ"},
            method="translate",
            projection="marker",
            confidence=0.9,
            switched=[Switch(source="house", target="casa", lang="es")] if i % 2 else [],
        )
        for i in range(n)
    ]


def test_shard_round_trip_equals_input(tmp_path: Path) -> None:
    examples = _examples()
    info = write_shard(
        tmp_path, "squad", "es", "translate", 0, examples, input_rows=6, drops={"lost_span": 1}
    )
    assert info.path == "squad/es/translate-00000.parquet"
    assert info.rows == 5 and info.drops == {"lost_span": 1}
    assert read_shard(tmp_path / info.path, info.sha256) == examples


def test_hf_datasets_loads_a_shard_untouched(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    examples = _examples()
    info = write_shard(tmp_path, "squad", "es", "translate", 0, examples, input_rows=5)
    ds = datasets.load_dataset(
        "parquet", data_files=str(tmp_path / info.path), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert len(ds) == len(examples)
    for row, ex in zip(ds, examples, strict=True):
        assert row["id"] == ex.id and row["context"] == ex.context
        assert row["answers"] == [{"text": a.text, "start": a.start} for a in ex.answers]
        assert json.loads(row["meta"]) == ex.meta


def test_flipped_byte_is_reported_with_the_file_name(tmp_path: Path) -> None:
    store = ShardStore(tmp_path, config={}, backend={})
    info = store.write("squad", "es", "translate", 0, _examples(), input_rows=5)
    path = tmp_path / info.path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ShardError, match=r"translate-00000\.parquet: checksum mismatch"):
        list(iter_examples(tmp_path))
    assert any("checksum mismatch" in p for p in verify(tmp_path))


def test_truncated_shard_is_refused(tmp_path: Path) -> None:
    info = write_shard(tmp_path, "squad", "es", "translate", 0, _examples(), input_rows=5)
    path = tmp_path / info.path
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ShardError, match="not a readable Parquet shard"):
        read_shard(path)


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    ShardStore(tmp_path, config={}, backend={}).finish()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ShardError, match="schema version"):
        load_manifest(tmp_path)


def test_store_resumes_and_refuses_a_second_write(tmp_path: Path) -> None:
    store = ShardStore(tmp_path, config={"task": "squad"}, backend={"name": "apertium"})
    store.write("squad", "es", "translate", 0, _examples(3), input_rows=4, drops={"copy": 1})
    reopened = ShardStore(tmp_path, config={"task": "squad"}, backend={"name": "apertium"})
    assert reopened.is_done("squad", "es", "translate", 0)
    assert not reopened.is_done("squad", "es", "translate", 1)
    with pytest.raises(ShardError, match="already finished"):
        reopened.write("squad", "es", "translate", 0, _examples(3), input_rows=4)
    reopened.write("squad", "es", "translate", 1, _examples(2), input_rows=2)
    manifest = reopened.finish()
    assert manifest.complete
    assert manifest.rows() == {"squad/es/translate": 5}
    assert manifest.drops() == {"squad/es/translate": {"copy": 1}}
    assert len(list(iter_examples(tmp_path, lang="es"))) == 5
    assert verify(tmp_path) == []


def test_unlisted_and_missing_shards_are_problems(tmp_path: Path) -> None:
    store = ShardStore(tmp_path, config={}, backend={})
    info = store.write("squad", "es", "translate", 0, _examples(2), input_rows=2)
    write_shard(tmp_path, "squad", "es", "translate", 7, _examples(1), input_rows=1)
    (tmp_path / info.path).unlink()
    problems = verify(tmp_path)
    assert any("translate-00000.parquet: shard file is missing" in p for p in problems)
    assert any("translate-00007.parquet: shard not listed" in p for p in problems)
