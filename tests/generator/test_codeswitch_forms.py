"""Citation-form fit: verbs switch only after infinitive markers, noun-verb homographs after noun cues."""

from __future__ import annotations

import random

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.forms import (
    AFTER_INFINITIVE_MARKER,
    AFTER_MARKER_OR_NOUN_CUE,
    AFTER_NOUN_CUE,
    NEVER,
    constraint,
    constraints,
    fits,
)
from generator.codeswitch.switching import switch_text
from generator.lexicons.lexicon import Lexicon


def test_constraints_follow_the_english_readings() -> None:
    assert constraint("said") == NEVER  # only an inflected verb
    assert constraint("know") == AFTER_INFINITIVE_MARKER
    assert constraint("time") == AFTER_MARKER_OR_NOUN_CUE
    assert constraint("time", infinitive=False) == AFTER_NOUN_CUE
    assert constraint("know", infinitive=False) == NEVER
    assert constraint("system") is None and constraint("however") is None
    assert constraints(["go to", "went home", "ice cream", "city hall", "said"]) == {
        "go to": AFTER_MARKER_OR_NOUN_CUE,  # `go` is a noun too
        "went home": NEVER,
        "ice cream": AFTER_MARKER_OR_NOUN_CUE,
        "said": NEVER,
    }


def test_fits_by_the_token_before() -> None:
    assert fits(AFTER_INFINITIVE_MARKER, "to") and fits(AFTER_INFINITIVE_MARKER, "can")
    assert not fits(AFTER_INFINITIVE_MARKER, "i") and not fits(AFTER_INFINITIVE_MARKER, "the")
    assert fits(AFTER_MARKER_OR_NOUN_CUE, "the") and fits(AFTER_MARKER_OR_NOUN_CUE, "must")
    assert fits(AFTER_MARKER_OR_NOUN_CUE, "big") and fits(AFTER_MARKER_OR_NOUN_CUE, "tom's")
    assert fits(AFTER_MARKER_OR_NOUN_CUE, "eats")  # a verb seldom follows a full verb
    assert not fits(AFTER_MARKER_OR_NOUN_CUE, "we") and not fits(AFTER_MARKER_OR_NOUN_CUE, "")
    assert fits(AFTER_NOUN_CUE, "the") and not fits(AFTER_NOUN_CUE, "to")
    assert not fits(NEVER, "to")


GERMAN = Lexicon(
    "en", "de", {"know": ["wissen"], "time": ["Zeit"], "said": ["sagte"], "house": ["Haus"]}, "t"
)
GREEK = Lexicon("en", "el", {"know": ["ξέρω"], "time": ["χρόνος"]}, "t")
TEXT = "I know the time. We time it. She said we want to know. Time is money."


def _sources(lexicon: Lexicon, **options: object) -> tuple[list[str], int]:
    cfg = CodeSwitchConfig(langs=(lexicon.tgt,), token_ratio=1.0, **options)  # type: ignore[arg-type]
    result = switch_text(TEXT, {lexicon.tgt: lexicon}, cfg, random.Random(0))
    return [s.source for s in result.switches], result.candidates


def test_switching_keeps_words_whose_citation_form_does_not_fit() -> None:
    assert _sources(GERMAN) == (["time", "know"], 2)  # candidates shrink with the switches
    assert _sources(GERMAN, fit_forms=False) == (["know", "time", "time", "said", "know", "Time"], 6)
    assert _sources(GREEK) == (["time"], 1)  # no infinitive in Greek: only the noun reading


def test_a_preposition_governs_the_noun_across_determiners_and_adjectives() -> None:
    from generator.codeswitch.forms import governed

    keys = ["at", "the", "end", "of", "two", "centuries", "as", "a", "member"]
    assert governed(keys, keys.index("end"))  # at the end
    assert governed(keys, keys.index("centuries"))  # of two centuries
    assert not governed(keys, keys.index("member"))  # as takes the nominative
    assert not governed(["the", "end"], 1)


def test_an_adjective_fits_as_a_predicate_or_a_bare_noun_only() -> None:
    from generator.codeswitch.forms import adjective_fits, adjectives

    found = adjectives(["new", "public", "new york"])
    assert found == {"new": False, "public": True}
    assert adjective_fits(["the", "system", "is", "new"], 3, False)
    assert adjective_fits(["it", "was", "not", "new"], 3, False)
    assert not adjective_fits(["a", "new", "system"], 1, False)
    assert adjective_fits(["told", "the", "public", "."], 2, True)
    assert not adjective_fits(["the", "public", "debate"], 1, True)


def test_case_and_agreement_rules_apply_by_language() -> None:
    lexicons = {
        lang: Lexicon("en", lang, {"century": [word], "new": [adj]}, "test")
        for lang, word, adj in (("ru", "век", "новый"), ("tr", "yüzyıl", "yeni"))
    }
    text = "In the century a new age began and the century was new"
    cfg = {lang: CodeSwitchConfig(langs=(lang,), token_ratio=1.0) for lang in lexicons}
    russian = switch_text(text, lexicons, cfg["ru"], random.Random(0))
    turkish = switch_text(text, lexicons, cfg["tr"], random.Random(0))
    # Russian: no noun after a preposition, no attributive adjective; Turkish adjectives do not agree.
    assert russian.text == "In the century a new age began and the век was новый"
    assert [s.target for s in turkish.switches] == ["yeni", "yüzyıl", "yeni"]
