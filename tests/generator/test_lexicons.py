"""Lexicons: FreeDict dictd parsing (real and synthetic files), cache, inversion, MUSE, induction, CLI."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.errors import ConfigError, InputError
from generator.lexicons import freedict
from generator.lexicons.codes import iso_code
from generator.lexicons.derive import induce_lexicon, invert, lexicon_from_word_pairs
from generator.lexicons.freedict import load_dictd, parse_dictd_entry
from generator.lexicons.installed import available_lexicons, load_lexicon
from generator.lexicons.lexicon import Lexicon
from generator.lexicons.muse import load_muse

DICTD = Path("/usr/share/dictd")
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "lexicons"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(number: int) -> str:
    digits = ""
    while True:
        digits = _B64[number % 64] + digits
        number //= 64
        if number == 0:
            return digits


def write_dictd(directory: Path, name: str, entries: list[tuple[str, str]]) -> Path:
    """A dictd dictionary `freedict-<name>` (index + gzip data) holding (index headword, entry body)."""
    data = b""
    lines = []
    for headword, body in [("00databaseinfo", "metadata\n"), *entries]:
        raw = body.encode()
        lines.append(f"{headword}\t{_b64(len(data))}\t{_b64(len(raw))}\n")
        data += raw
    (directory / f"freedict-{name}.dict.dz").write_bytes(gzip.compress(data))
    index = directory / f"freedict-{name}.index"
    index.write_text("".join(lines), encoding="utf-8")
    return index


def real_dictd(code: str) -> Path:
    index = DICTD / f"freedict-eng-{code}.index"
    if not index.exists():
        pytest.skip(f"{index} not installed (apt-get install dict-freedict-eng-{code})")
    return index


@pytest.mark.parametrize(
    ("body", "headword", "expected"),
    [
        (  # eng-deu: grammar notes, domain labels, synonyms, see-also and notes
            "veterinaries /vˈɛtəɹˌɪnəɹiz/\nTierärzte <pl>, Veterinäre <pl>\n   Synonyms: {vets}\n\n"
            " see: {vet}, {veterinary}\n\n",
            "veterinaries",
            ["Tierärzte", "Veterinäre"],
        ),
        (  # eng-deu: inflection in the headword line, placeholders, example sentences, notes
            "abide /ɐbˈaɪd/ (abode /ɐbˈəʊd/ <>, abode /ɐbˈəʊd/ <>) <v>\n"
            "verweilen, bleiben <v, intr> [poet.] , etw. erwarten <v, trans>\n"
            '      "abide by the law"  - sich an die Gesetze halten\n'
            "         Note: sth.\n",
            "abide",
            ["verweilen", "bleiben", "erwarten"],
        ),
        (  # eng-tur: numbered senses; phrase examples after the first full stop are not translations
            "current /kˈʌɹənt/\n1. cereyan, akım, akıntı. current of events olayların birbirini takip etmesi.\n"
            "2. (elek) elektrik akımı\n",
            "current",
            ["cereyan", "akım", "akıntı", "elektrik akımı"],
        ),
        ("be sick /biː sˈɪk/ <v>\n\n umwa\n", "be sick", ["umwa"]),  # eng-swh: indented translation
        ("come across /kʌməkrɔs/\nrencontrer\n", "come across", ["rencontrer"]),
        (
            "run /rʌn/\n1. fonctionner\n2. fuite\n3. s'élancer, se précipiter\n",
            "run",
            ["fonctionner", "fuite", "s'élancer", "se précipiter"],
        ),
        ("champ on sth. /tʃˈamp/\netw. mampfen <v, trans> [cook.]\n", "champ on", ["mampfen"]),
        ("Internet /ˈɪntənɛt/\nInternet <neut>\n", "Internet", ["Internet"]),  # kept: ranking drops it
    ],
)
def test_parse_dictd_entry(body: str, headword: str, expected: list[str]) -> None:
    assert parse_dictd_entry(body) == (headword, expected)


def test_parse_dictd_entry_drops_long_descriptions() -> None:
    _, translations = parse_dictd_entry(
        "elk /ɛlk/\n1. iri boynuzlu bir kuzey geyiği türü, geyik\n", max_words=4
    )
    assert translations == ["geyik"]


def test_load_dictd_synthetic_skips_metadata_and_merges_senses(tmp_path: Path) -> None:
    index = write_dictd(
        tmp_path,
        "eng-spa",
        [
            ("house", "house /haus/\ncasa\n"),
            ("house", "house /haus/\nservicio, casa\n"),
            ("ice cream", "ice cream /ais kriːm/ <n>\nhelado\n"),
            ("philippines", "Philippines /filipiːnz/\nislas Filipinas\n"),
        ],
    )
    lexicon = load_dictd(index, cache_dir=tmp_path / "cache")
    assert (lexicon.src, lexicon.tgt) == ("en", "es")
    assert lexicon.entries == {
        "house": ["casa", "servicio"],
        "ice cream": ["helado"],
        "Philippines": ["islas Filipinas"],
    }
    assert "00databaseinfo" not in lexicon.entries


def test_cache_is_used_and_invalidated_by_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = write_dictd(tmp_path, "eng-ita", [("house", "house /haus/\ncasa\n")])
    cache = tmp_path / "cache"
    first = load_dictd(index, cache_dir=cache)
    assert len(list(cache.iterdir())) == 1

    def no_parse(*args: object) -> dict[str, list[str]]:
        raise AssertionError("parsed although a cache entry exists")

    with monkeypatch.context() as patch:
        patch.setattr(freedict, "_parse_dictd", no_parse)
        assert load_dictd(index, cache_dir=cache).entries == first.entries
    write_dictd(tmp_path, "eng-ita", [("house", "house /haus/\ndimora\n")])
    data = tmp_path / "freedict-eng-ita.dict.dz"
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))
    assert load_dictd(index, cache_dir=cache).entries == {"house": ["dimora"]}


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    index = write_dictd(tmp_path, "eng-ita", [("house", "house /haus/\ncasa\n")])
    cache = tmp_path / "cache"
    load_dictd(index, cache_dir=cache)
    for path in cache.iterdir():
        path.write_bytes(b"\x00garbage")
    assert load_dictd(index, cache_dir=cache).entries == {"house": ["casa"]}


def test_bad_index_line_names_file_and_line(tmp_path: Path) -> None:
    index = write_dictd(tmp_path, "eng-spa", [("house", "house /haus/\ncasa\n")])
    index.write_text(index.read_text(encoding="utf-8") + "broken line\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"freedict-eng-spa\.index: line 3"):
        load_dictd(index, use_cache=False)


def test_reverse_dictionary_is_inverted_when_forward_is_absent(tmp_path: Path) -> None:
    write_dictd(tmp_path, "por-eng", [("casa", "casa /ˈkazɐ/\nhouse, home\n"), ("lar", "lar\nhome\n")])
    infos = available_lexicons(tmp_path, muse_dirs=[])
    assert [(i.lang, i.kind, i.entries) for i in infos] == [("pt", "freedict-inverted", 2)]
    lexicon = load_lexicon("pt", dictd_dir=tmp_path, muse_dirs=[], cache_dir=tmp_path / "cache")
    assert (lexicon.src, lexicon.tgt) == ("en", "pt")
    assert lexicon.entries == {"house": ["casa"], "home": ["casa", "lar"]}


def test_forward_dictionary_wins_over_reverse(tmp_path: Path) -> None:
    write_dictd(tmp_path, "eng-spa", [("house", "house /haus/\ncasa\n")])
    write_dictd(tmp_path, "spa-eng", [("hogar", "hogar\nhome\n")])
    infos = available_lexicons(tmp_path, muse_dirs=[])
    assert [(i.lang, i.kind) for i in infos] == [("es", "freedict"), ("es", "freedict-reverse")]
    lexicon = load_lexicon("es", dictd_dir=tmp_path, muse_dirs=[], cache_dir=tmp_path / "cache")
    assert lexicon.entries == {"house": ["casa"]}  # the reverse dictionary ranks, it adds nothing
    assert "back-translation" in lexicon.ranking


def test_iso_codes() -> None:
    assert [iso_code(c) for c in ("spa", "deu", "swh", "tur", "fra", "ita", "por", "rus", "hin", "ell")] == [
        "es", "de", "sw", "tr", "fr", "it", "pt", "ru", "hi", "el",
    ]  # fmt: skip
    assert [iso_code(c) for c in ("ara", "afr", "fin", "hun", "lit", "nld", "pol", "jpn", "kor")] == [
        "ar", "af", "fi", "hu", "lt", "nl", "pl", "ja", "ko",
    ]  # fmt: skip
    assert iso_code("xyz") == "xyz"


def test_muse_file(tmp_path: Path) -> None:
    path = tmp_path / "en-es.txt"
    path.write_text("house casa\nhouse hogar\n\nthe\tel\nsame same\n", encoding="utf-8")
    lexicon = load_muse(path)
    assert (lexicon.src, lexicon.tgt) == ("en", "es")
    assert lexicon.entries == {"house": ["casa", "hogar"], "the": ["el"]}


def test_muse_corrupt_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "en-es.txt"
    path.write_text("house casa\nred\nblue azul\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"en-es\.txt: line 2: field 'entry'"):
        load_muse(path)


def test_muse_needs_languages(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("house casa\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"en-es\.txt"):
        load_muse(path)
    assert load_muse(path, src="en", tgt="es").entries == {"house": ["casa"]}


def test_sample_muse_lexicons_load() -> None:
    infos = {i.lang: i for i in available_lexicons(Path("/nonexistent"), muse_dirs=[SAMPLES])}
    assert set(infos) == {"ht", "yo"}
    haitian = load_lexicon("ht", sources=("muse",), muse_dirs=[SAMPLES])
    assert haitian.entries["house"] == ["kay"]
    assert len(haitian) == infos["ht"].entries
    assert haitian.entries["eat"] == haitian.entries["food"] == ["manje"]


def test_missing_language_names_the_package_and_muse_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_lexicon("yo", dictd_dir=tmp_path, muse_dirs=[])
    assert "apt-get install dict-freedict-eng-yor" in str(raised.value)
    assert "en-yo.txt" in str(raised.value)
    with pytest.raises(ConfigError, match="unknown lexicon source"):
        load_lexicon("es", sources=("wordnet",), dictd_dir=tmp_path, muse_dirs=[])


def test_freedict_and_muse_merge(tmp_path: Path) -> None:
    write_dictd(tmp_path, "eng-spa", [("house", "house /haus/\ncasa\n")])
    muse = tmp_path / "muse"
    muse.mkdir()
    (muse / "en-es.txt").write_text("house hogar\nred rojo\n", encoding="utf-8")
    lexicon = load_lexicon("es", dictd_dir=tmp_path, muse_dirs=[muse], cache_dir=tmp_path / "cache")
    assert lexicon.entries == {"house": ["casa", "hogar"], "red": ["rojo"]}
    only_muse = load_lexicon("es", sources=("muse",), dictd_dir=tmp_path, muse_dirs=[muse])
    assert only_muse.entries["house"] == ["hogar"]


def test_invert() -> None:
    lexicon = Lexicon("en", "es", {"house": ["casa"], "home": ["casa", "hogar"]}, "test")
    inverted = invert(lexicon)
    assert (inverted.src, inverted.tgt) == ("es", "en")
    assert inverted.entries == {"casa": ["house", "home"], "hogar": ["home"]}


def test_lexicon_from_word_pairs_orders_by_frequency() -> None:
    pairs = [("house", "casa"), ("house", "hogar"), ("house", "casa"), ("red", "rojo"), ("Red", "red")]
    lexicon = lexicon_from_word_pairs(pairs, "en", "es")
    assert lexicon.entries == {"house": ["casa", "hogar"], "red": ["rojo"]}
    assert lexicon_from_word_pairs(pairs, "en", "es", min_count=2).entries == {"house": ["casa"]}


def test_induce_lexicon_recovers_a_hidden_word_mapping() -> None:
    rng = random.Random(7)
    english_words = ["red", "house", "water", "dog", "tree", "sun", "road", "bread"]
    mapping = dict(
        zip(english_words, ["rojo", "casa", "agua", "perro", "arbol", "sol", "camino", "pan"], strict=True)
    )
    english = list(mapping)
    pairs = []
    for _ in range(400):
        words = rng.sample(english, 4)
        translated = [mapping[w] for w in words]
        rng.shuffle(translated)
        translated.append(rng.choice(["la", "na", "ta"]))  # function words with no English counterpart
        pairs.append((" ".join(words), " ".join(translated)))
    lexicon = induce_lexicon(pairs, "en", "xx")
    assert lexicon.entries == {e: [f] for e, f in mapping.items()}


def test_real_freedict_spanish() -> None:
    lexicon = load_dictd(real_dictd("spa"), use_cache=False)
    assert "casa" in lexicon.entries["house"]
    assert len(lexicon) > 4000
    assert any(" " in word for word in lexicon.entries)  # multiword headwords are kept
    for translations in lexicon.entries.values():
        for translation in translations:
            assert not any(c in translation for c in "<>/[]{}()0123456789"), translation


def test_real_freedict_turkish_senses() -> None:
    lexicon = load_dictd(real_dictd("tur"), use_cache=False)
    assert lexicon.entries["house"][:3] == ["ev", "mesken", "hane"]
    assert all("." not in t and not t[0].isdigit() for ts in lexicon.entries.values() for t in ts)


def test_real_freedict_swahili_multiword() -> None:
    lexicon = load_dictd(real_dictd("swh"), use_cache=False)
    assert lexicon.entries["be sick"] == ["umwa"]
    assert lexicon.entries["house"] == ["nyumba"]


@pytest.mark.slow
def test_real_freedict_german_with_cache(tmp_path: Path) -> None:
    index = real_dictd("deu")
    first = load_dictd(index, cache_dir=tmp_path)
    assert "Haus" in first.entries["house"]
    assert first.entries["veterinaries"][0] == "Tierärzte"
    assert load_dictd(index, cache_dir=tmp_path).entries == first.entries


def test_cli_lists_lexicons_and_coverage(tmp_path: Path) -> None:
    from generator.cli import app

    write_dictd(tmp_path, "eng-spa", [("house", "house /haus/\ncasa\n")])
    result = CliRunner().invoke(
        app, ["lexicons", "--dictd-dir", str(tmp_path), "--muse-dir", str(SAMPLES)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "es" in result.output and "freedict" in result.output
    assert "ht" in result.output and "yo" in result.output
    assert "3/50" in result.output
