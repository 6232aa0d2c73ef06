"""The XTREME-R language registry: codes, task coverage counts and the tier rule."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from generator.errors import ConfigError
from generator.languages import (
    LANGUAGES,
    TASKS,
    TIERS,
    get_language,
    languages_for_task,
    languages_in_tier,
    parse_languages,
    task_name,
    tier_for,
)

XTREME_R = "af ar az bg bn de el en es et eu fa fi fr gu he hi ht hu id it ja jv ka kk ko lt ml mr ms my nl pa pl pt qu ro ru sw ta te th tl tr uk ur vi wo yo zh"


def _set(spaced: str) -> set[str]:
    return set(spaced.split())


TASK_COUNTS = {
    "xnli": 15,
    "xcopa": 11,
    "udpos": 38,
    "panx": 48,
    "xquad": 12,
    "mlqa": 7,
    "tydiqa": 9,
    "tatoeba": 41,
    "lareqa": 11,
    "mewslix": 11,
}


def test_registry_holds_exactly_the_50_xtreme_r_languages() -> None:
    assert sorted(LANGUAGES) == sorted(XTREME_R.split())
    assert len(LANGUAGES) == 50


@pytest.mark.parametrize(("task", "count"), TASK_COUNTS.items())
def test_task_coverage_matches_xtreme_r(task: str, count: int) -> None:
    assert len(languages_for_task(task)) == count


def test_task_language_sets_from_the_paper() -> None:
    def codes(task: str) -> set[str]:
        return {lang.code for lang in languages_for_task(task)}

    assert codes("xcopa") == _set("et ht id it qu sw ta th tr vi zh")
    assert codes("xquad") == _set("ar de el en es hi ro ru th tr vi zh")
    assert codes("mlqa") == _set("ar de en es hi vi zh")
    assert codes("tydiqa") == _set("ar bn en fi id ko ru sw te")
    assert codes("mewslix") == _set("ar de en es fa ja pl ro ta tr uk")
    assert codes("lareqa") == codes("xquad") - {"ro"}
    assert set(LANGUAGES) - codes("panx") == {"ht", "wo"}
    assert "en" not in codes("tatoeba")


def test_every_language_is_covered_by_some_task() -> None:
    assert set(TASKS) == set(TASK_COUNTS)
    for lang in LANGUAGES.values():
        assert lang.tasks, lang.code
        assert all(lang.code in {x.code for x in languages_for_task(t)} for t in lang.tasks)


def test_task_aliases() -> None:
    assert task_name("WikiANN") == "panx"
    assert task_name("UD-POS") == "udpos"
    assert task_name("Mewsli-X") == "mewslix"
    assert task_name("TyDiQA-GoldP") == "tydiqa"
    with pytest.raises(ConfigError, match="xnli"):
        languages_for_task("paws-x")


def test_tier_rule_thresholds() -> None:
    assert tier_for(300.8) == "high"
    assert tier_for(20.0) == "high"
    assert tier_for(19.9) == "mid"
    assert tier_for(1.0) == "mid"
    assert tier_for(0.99) == "low"
    assert tier_for(0.0) == "low"


def test_tiers_follow_from_cc100_size() -> None:
    for lang in LANGUAGES.values():
        assert lang.tier == tier_for(lang.cc100_gib)
        assert lang.in_xlmr == (lang.cc100_gib > 0)
    assert {lang.code for lang in LANGUAGES.values() if not lang.in_xlmr} == {"ht", "qu", "wo", "yo"}
    low = {lang.code for lang in languages_in_tier("low")}
    assert {"ht", "qu", "wo", "yo", "jv", "my"} <= low
    high = {lang.code for lang in languages_in_tier("high")}
    assert {"en", "de", "fr", "ru", "es", "zh", "ja", "ar"} <= high
    assert sum(len(languages_in_tier(t)) for t in TIERS) == 50
    with pytest.raises(ConfigError, match="high, mid, low"):
        languages_in_tier("tiny")


def test_mt_codes() -> None:
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES as M2M
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES as NLLB

    m2m = set(M2M["m2m100"])
    for lang in LANGUAGES.values():
        assert lang.flores in NLLB, lang.code
        assert lang.flores.endswith("_" + lang.script)
        assert lang.m2m100 == (lang.code if lang.code in m2m else None)
    assert {c for c, lang in LANGUAGES.items() if lang.m2m100 is None} == {"eu", "qu", "te"}
    assert get_language("fa").flores == "pes_Arab"
    assert get_language("ms").flores == "zsm_Latn"
    assert get_language("sw").flores == "swh_Latn"


def test_get_language_unknown_lists_valid_codes() -> None:
    assert get_language(" ES ").name == "Spanish"
    with pytest.raises(ConfigError) as err:
        get_language("xx")
    assert "'xx'" in str(err.value) and "yo" in str(err.value)


def test_parse_languages() -> None:
    assert [lang.code for lang in parse_languages("es, sw,yo,es")] == ["es", "sw", "yo"]
    assert [lang.code for lang in parse_languages(["de", "ja"])] == ["de", "ja"]
    with pytest.raises(ConfigError) as err:
        parse_languages("es,xx,sw,zz")
    assert "xx" in str(err.value) and "zz" in str(err.value)
    with pytest.raises(ConfigError, match="no language codes"):
        parse_languages(" , ")


def test_languages_command_filters() -> None:
    from xstilts.cli import app

    result = CliRunner().invoke(app, ["languages", "--tier", "low", "--task", "panx"])
    assert result.exit_code == 0, result.output
    for code in ("jv", "my", "pa", "qu", "yo"):
        assert f" {code} " in result.output
    assert " ht " not in result.output and " en " not in result.output
    bad = CliRunner().invoke(app, ["languages", "--task", "bogus"])
    assert bad.exit_code != 0
