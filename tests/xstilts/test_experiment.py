"""The real CPU experiment's driver: its config, the smoke sizes, synthetic data, the model by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import ConfigError
from trainer.config.loading import load_experiment, parse_experiment
from xstilts.experiment import SMOKE_EXAMPLES, SMOKE_SEEDS, generate_synthetic, smoke_config

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "trainer" / "configs" / "cpu_real.yaml"
SHARED = REPO.parent / "shared" / "data"


def _raw() -> dict[str, Any]:
    loaded = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_cpu_real_config_is_the_three_seed_grid_on_the_real_encoder() -> None:
    exp = load_experiment(CONFIG, check_files=False)
    assert exp.model == "me5-small" and exp.pooling == "mean" and exp.seeds == [1, 2, 3]
    assert exp.conditions() == ["baseline", "english", "synthetic"]
    assert exp.hparams.freeze_embeddings
    assert [t.name for t in exp.targets] == ["xquad", "xcopa"]
    assert [s.task for s in exp.targets[1].before] == ["siqa"]
    tatoeba = exp.retrieval[0]
    assert (tatoeba.prefix, tatoeba.layer, tatoeba.max_pairs) == ("query: ", 12, 300)
    assert len(tatoeba.langs or []) >= 12
    # The minimum evaluation sizes: 300 XQuAD questions per language, every XCOPA example.
    assert exp.hparams.max_eval_examples == 300
    # Never trained on XQuAD or the SQuAD v2 sample that overlaps it.
    sources = [str(t.path) for t in exp.intermediate.tasks] if exp.intermediate else []
    sources += [str(t.train) for t in exp.targets] + [str(s.train) for t in exp.targets for s in t.before]
    assert not [s for s in sources if "xquad" in s or "squad_v2" in s]


def test_smoke_config_shrinks_every_size_and_writes_elsewhere() -> None:
    raw = _raw()
    smoke = smoke_config(raw)
    assert smoke["output_dir"] == raw["output_dir"] + "-smoke" and smoke["seeds"] == SMOKE_SEEDS
    assert smoke["hparams"]["max_train_examples"] == SMOKE_EXAMPLES
    assert smoke["hparams"]["max_eval_examples"] == SMOKE_EXAMPLES
    inter = smoke["intermediate"]["tasks"][0]
    assert (inter["max_examples"], inter["skip_examples"]) == (SMOKE_EXAMPLES, SMOKE_EXAMPLES)
    assert smoke["targets"][1]["before"][0]["max_examples"] == SMOKE_EXAMPLES
    assert len(smoke["retrieval"][0]["langs"]) == 3
    assert raw == _raw(), "the full config is left as it was"
    exp = parse_experiment(smoke, CONFIG.parent, check_files=False)
    assert exp.name == "cpu-real-smoke"


def test_synthetic_data_needs_one_intermediate_task_with_synthetic_mixing(tmp_path: Path) -> None:
    raw = _raw()
    raw["intermediate"].pop("synthetic")
    with pytest.raises(ConfigError, match="synthetic data for one intermediate task"):
        generate_synthetic(raw, CONFIG.parent, say=print)


def test_model_by_name_is_the_imported_encoder(
    me5_small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.train_setup import pretrained_path

    monkeypatch.setenv("XSTILTS_CACHE_DIR", str(me5_small.parents[1]))
    raw = {"model": "me5-small", "output_dir": str(tmp_path), "retrieval": [{"task": "tatoeba", "dir": "t"}]}
    assert pretrained_path(parse_experiment(raw, tmp_path, check_files=False)) == str(me5_small)


@pytest.mark.skipif(not (SHARED / "xquad").is_dir(), reason="needs ../shared/data")
def test_cpu_real_config_reads_the_shared_files() -> None:
    exp = load_experiment(CONFIG, check_files=False)
    assert sorted(exp.targets[0].eval_files()) == ["de", "el", "en", "ru"]
    assert len(exp.targets[1].eval_files()) == 11


def test_skip_examples_leaves_out_the_start_of_the_file_and_is_logged() -> None:
    from trainer.reading import DataLog, read_task_data

    squad = REPO / "samples" / "trainer" / "squad.en.json"
    every = read_task_data("squad", squad)
    log = DataLog()
    later = read_task_data("squad", squad, 2, skip=3, log=log)
    assert [e.id for e in later] == [e.id for e in every[3:5]]
    assert (log.reads[0].examples, log.reads[0].skipped) == (2, 3)
