"""The paper config validates against the real XTREME-R download in ../shared/data/xtreme-r, and the
same config pointed at the download's label-free test files is refused before anything trains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import ConfigError
from tests.conftest import SHARED_DATA, shared_file
from trainer.config.loading import parse_experiment

PAPER = Path(__file__).resolve().parents[2] / "trainer" / "configs" / "xlmr_large_paper.yaml"


def data_root(tmp_path: Path) -> Path:
    """/data as the paper config expects it: XTREME-R's download (its real outputs in reference/ over
    the rebuilt download/), deepmind/xquad, TyDiQA-GoldP dev by language and LASER's Tatoeba."""
    xtreme_r = shared_file("xtreme-r")
    root = tmp_path / "data"
    for base in (xtreme_r / "download", xtreme_r / "reference"):
        for path in base.rglob("*"):
            if path.is_file():
                link = root / "xtreme-r" / path.relative_to(base)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.unlink(missing_ok=True)
                link.symlink_to(path)
    for name, target in (("xquad", SHARED_DATA / "xquad"), ("tydiqa", xtreme_r / "raw" / "tydiqa"),
                         ("tatoeba", SHARED_DATA / "tatoeba")):  # fmt: skip
        (root / name).symlink_to(target)
    return root


def paper(root: Path, edit: dict[str, str] | None = None) -> dict[str, Any]:
    """The paper config's targets and retrieval with /data at `root` (its English intermediate files
    are not in ../shared/data under these names)."""
    text = PAPER.read_text(encoding="utf-8")
    for old, new in (edit or {}).items():
        assert old in text
        text = text.replace(old, new)
    raw = yaml.safe_load(text.replace("/data/", f"{root}/"))
    raw.pop("intermediate")
    # Files a full download has but the shared rebuild leaves out (SQuAD dev, Social IQa v1.4 train,
    # Mewsli-X's candidate set and Wikipedia pairs): the entries that read them are dropped here.
    targets = {t["name"]: t for t in raw["targets"]}
    del targets["xquad"]["dev"], targets["xcopa"]["before"]
    raw["retrieval"] = [r for r in raw["retrieval"] if r["task"] != "mewslix"]
    return raw


@pytest.mark.slow
def test_paper_config_evaluates_every_language_the_shared_download_has_gold_for(tmp_path: Path) -> None:
    root = data_root(tmp_path)
    exp = parse_experiment(paper(root), PAPER.parent, check_device=False)
    langs = {t.name: sorted(t.eval_files()) for t in exp.targets}
    assert len(langs["xnli"]) == 15 and len(langs["panx"]) == 48 and len(langs["xcopa"]) == 11
    assert langs["pawsx"] == ["de", "en", "es", "fr", "ja", "ko", "zh"]
    assert langs["udpos"] == ["de", "en", "eu", "wo"]
    assert langs["xquad"] == ["de", "el", "en", "ru"]
    assert langs["mlqa"] == ["ar", "de", "en", "es", "hi", "vi", "zh"]
    assert langs["tydiqa"] == ["ar", "bn", "en", "fi", "id", "ko", "ru", "sw", "te"]


@pytest.mark.slow
def test_the_download_files_without_gold_are_refused_with_where_the_gold_is(tmp_path: Path) -> None:
    root = data_root(tmp_path)
    edit = {
        "xnli/dev-{lang}": "xnli/test-{lang}",
        "panx/dev-{lang}": "panx/test-{lang}",
        "xcopa/val-{lang}": "xcopa/test-{lang}",
        '"/data/xquad/xquad.{lang}.json", layout: raw': '"/data/xtreme-r/xquad/xquad.{lang}.json"',
        "dir: /data/tatoeba": "dir: /data/xtreme-r/tatoeba",
    }
    with pytest.raises(ConfigError) as caught:
        parse_experiment(paper(root, edit), PAPER.parent, check_device=False)
    message = str(caught.value)
    assert message.count("target xnli eval") == 15 and "XNLI-1.0/xnli.test.tsv" in message
    assert message.count("target panx eval") == 48 and "PAN-X.<lang>" in message
    assert message.count("target xcopa eval") == 11 and "test.<lang>.jsonl" in message
    assert message.count("target xquad eval") == 2 and "deepmind/xquad" in message
    assert "retrieval tatoeba" in message and "sorts the English side" in message
    assert f"{15 + 48 + 11 + 2 + 1} problem(s)" in message
