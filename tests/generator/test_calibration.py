from generator.projection.auto import Candidate, choose
from generator.projection.calibration import apply, calibrate, expected_calibration_error, fit_isotonic


def test_isotonic_fit_is_monotone_and_interpolates() -> None:
    rows = [(0.1, 0.0), (0.2, 1.0), (0.3, 0.0), (0.6, 1.0), (0.9, 1.0), (0.95, 1.0)]
    points = fit_isotonic(rows, bins=6)
    assert [y for _, y in points] == sorted(y for _, y in points)
    assert apply(points, 0.0) == points[0][1] and apply(points, 2.0) == points[-1][1]
    assert calibrate({}, "fuzzy", 0.42) == 0.42


def test_isotonic_fit_never_splits_a_tie() -> None:
    rows = [(0.2, 0.0)] * 10 + [(1.0, 0.0)] * 3 + [(1.0, 1.0)] * 7
    points = fit_isotonic(rows, bins=20)
    assert points == ((0.2, 0.0), (1.0, 0.7))
    assert calibrate({"fuzzy": points}, "fuzzy", 1.0) == 0.7


def test_ece_over_ten_equal_width_bins() -> None:
    rows = [(0.05, 0.0)] * 2 + [(0.95, 1.0)] * 6 + [(0.95, 0.0)] * 2
    ece, table = expected_calibration_error(rows)
    assert table == [(0.05, 0.0, 2), (0.95, 0.75, 8)]
    # weighted mean of |EM rate - mean confidence|: 0.2 * 0.05 + 0.8 * 0.2
    assert ece == 0.17


def test_ece_bins_are_left_closed_and_the_last_holds_one() -> None:
    _, table = expected_calibration_error([(0.3, 1.0), (0.39, 1.0), (1.0, 0.0), (0.9, 0.0), (0.0, 0.0)])
    assert [n for _, _, n in table] == [1, 2, 2]
    assert expected_calibration_error([]) == (0.0, [])


def test_choice_records_winner_runners_up_and_agreement() -> None:
    table = {
        "fuzzy": ((0.0, 0.1), (1.0, 0.9)),
        "align": ((0.0, 0.2), (1.0, 0.3)),
        "agreed": ((0.0, 0.5), (1.0, 0.99)),
    }
    choice = choose([Candidate(0, 4, "fuzzy", 1.0), Candidate(0, 4, "align", 0.5)], table)
    assert choice is not None and choice.method == "fuzzy"
    assert "agreed by align" in choice.why and choice.confidence > 0.9
    alone = choose([Candidate(0, 4, "fuzzy", 0.0), Candidate(5, 9, "align", 1.0)], table)
    assert alone is not None and (alone.method, alone.confidence) == ("align", 0.3)
    assert choose([], table) is None
