"""Code-switching: ratios, determinism, offsets, QA span validity, tagging invariants, labels."""

from __future__ import annotations

import json
import random
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.examples import switch_example, switch_examples
from generator.codeswitch.offsets import OffsetMap
from generator.codeswitch.switching import switch_text
from generator.errors import ConfigError
from generator.example import Answer, Example
from generator.lexicons.freedict import load_dictd
from generator.lexicons.lexicon import Lexicon
from tests.conftest import shared_file

SPANISH = Lexicon(
    "en",
    "es",
    {
        "house": ["casa", "hogar"],
        "red": ["rojo"],
        "dog": ["perro"],
        "the": ["el", "la"],
        "new york": ["Nueva York"],
        "New York City": ["ciudad de Nueva York"],
        "ice cream": ["helado"],
        "ice": ["hielo"],
        "city": ["ciudad"],
        "big": ["grande"],
        "eats": ["come"],
        "united states": ["Estados Unidos"],
        "mp3": ["emepetres"],
        "york": ["ciudad de York"],
        "cream": ["crema de leche"],
    },
    "test",
)
GERMAN = Lexicon(
    "en",
    "de",
    {"house": ["Haus"], "dog": ["Hund"], "big": ["groß"], "city": ["Stadt"], "new york": ["New York"]},
    "test",
)
LEXICONS = {"es": SPANISH, "de": GERMAN}
WORDS = ["house", "red", "dog", "the", "city", "big", "eats", "ice", "cream", "42", "Paris", ",", "!"]


@cache
def corpus(seed: int, sentences: int = 400) -> list[str]:
    """Generated English-like text: random words, numbers, punctuation; several sentences per text."""
    rng = random.Random(seed)
    texts = []
    for _ in range(sentences // 4):
        parts = []
        for _ in range(4):
            words = [rng.choice(WORDS) for _ in range(rng.randint(4, 14))]
            parts.append(" ".join(words).capitalize() + ".")
        texts.append(" ".join(parts))
    return texts


def test_all_candidates_switch_at_ratio_one() -> None:
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0)
    result = switch_text("The big dog eats ice cream in New York, 42 times!", LEXICONS, cfg, random.Random(0))
    # "The" is a function word, "New York" a name (the lexicon lists it lower-case), 42 a number.
    assert [s.source for s in result.switches] == ["big", "dog", "eats", "ice cream"]
    assert result.candidates == 4
    assert result.text == "The grande perro come helado in New York, 42 times!"
    assert {s.lang for s in result.switches} == {"es"}
    every = CodeSwitchConfig(
        fit_forms=False, langs=("es",), token_ratio=1.0, function_words=True, protect_names=False
    )
    result = switch_text(
        "The big dog eats ice cream in New York, 42 times!", LEXICONS, every, random.Random(0)
    )
    assert [s.source for s in result.switches] == ["The", "big", "dog", "eats", "ice cream", "New York"]
    assert result.text.startswith(("El grande", "La grande"))  # sentence case kept
    assert "helado in Nueva York, 42 times!" in result.text


def test_nothing_switches_at_ratio_zero() -> None:
    for cfg in (
        CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=0.0),
        CodeSwitchConfig(fit_forms=False, langs=("es",), sentence_ratio=0.0),
    ):
        result = switch_text("The big dog.", LEXICONS, cfg, random.Random(0))
        assert result.text == "The big dog." and not result.switches


def test_longest_multiword_match_wins() -> None:
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0)
    result = switch_text("New York City is big", LEXICONS, cfg, random.Random(0))
    assert result.switches[0].source == "New York City"
    assert result.text.startswith("Ciudad de Nueva York is grande")
    narrow = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, max_words=2)
    assert switch_text("new york city", LEXICONS, narrow, random.Random(0)).text == "Nueva York ciudad"


