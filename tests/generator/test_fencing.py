"""Fenced writes: a superseded or lost lease publishes nothing; manifest updates merge, never drop shards."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator.errors import ShardError
from generator.example import Example
from generator.fencing import FENCE, Fence, FencedWriter, LeaseLost, sweep_temporaries
from generator.shards import ShardStore, load_manifest, verify


def _examples(n: int, start: int = 0) -> list[Example]:
    return [
        Example(id=f"q{i}", task="squad", kind="pair", text_a=f"text {i}") for i in range(start, start + n)
    ]


def test_a_newer_token_fences_out_an_older_writer(tmp_path: Path) -> None:
    FencedWriter(tmp_path, Fence(2)).publish("a.txt", b"new")
    with pytest.raises(LeaseLost, match="superseded by lease 2"):
        FencedWriter(tmp_path, Fence(1)).publish("a.txt", b"old")
    assert (tmp_path / "a.txt").read_bytes() == b"new"
    assert (tmp_path / FENCE).read_text() == "2"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("check", [lambda: False, lambda: 1 / 0])
def test_a_lost_or_unverifiable_lease_writes_nothing(tmp_path: Path, check: object) -> None:
    writer = FencedWriter(tmp_path, Fence(1, check))  # type: ignore[arg-type]
    with pytest.raises(LeaseLost):
        writer.publish("a.txt", b"x")
    with pytest.raises(LeaseLost):
        writer.update("b.txt", lambda _: b"y")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]


def test_update_is_read_modify_write(tmp_path: Path) -> None:
    writer = FencedWriter(tmp_path)
    writer.update("n", lambda current: b"1" if current is None else str(int(current) + 1).encode())
    assert writer.update("n", lambda current: str(int(current or b"0") + 1).encode()) == b"2"


def test_a_stale_store_merges_and_cannot_uncomplete_the_manifest(tmp_path: Path) -> None:
    planned = [("squad", "es", "translate", k) for k in range(3)]
    stale = ShardStore(tmp_path, {}, {}, Fence(1))
    stale.write("squad", "es", "translate", 0, _examples(2), input_rows=2)
    newer = ShardStore(tmp_path, {}, {}, Fence(2))
    for k in (1, 2):
        newer.write("squad", "es", "translate", k, _examples(2, 2 * k), input_rows=2)
    assert newer.finish(planned).complete
    with pytest.raises(LeaseLost):
        stale.write("squad", "es", "translate", 1, _examples(1, 9), input_rows=2)
    with pytest.raises(LeaseLost):
        stale.finish(planned)
    manifest = load_manifest(tmp_path)
    assert manifest.complete and [s.index for s in manifest.shards] == [0, 1, 2]
    assert verify(tmp_path) == []


def test_two_writers_of_one_token_keep_each_others_shards(tmp_path: Path) -> None:
    one, two = ShardStore(tmp_path, {}, {}), ShardStore(tmp_path, {}, {})
    one.write("squad", "es", "translate", 0, _examples(1), input_rows=1)
    two.write("squad", "es", "translate", 1, _examples(1, 1), input_rows=1)
    assert [s.index for s in load_manifest(tmp_path).shards] == [0, 1]
    with pytest.raises(ShardError, match="planned shards are not in the manifest"):
        two.finish([("squad", "es", "translate", k) for k in range(3)])
    assert not load_manifest(tmp_path).complete


def test_sweep_removes_only_old_temporaries(tmp_path: Path) -> None:
    old, fresh = tmp_path / "a" / ".x.parquet.1.2.tmp", tmp_path / ".manifest.json.3.4.tmp"
    old.parent.mkdir()
    for path in (old, fresh):
        path.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert sweep_temporaries(tmp_path, min_age_s=600) == [old]
    assert fresh.exists() and not old.exists()
