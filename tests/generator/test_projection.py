"""Span and label projection: markers, fuzzy matching, alignment, lost spans, tagging."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.example import Answer, Example
from generator.projection.config import ALIGN, FUZZY, LOST_SPAN, MARKER, ProjectionConfig
from generator.projection.fields import translate_fields
from generator.projection.project import project_span
from generator.projection.qa_assembly import assemble_qa
from generator.projection.qa_plan import colour_spans, plan_qa
from generator.projection.spans import align_span, fuzzy_find, mark, read_marked, similarity
from generator.projection.tags import entity_runs, mark_entities, project_tags

CFG = ProjectionConfig()
M = ("[[", "]]")


def test_mark_and_read_back() -> None:
    text = "The cat sat on the red mat."
    marked = mark(text, [(15, 26)], M)
    assert marked == "The cat sat on [[the red mat]]."
    read = read_marked("El gato se sentó en [[ la alfombra roja ]] .", M, 1)
    assert read is not None
    start, end = read.spans[0]
    assert read.text[start:end] == "la alfombra roja"
    assert "  " not in read.text


@pytest.mark.parametrize(
    "translated",
    ["El gato [[la alfombra roja.", "El gato la alfombra]] roja.", "[[a]] y [[b]]", "[[a [[b]] c"],
)
def test_damaged_markers_are_not_read(translated: str) -> None:
    assert read_marked(translated, M, 1) is None


def test_mark_rejects_overlapping_spans() -> None:
    with pytest.raises(ValueError, match="disjoint"):
        mark("abcdef", [(0, 3), (2, 4)], M)


def test_markers_must_differ() -> None:
    with pytest.raises(ValueError, match="different"):
        ProjectionConfig(markers=("##", "##"))


def test_similarity_and_fuzzy_find() -> None:
    assert similarity("Denver Broncos", "denver  broncos") == 1.0
    assert similarity("1999", "1998") < 0.6
    hay = "El equipo de los Broncos de Denver ganó el título en 2016."
    found = fuzzy_find("los Broncos de Denver", hay)
    assert found is not None
    start, end, score = found
    assert hay[start:end] == "los Broncos de Denver"
    assert score == 1.0
    start, end, _ = fuzzy_find("2016", hay) or (0, 0, 0.0)
    assert hay[start:end] == "2016"  # edge punctuation stripped


def test_marker_path_prefers_the_shared_translation() -> None:
    source = "The cat sat on the red mat yesterday."
    match = project_span(
        source,
        15,
        26,
        plain="El gato se sentó en la estera roja ayer.",
        marked="El gato sentado en [[la estera roja]] ayer.",
        answer_translation=None,
        config=CFG,
    )
    assert match is not None
    assert (match.method, match.confidence, match.replaces) == (MARKER, 1.0, False)
    assert match.text == "la estera roja"
    assert match.sentence.startswith("El gato se sentó")


def test_marker_path_replaces_the_sentence_when_the_span_is_not_in_it() -> None:
    match = project_span(
        "The red car was fast.",
        4,
        7,
        plain="El automóvil rojizo era rápido.",
        marked="El [[rojo]] el coche era rápido.",
        answer_translation=None,
        config=CFG,
    )
    assert match is not None and match.replaces
    assert match.sentence == "El rojo el coche era rápido."
    assert match.text == "rojo"
    locked = project_span(
        "The red car was fast.",
        4,
        7,
        plain="El automóvil rojizo era rápido.",
        marked="El [[rojo]] el coche era rápido.",
        answer_translation=None,
        config=CFG,
        allow_replace=False,
    )
    assert locked is None  # not replaceable and not similar enough: waits for the answer's own translation


def test_fuzzy_path_when_markers_are_lost() -> None:
    source = "He was born in the city of Lisbon in 1950."
    match = project_span(
        source,
        19,
        33,
        plain="Nació en la ciudad de Lisboa en 1950.",
        marked="Nació en [ la ciudad de Lisboa en 1950.",
        answer_translation="la ciudad de Lisboa",
        config=CFG,
    )
    assert match is not None
    assert (match.method, match.text) == (FUZZY, "la ciudad de Lisboa")
    assert match.confidence == 1.0


def test_untranslated_answer_needs_no_answer_translation() -> None:
    match = project_span(
        "It opened in 1999 downtown.",
        13,
        17,
        plain="Abrió en 1999 en el centro.",
        marked=None,
        answer_translation=None,
        config=CFG,
    )
    assert match is not None and (match.method, match.text) == (FUZZY, "1999")


def test_alignment_fallback_between_anchors() -> None:
    source = "Smith met Jones near the old bridge with Brown in 1920."
    target = "Smith conoció a Jones cerca del puente viejo con Brown en 1920."
    start = source.index("near the old bridge")
    end = start + len("near the old bridge")
    aligned = align_span(source, start, end, target)
    assert aligned is not None
    a, b, confidence = aligned
    assert "puente" in target[a:b]
    assert 0.2 < confidence <= 0.5
    match = project_span(
        source,
        start,
        end,
        plain=target,
        marked=None,
        answer_translation="xyzzy",
        config=CFG,
    )
    assert match is not None and match.method == ALIGN
    assert match.confidence == confidence


def test_lost_span_returns_none() -> None:
    source = "The quick brown fox jumps over the lazy dog and keeps running far away."
    match = project_span(
        source,
        4,
        9,
        plain="Zorro marrón rápido salta sobre el perro perezoso y sigue corriendo lejos.",
        marked=None,
        answer_translation="qqqq",
        config=CFG,
    )
    assert match is None


def _qa(context: str, question: str, answer: str, qid: str) -> Example:
    return Example(
        id=qid,
        task="squad",
        kind="qa",
        context=context,
        question=question,
        answers=[Answer(answer, context.index(answer))],
    )


CONTEXT = "The cat sat on the mat. The dog slept in the garden. It rained all day."
TRANSLATIONS = {
    "The cat sat on the mat.": "El gato se sentó en la estera.",
    "The dog slept in the garden.": "El perro durmió en el jardín.",
    "It rained all day.": "Llovió todo el día.",
    "The dog slept in [[the garden]].": "El perro durmió en [[el jardín]].",
    "The cat sat on [[the mat]].": "El gato sentado en [[la estera]].",
    "Where did the dog sleep?": "¿Dónde durmió el perro?",
    "Where did the cat sit?": "¿Dónde se sentó el gato?",
}


def test_shared_context_questions_keep_valid_offsets() -> None:
    a = _qa(CONTEXT, "Where did the dog sleep?", "the garden", "q1")
    b = _qa(CONTEXT, "Where did the cat sit?", "the mat", "q2")
    outs = []
    for ex in (a, b):
        plan = plan_qa(ex, CFG, together=(a, b))
        assert plan.plain_texts() == list(TRANSLATIONS)[:3]
        # Each sentence once: the marked copy stands in for a sentence that holds an answer.
        assert plan.texts() == [
            "The cat sat on [[the mat]].",
            "The dog slept in [[the garden]].",
            "It rained all day.",
        ]
        result = assemble_qa(plan, TRANSLATIONS, lang="es", method="translate", config=CFG)
        assert result.example is not None
        outs.append(result.example)
    for out in outs:
        for ans in out.answers:
            assert out.context[ans.start : ans.start + len(ans.text)] == ans.text
        assert (out.lang, out.method, out.projection) == ("es", "translate", MARKER)
    assert [o.answers[0].text for o in outs] == ["el jardín", "la estera"]
    # Both questions read the same sentence translations, so the contexts are the same text.
    assert (
        outs[0].context
        == outs[1].context
        == "El gato sentado en la estera. El perro durmió en el jardín. Llovió todo el día."
    )
    assert outs[0].question == "¿Dónde durmió el perro?"


BRONCOS = "The Denver Broncos defeated the Carolina Panthers in Santa Clara."
BRONCOS_QA = [
    ("Who won?", "Denver Broncos"),
    ("Who lost?", "the Carolina Panthers"),
    ("Where?", "Santa Clara"),
]
QUESTIONS = {
    "Who won?": "¿Quién ganó?",
    "Who lost?": "¿Quién perdió?",
    "Where?": "¿Dónde?",
    "Which team?": "¿Qué?",
}


def _broncos(extra: tuple[tuple[str, str], ...] = ()) -> list[Example]:
    return [_qa(BRONCOS, q, a, f"b{k}") for k, (q, a) in enumerate([*BRONCOS_QA, *extra])]


def test_colour_spans_puts_overlaps_in_later_groups() -> None:
    assert colour_spans([(4, 9), (0, 3), (4, 9), (2, 6), (10, 12)]) == [((0, 3), (4, 9), (10, 12)), ((2, 6),)]


def test_answers_of_one_sentence_share_one_copy_with_a_pair_each() -> None:
    examples = _broncos()
    copy = "The [[Denver Broncos]] defeated [[the Carolina Panthers]] in [[Santa Clara]]."
    translations = {
        **QUESTIONS,
        copy: "Los [[Broncos de Denver]] derrotaron [[los Carolina Panthers]] en [[Santa Clara]].",
    }
    texts = set()
    for k, ex in enumerate(examples):
        plan = plan_qa(ex, CFG, together=examples)
        texts.update(plan.texts())
        (ap,) = plan.answers
        assert (ap.marked, ap.pair, ap.primary) == (copy, k, True)
        result = assemble_qa(plan, translations, lang="es", method="translate", config=CFG)
        assert result.example is not None and result.example.projection == MARKER
        (answer,) = result.example.answers
        assert (
            result.example.context == "Los Broncos de Denver derrotaron los Carolina Panthers en Santa Clara."
        )
        assert result.example.context[answer.start : answer.start + len(answer.text)] == answer.text
        assert answer.text == ["Broncos de Denver", "los Carolina Panthers", "Santa Clara"][k]
    assert texts == {copy}


def test_overlapping_answer_gets_its_own_copy_looked_up_in_the_shared_one() -> None:
    examples = _broncos((("Which team?", "Carolina Panthers"),))
    plans = [plan_qa(ex, CFG, together=examples) for ex in examples]
    shared = "The [[Denver Broncos]] defeated [[the Carolina Panthers]] in [[Santa Clara]]."
    second = "The Denver Broncos defeated the [[Carolina Panthers]] in Santa Clara."
    assert plans[3].answers[0].marked == second and not plans[3].answers[0].primary
    assert plans[3].texts() == [shared, second]
    translations = {
        **QUESTIONS,
        shared: "Los [[Broncos de Denver]] derrotaron [[los Carolina Panthers]] en [[Santa Clara]].",
        second: "Los Broncos de Denver derrotaron los [[Carolina Panthers]] en Santa Clara.",
    }
    result = assemble_qa(plans[3], translations, lang="es", method="translate", config=CFG)
    assert result.example is not None
    assert result.example.context == "Los Broncos de Denver derrotaron los Carolina Panthers en Santa Clara."
    assert result.example.answers == [Answer("Carolina Panthers", result.example.context.index("Carolina"))]
    assert result.example.projection == MARKER


def test_reordered_pairs_fall_back_to_the_sentence_and_one_copy_per_answer() -> None:
    examples = _broncos()
    plan = plan_qa(examples[2], CFG, together=examples)
    shared = plan.answers[0].marked
    assert shared is not None
    swapped = {
        **QUESTIONS,
        shared: "En [[Santa Clara]], [[los Carolina Panthers]] perdieron ante [[Broncos de Denver]].",
    }
    first = assemble_qa(plan, swapped, lang="es", method="translate", config=CFG)
    single = "The Denver Broncos defeated the Carolina Panthers in [[Santa Clara]]."
    assert first.example is None and first.retry == [BRONCOS, single]
    plain = "Los Broncos de Denver derrotaron los Carolina Panthers en Santa Clara."
    more = {
        **swapped,
        BRONCOS: plain,
        single: "Los Broncos de Denver derrotaron los Carolina Panthers en [[Santa Clara]].",
    }
    result = assemble_qa(plan, more, lang="es", method="translate", config=CFG)
    assert result.example is not None and result.example.projection == MARKER
    assert result.example.context == plain
    assert result.example.answers == [Answer("Santa Clara", plain.index("Santa Clara"))]


def test_answer_across_a_sentence_boundary_is_marked_over_both_sentences() -> None:
    ex = _qa(CONTEXT, "What?", "mat. The dog", "q3")
    plan = plan_qa(ex, CFG)
    (ap,) = plan.answers
    assert (ap.first, ap.last) == (0, 1)
    assert ap.marked == "The cat sat on the [[mat. The dog]] slept in the garden."


def test_pending_answers_then_lost_span() -> None:
    ex = _qa(CONTEXT, "Where did the dog sleep?", "the garden", "q1")
    plan = plan_qa(ex, CFG)
    broken = {**TRANSLATIONS, "The dog slept in [[the garden]].": "El perro durmió en el jardín."}
    first = assemble_qa(plan, broken, lang="es", method="translate", config=CFG)
    assert first.example is None and first.pending == ["the garden"]
    found = assemble_qa(
        plan,
        broken,
        lang="es",
        method="translate",
        config=CFG,
        answer_translations={"the garden": "el jardín"},
    )
    assert found.example is not None and found.example.projection == FUZZY
    lost = assemble_qa(
        plan, broken, lang="es", method="translate", config=CFG, answer_translations={"the garden": "zzzz"}
    )
    assert lost.example is None and lost.reason == LOST_SPAN


def test_unanswerable_question_has_no_projection() -> None:
    ex = Example(
        id="u",
        task="squad_v2",
        kind="qa",
        context=CONTEXT,
        question="Where did the cat sit?",
        is_impossible=True,
    )
    result = assemble_qa(plan_qa(ex, CFG), TRANSLATIONS, lang="es", method="translate", config=CFG)
    assert result.example is not None
    assert result.example.answers == [] and result.example.is_impossible


def test_entity_runs_and_marking() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "O"]
    assert entity_runs(tags) == [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC")]
    tokens = ["John", "Smith", "visited", "New", "York", "today"]
    tags = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"]
    assert mark_entities(tokens, tags, M) == "[[John Smith]] visited [[New York]] today"


def test_project_tags_assigns_bio_to_covered_tokens() -> None:
    ex = Example(
        id="t",
        task="wikiann",
        kind="tagging",
        tokens=["John", "Smith", "visited", "New", "York", "today"],
        tags=["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"],
    )
    out = project_tags(
        ex, "[[John Smith]] visitó [[Nueva York]] hoy", lang="es", method="translate", config=CFG
    )
    assert out is not None
    assert out.tokens == ["John", "Smith", "visitó", "Nueva", "York", "hoy"]
    assert out.tags == ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"]
    assert out.projection == MARKER
    lost = project_tags(ex, "[[John Smith]] visitó Nueva York hoy", lang="es", method="translate", config=CFG)
    assert lost is None


def test_pair_fields_translated_and_label_carried() -> None:
    ex = Example(
        id="p",
        task="mnli",
        kind="pair",
        text_a="It rained all day.",
        text_b="The cat sat on the mat.",
        label=2,
    )
    out = translate_fields(ex, TRANSLATIONS, lang="es", method="translate")
    assert (out.text_a, out.text_b, out.label) == ("Llovió todo el día.", "El gato se sentó en la estera.", 2)


def test_retrieval_translates_text_a_only() -> None:
    ex = Example(id="r", task="tatoeba", kind="retrieval", text_a="It rained all day.", text_b="Es regnete.")
    out = translate_fields(ex, TRANSLATIONS, lang="es", method="translate")
    assert (out.text_a, out.text_b) == ("Llovió todo el día.", "Es regnete.")


@pytest.mark.skipif(shutil.which("apertium") is None, reason="needs apertium + apertium-eng-spa")
def test_apertium_keeps_the_default_markers() -> None:
    from generator.backends.registry import create_translator

    translator = create_translator("apertium")
    sources = [
        "The Denver Broncos defeated the [[Carolina Panthers]] in [[Santa Clara]].",
        "The game was played on [[February 7, 2016]].",
    ]
    out = translator.translate(sources, "en", "es")
    reads = [read_marked(text, M, source.count("[[")) for source, text in zip(sources, out, strict=True)]
    assert all(r is not None for r in reads)
    first = reads[0]
    assert first is not None
    assert [first.text[a:b] for a, b in first.spans][1] == "Santa Clara"


def _squeeze_reference(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Whitespace squeezing one character at a time, the definition `_squeeze` must match."""
    new_index: list[int] = []
    out: list[str] = []
    previous_space = True
    for char in text:
        new_index.append(len(out))
        if char.isspace():
            if not previous_space:
                out.append(" ")
            previous_space = True
        else:
            out.append(char)
            previous_space = False
    new_index.append(len(out))
    squeezed = "".join(out).removesuffix(" ") if out and out[-1] == " " else "".join(out)
    mapped = []
    for start, end in spans:
        a, b = new_index[start], min(new_index[end], len(squeezed))
        while a < b and squeezed[a].isspace():
            a += 1
        while b > a and squeezed[b - 1].isspace():
            b -= 1
        mapped.append((a, b))
    return squeezed, mapped


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab \t\n\u00a0\u2003\x1cé", max_size=16), st.lists(st.integers(0, 16), max_size=4))
def test_squeeze_matches_the_character_by_character_definition(text: str, cuts: list[int]) -> None:
    from generator.projection.spans import _squeeze

    points = sorted(min(c, len(text)) for c in cuts)
    spans = list(zip(points[0::2], points[1::2], strict=False))
    assert _squeeze(text, spans) == _squeeze_reference(text, spans)