def test_multiword_does_not_span_punctuation() -> None:
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0)
    assert switch_text("ice, cream", LEXICONS, cfg, random.Random(0)).text == "hielo, crema de leche"


def test_numbers_punct_and_function_words_are_skipped_unless_asked() -> None:
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0)
    result = switch_text("the mp3 of the dog", LEXICONS, cfg, random.Random(0))
    assert result.text == "the mp3 of the perro"
    function_words = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, function_words=True)
    assert switch_text("the dog", LEXICONS, function_words, random.Random(0)).text == "el perro"
    numbers = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, skip_numbers=False)
    assert "emepetres" in switch_text("the mp3", LEXICONS, numbers, random.Random(0)).text


def test_protected_spans_stay_and_offsets_map() -> None:
    text = "The red house is big. The dog is red."
    protect = [(4, 13)]  # "red house"
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0)
    result = switch_text(text, LEXICONS, cfg, random.Random(1), protect=protect)
    start = result.offset_map(4)
    assert result.text[start : start + 9] == "red house"
    assert "red house" not in {s.source for s in result.switches}
    assert result.text.endswith("perro is rojo.")


def test_offset_map() -> None:
    # "ab CDE fg" -> "ab X fg": edit (3, 6) -> (3, 4)
    mapping = OffsetMap([(3, 6, 3, 4)])
    assert [mapping(p) for p in (0, 2, 3, 6, 7, 9)] == [0, 2, 3, 4, 5, 7]
    assert mapping(4) == 3 and mapping(4, end=True) == 4
    assert mapping.span(3, 6) == (3, 4)
    assert OffsetMap()(5) == 5


def test_same_seed_same_output_and_seeds_differ() -> None:
    cfg = CodeSwitchConfig(
        fit_forms=False, langs=("es", "de"), sentence_ratio=0.7, token_ratio=0.5, mix="many"
    )
    texts = corpus(3)
    first = [switch_text(t, LEXICONS, cfg, random.Random(11)).text for t in texts]
    again = [switch_text(t, LEXICONS, cfg, random.Random(11)).text for t in texts]
    other = [switch_text(t, LEXICONS, cfg, random.Random(12)).text for t in texts]
    assert first == again
    assert first != other


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    ratio=st.sampled_from([0.1, 0.3, 0.5, 0.9]),
    mix=st.sampled_from(["one", "many"]),
)
def test_realized_token_ratio_matches_requested(seed: int, ratio: float, mix: str) -> None:
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es", "de"), token_ratio=ratio, mix=mix)  # type: ignore[arg-type]
    rng = random.Random(seed)
    switched = candidates = 0
    for text in corpus(seed % 5, 1600):
        result = switch_text(text, LEXICONS, cfg, rng)
        switched += len(result.switches)
        candidates += result.candidates
    assert candidates > 3000
    assert abs(switched / candidates - ratio) < 0.05


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ratio=st.sampled_from([0.2, 0.5, 0.8]))
def test_realized_sentence_ratio_matches_requested(seed: int, ratio: float) -> None:
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), sentence_ratio=ratio, token_ratio=1.0)
    rng = random.Random(seed)
    sentences = [f"The big dog number {i} eats." for i in range(1500)]
    selected = sum(bool(switch_text(s, LEXICONS, cfg, rng).switches) for s in sentences)
    assert abs(selected / len(sentences) - ratio) < 0.06


def test_mix_one_uses_one_language_per_sentence_and_many_mixes() -> None:
    text = "The big dog. The big house. The big city. The big dog eats."
    one = CodeSwitchConfig(fit_forms=False, langs=("es", "de"), token_ratio=1.0, mix="one")
    for seed in range(20):
        result = switch_text(text, LEXICONS, one, random.Random(seed))
        for sentence in result.text.split(". "):
            langs = {s.lang for s in result.switches if s.target in sentence.split(" ")}
            assert len(langs) <= 1
        assert len({s.target for s in result.switches} & {"grande", "groß", "Grande", "Groß"}) >= 1
        assert len(result.switches) >= 8  # every sentence is switched, whichever language it drew
    many = CodeSwitchConfig(fit_forms=False, langs=("es", "de"), token_ratio=1.0, mix="many")
    seen = set()
    for seed in range(20):
        seen |= {
            s.lang for s in switch_text("big dog house city", LEXICONS, many, random.Random(seed)).switches
        }
    assert seen == {"es", "de"}


