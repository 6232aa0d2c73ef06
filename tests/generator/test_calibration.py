from generator.projection.auto import Candidate, choose
from generator.projection.calibration import apply, calibrate, expected_calibration_error, fit_isotonic


def test_isotonic_fit_is_monotone_and_interpolates() -> None:
    rows = [(0.1, 0.0), (0.2, 1.0), (0.3, 0.0), (0.6, 1.0), (0.9, 1.0), (0.95, 1.0)]
    points = fit_isotonic(rows, bins=6)
    assert [y for _, y in points] == sorted(y for _, y in points)
    assert apply(points, 0.0) == points[0][1] and apply(points, 2.0) == points[-1][1]
    assert calibrate({}, "fuzzy", 0.42) == 0.42


def test_ece_per_decile() -> None:
    ece, table = expected_calibration_error([(1.0, 1.0)] * 5 + [(0.5, 0.0)] * 5, bins=2)
    assert ece == 0.25 and table == [(0.5, 0.0, 5), (1.0, 1.0, 5)]


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
