import numpy as np

from generator.projection.encoder_align import WordAlignment, itermax, project_aligned, words


def test_itermax_adds_mutual_best_matches_of_unaligned_rows() -> None:
    sim = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.1], [0.1, 0.1, 0.7]])
    first = itermax(sim, rounds=1)  # argmax only: row 1 and column 1 stay unaligned
    assert {tuple(x) for x in np.argwhere(first)} == {(0, 0), (2, 2)}
    more = itermax(sim, rounds=2)
    assert {tuple(x) for x in np.argwhere(more)} == {(0, 0), (0, 1), (1, 0), (2, 2)}


def test_words_split_punctuation_and_cjk() -> None:
    text = "Graubünden, 1998年"
    assert [text[a:b] for a, b in words(text)] == ["Graubünden", ",", "1998", "年"]


def test_projection_takes_the_densest_run() -> None:
    source, target = "the big red house", "la casa roja grande , y roja"
    alignment = WordAlignment(
        source,
        target,
        words(source),
        words(target),
        {(0, 0), (1, 3), (2, 2), (3, 1), (2, 6)},
        truncated=False,
    )
    start = source.index("red house")
    a, b, confidence = project_aligned(alignment, start, len(source)) or (0, 0, 0.0)
    assert target[a:b] == "casa roja"
    assert 0.0 < confidence <= 1.0
    assert project_aligned(alignment, 100, 120) is None