def test_config_errors() -> None:
    with pytest.raises(ConfigError, match="token_ratio"):
        CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.5)
    with pytest.raises(ConfigError, match="at least one"):
        CodeSwitchConfig(fit_forms=False, langs=())
    with pytest.raises(ConfigError, match="mix"):
        CodeSwitchConfig(fit_forms=False, langs=("es",), mix="all")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="no lexicon given"):
        switch_text("dog", LEXICONS, CodeSwitchConfig(fit_forms=False, langs=("fr",)), random.Random(0))
    backwards = Lexicon("es", "en", {"perro": ["dog"]}, "test")
    with pytest.raises(ConfigError, match="English->es"):
        switch_text(
            "dog", {"es": backwards}, CodeSwitchConfig(fit_forms=False, langs=("es",)), random.Random(0)
        )


def qa_example(context: str, question: str, answer: str, start: int | None = None) -> Example:
    start = context.index(answer) if start is None else start
    return Example(
        id="q1", task="squad", kind="qa", context=context, question=question, answers=[Answer(answer, start)]
    )


def test_qa_protected_answer_keeps_text_and_moves_offset() -> None:
    example = qa_example(
        "The big dog sleeps in the red house.", "Where does the big dog sleep?", "the red house"
    )
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0)
    switched = switch_example(example, LEXICONS, cfg, random.Random(0))
    assert switched is not None
    answer = switched.answers[0]
    assert answer.text == "the red house"
    assert switched.context[answer.start : answer.start + len(answer.text)] == answer.text
    assert switched.context.startswith("The grande perro")
    assert "perro" in switched.question
    assert (switched.method, switched.lang, switched.label) == ("codeswitch", "es", example.label)
    assert [s.source for s in switched.switched][:2] == ["big", "dog"]
    assert example.context.startswith("The big dog")  # the input is not modified


def test_qa_switch_answers_switches_inside_the_span_consistently() -> None:
    example = qa_example("A dog lives in the red house near New York.", "Where?", "red house near New")
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, switch_answers=True)
    switched = switch_example(example, LEXICONS, cfg, random.Random(0))
    assert switched is not None
    answer = switched.answers[0]
    assert answer.text.startswith("rojo ") and answer.text.endswith(" near New")  # 'New York' crosses the end
    assert switched.context[answer.start : answer.start + len(answer.text)] == answer.text


def test_qa_with_a_wrong_input_answer_is_dropped_and_counted() -> None:
    good = qa_example("The dog.", "Who?", "dog")
    bad = qa_example("The dog.", "Who?", "cat", start=4)
    kept, dropped = switch_examples(
        [good, bad], LEXICONS, CodeSwitchConfig(fit_forms=False, langs=("es",)), random.Random(0)
    )
    assert [e.id for e in kept] == ["q1"] and dropped == {"lost_span": 1}


@cache
def freedict_spanish() -> Lexicon:
    index = Path("/usr/share/dictd/freedict-eng-spa.index")
    if not index.exists():
        pytest.skip(f"{index} not installed (apt-get install dict-freedict-eng-spa)")
    return load_dictd(index, use_cache=False)


def xquad_examples() -> list[Example]:
    path = shared_file("xquad/xquad.en.json")
    try:
        from generator.tasks import read_examples
    except ImportError:
        read_examples = None
    if read_examples is not None:
        return read_examples("squad", path).examples
    examples = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = [Answer(a["text"], a["answer_start"]) for a in qa["answers"]]
                examples.append(
                    Example(
                        qa["id"],
                        "squad",
                        "qa",
                        context=paragraph["context"],
                        question=qa["question"],
                        answers=answers,
                    )
                )
    return examples


