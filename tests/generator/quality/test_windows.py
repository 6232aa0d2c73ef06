import pytest

from generator.quality.parallel import read_parallel_squad
from generator.quality.windows import align_sentences, answer_window
from generator.segment import Segment
from tests.conftest import shared_file


def _segments(*texts: str) -> list[Segment]:
    return [Segment(t, 0, len(t)) for t in texts]


def test_beads_follow_relative_lengths() -> None:
    source = _segments("a" * 100, "b" * 20, "c" * 20, "d" * 60)
    target = _segments("A" * 120, "B" * 48, "D" * 70)  # b and c became one longer sentence
    assert align_sentences(source, target) == [((0, 1), (0, 1)), ((1, 3), (1, 2)), ((3, 4), (2, 3))]


@pytest.mark.parametrize("lang", ["de", "el", "ru"])
def test_windows_hold_the_gold_answer_on_real_xquad(lang: str) -> None:
    items = read_parallel_squad(
        shared_file("xquad/xquad.en.json"), shared_file(f"xquad/xquad.{lang}.json"), lang
    )
    assert len(items) == 1190
    sample = items[::40]
    inside = 0
    for it in sample:
        w = answer_window(it.source, it.start, it.end, it.target, target_lang=lang)
        assert w.source[0] <= it.start and it.end <= w.source[1]
        inside += w.target[0] <= it.gold_start and it.gold_start + len(it.gold) <= w.target[1]
    assert inside >= 0.95 * len(sample)
