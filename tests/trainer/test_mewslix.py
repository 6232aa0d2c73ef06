"""Mewsli-X queries, candidates and pairs read as XTREME-R's utils_mewslix preprocesses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import InputError
from tests.conftest import shared_file
from trainer.mewslix import read_entities, read_labels, read_mentions, read_pairs, split_languages

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "trainer" / "mewslix"


def _document(text: str, spans: list[tuple[int, int]], mention: str, at: int) -> dict[str, object]:
    return {
        "context": {
            "language": "en",
            "text": text,
            "sentence_spans": [{"start": s, "end": e} for s, e in spans],
        },
        "mentions": [
            {
                "example_id": "m1",
                "mention_span": {"start": at, "end": at + len(mention), "text": mention},
                "entity_id": "Q1",
            }
        ],
    }


def test_query_is_the_marked_mention_in_its_sentence(tmp_path: Path) -> None:
    text = "Intro.\n\nThe {old} name of Helsinki\u2028was {Helsingfors}.  Next."
    first, at = text.index("The"), text.index("Helsinki")
    spans = [(0, 6), (first, text.index("  Next")), (text.index("Next"), len(text))]
    doc = _document(text, spans, "Helsinki", at)
    path = tmp_path / "dev-en.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    (mention,) = read_mentions(path)
    # One sentence of context, braces turned into parentheses, the line separator folded into a space.
    assert mention.text == "Helsinki: The (old) name of { Helsinki } was (Helsingfors)."
    assert (mention.example_id, mention.lang, mention.entity_id) == ("m1", "en", "Q1")
    doc = _document(text, [(0, 6), (first, at + 3), (at + 3, len(text))], "Helsinki", at)
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="crosses sentence boundaries"):
        read_mentions(path)


def test_samples_and_shared_files() -> None:
    ids, texts = read_entities(SAMPLES / "candidate_set_entities.jsonl")
    assert len(ids) == 16 and texts[0] == (
        "Helsinki is the capital and most populous city of Finland. It lies on the shore of the Gulf of Finland."
    )
    pairs = read_pairs(SAMPLES / "wikipedia_pairs-train.jsonl")
    assert pairs[0][0] == "Helsinki: The ferry left { Helsinki } at dawn."
    assert pairs[0][1] == texts[0]
    directory = shared_file("xtreme-r/download/mewslix/wikinews_labels/dev-en.json").parents[1]
    assert split_languages(directory, "dev") == ["ar", "en"]
    (mention,) = read_mentions(directory / "wikinews_mentions" / "dev-en.jsonl")
    assert mention.text.startswith("Helsinki: In { Helsinki } , the Finnish trade union")
    assert read_labels(directory / "wikinews_labels" / "dev-en.json") == {mention.example_id: ["Q1757"]}
    # XTREME-R's test split keeps the mentions but blanks their entity ids.
    assert {m.entity_id for m in read_mentions(directory / "wikinews_mentions" / "test-ar.jsonl")} == {""}