@pytest.mark.parametrize("switch_answers", [False, True])
def test_every_xquad_answer_stays_valid(switch_answers: bool) -> None:
    lexicons = {"es": freedict_spanish()}
    examples = xquad_examples()
    cfg = CodeSwitchConfig(langs=("es",), token_ratio=0.6, switch_answers=switch_answers)
    kept, dropped = switch_examples(examples, lexicons, cfg, random.Random(5))
    assert len(kept) == len(examples) == 1190 and not dropped
    changed_answers = changed_contexts = 0
    for before, after in zip(examples, kept, strict=True):
        changed_contexts += after.context != before.context
        for old, new in zip(before.answers, after.answers, strict=True):
            assert after.context[new.start : new.start + len(new.text)] == new.text
            changed_answers += old.text != new.text
    assert changed_contexts > 0.9 * len(examples)
    assert (changed_answers > 50) == switch_answers


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ratio=st.sampled_from([0.25, 0.75]))
def test_xquad_realized_ratio_with_real_lexicon(seed: int, ratio: float) -> None:
    lexicons = {"es": freedict_spanish()}
    contexts = sorted({e.context for e in xquad_examples()})
    cfg = CodeSwitchConfig(langs=("es",), token_ratio=ratio)
    rng = random.Random(seed)
    results = [switch_text(c, lexicons, cfg, rng) for c in contexts]
    candidates = sum(r.candidates for r in results)
    assert candidates > 3000
    assert abs(sum(len(r.switches) for r in results) / candidates - ratio) < 0.03


TYPES = ["PER", "LOC", "ORG"]


@st.composite
def bio_sentences(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    size = draw(st.integers(1, 12))
    tokens = draw(
        st.lists(st.sampled_from([*WORDS, "new", "york", "united", "states"]), min_size=size, max_size=size)
    )
    tags: list[str] = []
    for _ in tokens:
        choice = draw(st.sampled_from(["O", "B", "I"]))
        if choice == "I" and tags and tags[-1] != "O":
            tags.append("I-" + tags[-1][2:])
        elif choice == "B":
            tags.append("B-" + draw(st.sampled_from(TYPES)))
        else:
            tags.append("O")
    return tokens, tags


def entities(tags: list[str]) -> list[str]:
    return [tag[2:] for tag in tags if tag.startswith("B-")]


def runs(tags: list[str]) -> list[str]:
    """The run structure: 'O' for each stretch of O tokens, the type for each entity."""
    out: list[str] = []
    for tag in tags:
        if tag == "O":
            if not out or out[-1] != "O":
                out.append("O")
        elif tag.startswith("B-") or not out or out[-1] == "O":
            out.append(tag[2:])
    return out


def valid_bio(tags: list[str]) -> bool:
    return all(
        tag == "O" or tag.startswith("B-") or (i > 0 and tags[i - 1] != "O" and tags[i - 1][2:] == tag[2:])
        for i, tag in enumerate(tags)
    )


@settings(max_examples=200, deadline=None)
@given(sentence=bio_sentences(), seed=st.integers(0, 2**32 - 1), ratio=st.sampled_from([0.5, 1.0]))
def test_tagging_invariants(sentence: tuple[list[str], list[str]], seed: int, ratio: float) -> None:
    tokens, tags = sentence
    example = Example("t1", "wikiann", "tagging", tokens=tokens, tags=tags)
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es", "de"), token_ratio=ratio, mix="many")
    switched = switch_example(example, LEXICONS, cfg, random.Random(seed))
    assert switched is not None
    assert len(switched.tokens) == len(switched.tags)
    assert valid_bio(switched.tags)
    assert entities(switched.tags) == entities(tags)  # same entities, same order, same types
    assert runs(switched.tags) == runs(tags)  # O stretches stay O, entities keep their type and order
    assert all(" " not in token for token in switched.tokens)
    if not switched.switched:
        assert switched.tokens == tokens and switched.tags == tags


def tag(tokens: list[str], tags: list[str], switch_entities: bool = True) -> tuple[list[str], list[str]]:
    example = Example("t1", "wikiann", "tagging", tokens=tokens, tags=tags)
    cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, switch_entities=switch_entities)
    switched = switch_example(example, LEXICONS, cfg, random.Random(0))
    assert switched is not None
    return switched.tokens, switched.tags


