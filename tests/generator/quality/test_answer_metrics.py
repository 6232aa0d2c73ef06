from generator.quality.answer_metrics import exact_match, normalize_answer, token_f1


def test_normalisation_drops_unicode_punctuation_and_the_languages_articles() -> None:
    assert normalize_answer("«Die  Schweiz»!", "de") == "schweiz"
    assert normalize_answer("«Die  Schweiz»!", "ru") == "die schweiz"  # no article list for ru
    assert normalize_answer("The end.", "en") == "end"


def test_exact_match_and_f1() -> None:
    assert exact_match("der Rhein", "Rhein", "de") == 1.0
    assert exact_match("Rhein", "Rhone", "de") == 0.0
    assert token_f1("im Jahr 1998", "1998", "de") == 0.5
    assert token_f1("", "1998", "de") == 0.0
