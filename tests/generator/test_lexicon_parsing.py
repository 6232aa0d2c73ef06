"""FreeDict entries read as the format means them, rejection reasons, sense ranking, induced lexicons."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.lexicons.freedict import load_dictd
from generator.lexicons.freedict_entry import parse_entry
from generator.lexicons.installed import load_lexicon
from generator.lexicons.lexicon import Lexicon
from generator.lexicons.muse import load_muse, save_muse
from generator.lexicons.ranking import RUN_TOGETHER, SAME_WORD, rank, splits
from tests.generator.test_lexicons import write_dictd


def reasons(body: str, **options: bool) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for reason, text in parse_entry(body, **options).rejected:
        found.setdefault(reason, []).append(text)
    return found


def translations(body: str, **options: bool) -> list[str]:
    return [t for sense in parse_entry(body, **options).senses for t in sense.translations]


def test_turkish_definitions_cross_references_and_examples_are_rejected() -> None:
    body = (
        "a /ˈeɪ/\n1. ingiliz alfabesinin ilk harfi\n2. (bak.) an)\n"
        "3. bir, herhangi bir. twice a year senede iki defa\n4. (kıs.) ampere\n"
    )
    assert translations(body) == ["bir", "herhangi bir"]
    found = reasons(body)
    assert found["definition"] == ["ingiliz alfabesinin ilk harfi"]
    assert found["cross-reference"] and found["abbreviation"]
    assert found["example"] == ["twice a year senede iki defa"]


def test_wiktionary_glosses_and_run_on_sense_numbers_are_definitions() -> None:
    body = "coarse //kɔːs// <adj>\n粗い 2.\nof inferior quality\n 3.\ncontaining large particles\n"
    assert translations(body, non_latin_target=True) == ["粗い"]
    assert reasons(body, non_latin_target=True)["definition"] == [
        "of inferior quality",
        "containing large particles",
    ]
    numbered = "button /ˈbʌtən/ <n>\n1. tombol, knop\na device meant to be pressed\n2. kancing\nknob\n"
    assert translations(numbered) == ["tombol", "knop", "kancing"]
    assert reasons(numbered)["definition"] == ["a device meant to be pressed", "knob"]


def test_english_glosses_are_not_translations_into_other_scripts() -> None:
    body = "hackberry /hˈakbɛɹi/\n\nCeltis aetnensis, μελικουκιά\n"
    assert translations(body, non_latin_target=True) == ["μελικουκιά"]
    assert reasons(body, non_latin_target=True)["not in the target script"] == ["Celtis aetnensis"]


def test_examples_notes_synonyms_and_stress_marks() -> None:
    body = (
        'state /stˈeɪt/\nStaat <masc> [pol.]\n      "the state of the art"  - der Stand der Technik\n'
        "   Synonyms: {nation}\n         Note: as a body politic\n"
    )
    entry = parse_entry(body)
    assert [s.translations for s in entry.senses] == [["Staat"]] and entry.senses[0].labelled
    assert {reason for reason, _ in entry.rejected} == {"example", "cross-reference", "note"}
    assert translations("baby //ˈbeɪbi// <n>\nбе́бе, кърма́че\n", non_latin_target=True) == ["бебе", "кърмаче"]
    assert translations("France /fɹˈɑːns/\nFrankreich FR\n") == ["Frankreich"]


def test_phrases_filed_under_their_first_word_are_rejected_with_a_report(tmp_path: Path) -> None:
    index = write_dictd(
        tmp_path,
        "eng-spa",
        [
            ("in", "in /in/\na, dentro de, en, por\n"),
            ("in", "in /infækt/\nenefecto\n"),
            ("house", "house /haus/\ncasa\n"),
            ("house", "house /haustʃɑːdʒ/\nservicio\n"),
        ],
    )
    lexicon = load_dictd(index, use_cache=False)
    assert lexicon.entries == {"in": ["a", "dentro de", "en", "por"], "house": ["casa"]}
    count, examples = lexicon.rejected["phrase filed under its first word"]
    assert count == 2 and examples[0] == "in /infækt/: enefecto"


def test_ranking_prefers_frequent_one_word_translations_and_back_translations() -> None:
    lexicon = Lexicon(
        "en",
        "de",
        {"state": ["Aggregatzustand", "Staat", "sagen"], "system": ["System", "Anlage"], "new": ["neu"]},
        "test",
    )
    reverse = Lexicon("de", "en", {"Staat": ["state", "country"], "sagen": ["say", "tell"]}, "test")
    ranked = rank(lexicon, reverse)
    assert ranked.entries["state"][0] == "Staat"  # sagen is more frequent, but it is `say`
    assert "system" not in ranked.entries  # the best translation is the word itself
    assert ranked.rejected[SAME_WORD][0] == 1
    assert ranked.weights["state"] == sorted(ranked.weights["state"], reverse=True)
    assert ranked.ranking == "frequency and back-translation"


def test_run_together_words_are_dropped_where_compounds_are_written_apart() -> None:
    lexicon = Lexicon("en", "es", {"in every respect": ["entodosconceptos", "en todo"]}, "test")
    ranked = rank(lexicon)
    assert ranked.entries["in every respect"] == ["en todo"]
    assert ranked.rejected[RUN_TOGETHER] == (1, ["in every respect: entodosconceptos"])
    assert splits("aldía", {"al": 1.0, "día": 1.0}) and not splits("día", {"al": 1.0, "día": 1.0})


def test_a_language_without_a_frequency_list_ranks_by_listing_order() -> None:
    ranked = rank(Lexicon("en", "sw", {"house": ["nyumba", "jumba"]}, "test"))
    assert ranked.entries["house"] == ["nyumba", "jumba"] and ranked.ranking == "listing order"


def test_induced_lexicon_combines_with_freedict(tmp_path: Path) -> None:
    write_dictd(tmp_path, "eng-spa", [("house", "house /haus/\ncasa\n")])
    induced = Lexicon("en", "es", {"house": ["hogar"], "dog": ["perro"], "ice cream": ["helado"]}, "induced")
    combined = load_lexicon("es", dictd_dir=tmp_path, muse_dirs=[], cache_dir=tmp_path / "c", extra=[induced])
    assert set(combined.entries["house"]) == {"casa", "hogar"} and combined.entries["dog"] == ["perro"]
    muse = tmp_path / "muse"
    muse.mkdir()
    save_muse(induced, muse / "en-es.txt")
    assert load_muse(muse / "en-es.txt").entries == {"house": ["hogar"], "dog": ["perro"]}
    via_dir = load_lexicon("es", dictd_dir=tmp_path, muse_dirs=[muse], cache_dir=tmp_path / "c")
    assert via_dir.entries["dog"] == ["perro"] and "casa" in via_dir.entries["house"]


def test_cli_details_reports_rejections(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from generator.cli import app

    write_dictd(tmp_path, "eng-tur", [("a", "a /ˈeɪ/\n1. ingiliz alfabesinin ilk harfi\n2. bir\n")])
    result = CliRunner().invoke(
        app,
        ["lexicons", "--dictd-dir", str(tmp_path), "--muse-dir", str(tmp_path), "--details"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "definition" in result.output and "ingiliz alfabesinin ilk harfi" in result.output
    assert "senses ranked by frequency" in result.output


@pytest.mark.parametrize("code", ["deu", "ell", "rus", "tur"])
def test_real_freedict_parses_with_reasons(code: str) -> None:
    index = Path(f"/usr/share/dictd/freedict-eng-{code}.index")
    if not index.exists():
        pytest.skip(f"{index} not installed (scripts/install.sh system)")
    lexicon = load_dictd(index, use_cache=False) if code != "deu" else load_dictd(index)
    assert len(lexicon) > 1000 and lexicon.rejected
    for translations in list(lexicon.entries.values())[:5000]:
        for translation in translations:
            assert not any(c in translation for c in "<>/[]{}()0123456789\u0301"), translation