def test_tagging_multiword_translation_extends_the_entity() -> None:
    assert tag(["in", "york", "!"], ["O", "B-LOC", "O"]) == (
        ["in", "ciudad", "de", "York", "!"],
        ["O", "B-LOC", "I-LOC", "I-LOC", "O"],
    )
    assert tag(["Old", "york"], ["B-LOC", "I-LOC"]) == (
        ["Old", "ciudad", "de", "York"],
        ["B-LOC", "I-LOC", "I-LOC", "I-LOC"],
    )
    assert tag(["cream", "Paris"], ["O", "B-LOC"]) == (
        ["crema", "de", "leche", "Paris"],
        ["O", "O", "O", "B-LOC"],
    )


def test_tagging_entities_stay_unless_asked() -> None:
    assert tag(["big", "york", "dog"], ["O", "B-LOC", "O"], switch_entities=False) == (
        ["grande", "york", "perro"],
        ["O", "B-LOC", "O"],
    )


def test_tagging_multiword_units_inside_entities() -> None:
    assert tag(["new", "york", "city"], ["B-LOC", "I-LOC", "I-LOC"]) == (
        ["ciudad", "de", "Nueva", "York"],
        ["B-LOC", "I-LOC", "I-LOC", "I-LOC"],
    )
    assert tag(["ice", "cream", "Paris"], ["B-PROD", "I-PROD", "O"]) == (["helado", "Paris"], ["B-PROD", "O"])
    assert tag(["united", "states"], ["B-LOC", "I-LOC"]) == (["Estados", "Unidos"], ["B-LOC", "I-LOC"])


def test_tagging_multiword_source_does_not_cross_entities() -> None:
    tokens, tags = tag(["new", "york"], ["B-LOC", "B-LOC"])
    assert tokens == ["new", "ciudad", "de", "York"]
    assert tags == ["B-LOC", "B-LOC", "I-LOC", "I-LOC"]
    tokens, tags = tag(["new", "york"], ["O", "B-LOC"])
    assert tokens[0] == "new" and tags[0] == "O"


def test_tagging_with_pos_tags_switches_single_words_only() -> None:
    example = Example(
        "t1",
        "udpos",
        "tagging",
        tokens=["The", "big", "New", "York", "dog"],
        tags=["DET", "ADJ", "PROPN", "PROPN", "NOUN"],
    )
    switched = switch_example(
        example, LEXICONS, CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0), random.Random(0)
    )
    assert switched is not None
    assert switched.tags == example.tags
    assert switched.tokens[1:] == ["grande", "New", "York", "perro"]


def test_pair_and_choice_keep_labels() -> None:
    pair = Example("p1", "mnli", "pair", text_a="The dog eats.", text_b="A big dog.", label=2)
    choice = Example(
        "c1", "hellaswag", "choice", context="The dog", choices=["eats ice", "is big", "42"], label=1
    )
    cfg = CodeSwitchConfig(fit_forms=False, langs=("de", "es"), token_ratio=1.0)
    rng = random.Random(0)
    pair_out, choice_out = (
        switch_example(pair, LEXICONS, cfg, rng),
        switch_example(choice, LEXICONS, cfg, rng),
    )
    assert pair_out is not None and choice_out is not None
    assert pair_out.label == 2 and choice_out.label == 1
    assert "perro" in pair_out.text_a or "Hund" in pair_out.text_a
    assert len(choice_out.choices) == 3 and choice_out.choices[2] == "42"
    assert choice_out.choices[1].split(" ")[1] in ("grande", "groß")
    assert pair_out.lang == choice_out.lang == "de+es"
    assert all(s.lang in ("de", "es") for s in [*pair_out.switched, *choice_out.switched])


def test_retrieval_is_not_switched() -> None:
    example = Example("r1", "tatoeba", "retrieval", text_a="dog", text_b="perro")
    with pytest.raises(ConfigError, match="evaluation"):
        switch_example(example, LEXICONS, CodeSwitchConfig(fit_forms=False, langs=("es",)), random.Random(0))


GOLDEN = Path(__file__).parent / "data" / "codeswitch_golden.json"
GOLDEN_CONFIGS = {
    "es": CodeSwitchConfig(langs=("es",)),
    "de": CodeSwitchConfig(langs=("de",)),
    "sw": CodeSwitchConfig(langs=("sw",)),
    "tr": CodeSwitchConfig(langs=("tr",)),
    "mix": CodeSwitchConfig(langs=("es", "de", "sw", "tr"), mix="many"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CONFIGS))
def test_output_matches_golden_file(name: str) -> None:
    """30 XQuAD sentences, FreeDict entries they use (3 translations at most), seeds 0-2 (2 with a protected span).

    The expected texts and candidate counts were produced by an earlier, slower implementation:
    speed-ups must not change what any seed produces.
    """
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    lexicons = {lang: Lexicon("en", lang, entries, "golden") for lang, entries in golden["lexicons"].items()}
    for seed in (0, 1, 2):
        rng = random.Random(seed)
        for sentence, (text, candidates) in zip(
            golden["sentences"], golden["expected"][f"{name}/{seed}"], strict=True
        ):
            protect = [(len(sentence) // 3, len(sentence) // 2)] if seed == 2 else []
            result = switch_text(sentence, lexicons, GOLDEN_CONFIGS[name], rng, protect=protect)
            assert (result.text, result.candidates) == (text, candidates), sentence


GERMAN_RANKED = Lexicon(
    "en",
    "de",
    {"house": ["Haus"], "European": ["europäisch"], "dog": ["Hund"], "bowl": ["Schüssel"], "pro": ["Profi"]},
    "test",
)
SPANISH_NATIONALITY = Lexicon(
    "en", "es", {"European": ["europeo"], "house": ["casa"], "dog": ["perro"], "big": ["grande"]}, "test"
)


def switched_text(text: str, lexicon: Lexicon, **options: object) -> str:
    cfg = CodeSwitchConfig(fit_forms=False, langs=(lexicon.tgt,), token_ratio=1.0, **options)  # type: ignore[arg-type]
    return switch_text(text, {lexicon.tgt: lexicon}, cfg, random.Random(0)).text


def test_names_and_title_runs_stay_but_listed_capitalised_words_switch() -> None:
    assert switched_text("The Pro Bowl house.", GERMAN_RANKED) == "The Pro Bowl Haus."
    assert switched_text("Pro Bowl dog.", GERMAN_RANKED) == "Pro Bowl Hund."  # a run at the sentence start
    assert switched_text("A European house.", GERMAN_RANKED) == "A europäisch Haus."
    assert switched_text("A European house.", SPANISH_NATIONALITY) == "A europeo casa."  # no capital inside
    assert switched_text("European house.", SPANISH_NATIONALITY) == "Europeo casa."  # sentence start
    assert switched_text("The house is big.", GERMAN_RANKED) == "The Haus is big."  # German nouns keep theirs
    assert (
        switched_text("The Pro Bowl house.", GERMAN_RANKED, protect_names=False) == "The Profi Schüssel Haus."
    )


def test_acronyms_urls_emails_and_dates_are_protected() -> None:
    lexicon = Lexicon(
        "en", "es", {"dog": ["perro"], "march": ["marzo"], "example": ["ejemplo"], "abc": ["a"]}, "t"
    )
    text = "ABC dog on March 5, 2010 at www.example.com or dog@example.org, dog."
    assert (
        switched_text(text, lexicon)
        == "ABC perro on March 5, 2010 at www.example.com or dog@example.org, perro."
    )


def test_qa_title_spans_are_protected() -> None:
    example = Example(
        "q1",
        "squad",
        "qa",
        title="Big_Dog",
        context="Big Dog was a big dog.",
        question="What was Big Dog?",
        answers=[Answer("Big Dog", 0)],
    )
    lexicon = Lexicon("en", "es", {"big": ["grande"], "dog": ["perro"]}, "t")
    switched = switch_example(
        example,
        {"es": lexicon},
        CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0),
        random.Random(0),
    )
    assert switched is not None
    assert switched.context == "Big Dog was a grande perro." and switched.question == "What was Big Dog?"


def test_sense_choice_main_weighted_uniform() -> None:
    lexicon = Lexicon("en", "es", {"house": ["casa", "hogar", "vivienda"]}, "t")
    lexicon.weights = {"house": [6.0, 3.0, 1.0]}
    counts: dict[str, Counter[str]] = {}
    for sense in ("main", "weighted", "uniform"):
        cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, sense=sense)  # type: ignore[arg-type]
        rng = random.Random(1)
        counts[sense] = Counter(
            s.target for _ in range(3000) for s in switch_text("house", {"es": lexicon}, cfg, rng).switches
        )
    assert counts["main"] == {"casa": 3000}
    assert (
        abs(counts["weighted"]["casa"] / 3000 - 0.6) < 0.04
        and abs(counts["weighted"]["vivienda"] / 3000 - 0.1) < 0.03
    )
    assert all(abs(counts["uniform"][t] / 3000 - 1 / 3) < 0.04 for t in ("casa", "hogar", "vivienda"))
    with pytest.raises(ConfigError, match="sense"):
        CodeSwitchConfig(fit_forms=False, langs=("es",), sense="best")  # type: ignore[arg-type]


def test_ambiguous_words_stay_english_below_min_confidence() -> None:
    entries = {"house": ["casa", "hogar"], "bank": ["banco", "orilla"], "dog": ["perro"]}
    ranked = Lexicon("en", "es", entries, "t", ranking="frequency")
    ranked.weights = {"house": [8.0, 2.0], "bank": [5.0, 4.0], "dog": [1e-6]}
    text = "The house by the bank had a dog."

    def sources(lexicon: Lexicon, **options: object) -> list[str]:
        cfg = CodeSwitchConfig(fit_forms=False, langs=("es",), token_ratio=1.0, **options)  # type: ignore[arg-type]
        return [s.source for s in switch_text(text, {"es": lexicon}, cfg, random.Random(0)).switches]

    assert sources(ranked) == ["house", "dog"]  # bank: its best sense holds 5/9 < 0.6 of the scores
    assert sources(ranked, min_confidence=0.0) == ["house", "bank", "dog"]
    assert sources(ranked, min_confidence=0.9) == ["dog"]
    unranked = Lexicon("en", "es", entries, "t")  # listing order only: no evidence of ambiguity
    assert sources(unranked, min_confidence=0.9) == ["house", "bank", "dog"]
    with pytest.raises(ConfigError, match="min_confidence"):
        CodeSwitchConfig(fit_forms=False, langs=("es",), min_confidence=1.5)


def test_multiword_entries_with_function_words_match_first() -> None:
    lexicon = Lexicon("en", "de", {"of course": ["natürlich"], "course": ["Kurs"], "of": ["von"]}, "t")
    assert switched_text("It was of course a course.", lexicon) == "It was natürlich a Kurs."
