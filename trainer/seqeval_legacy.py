"""seqeval 0.0.12's chunk F1, the version XTREME's own expected mock scores were computed with.

seqeval 1.x (which the project reports, see docs/trainer.md) and 0.0.12 share their chunk
boundary rules (`end_of_chunk`, `start_of_chunk`) and differ only in how a tag is split into
prefix and type. With the prefix as the first character:

- 0.0.12: the type is the text after the last "-", so a POS tag is its own type ("SCONJ").
- 1.x: the type is the text after the first character (up to a "-"), or "_" when nothing is left:
  "SCONJ" and "CCONJ" share the type "CONJ", and "X" gets "_", the type of the "O" seqeval puts
  after every sentence, so an X chunk ending a sentence never closes and is never counted.

On UD-POS this moves F1 (XTREME's mock submission: 70.22 with 0.0.12, 70.40 with 1.2.2); on
well-formed IOB2 named-entity tags the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

Chunk = tuple[str, int, int]


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    return (
        prev_tag in ("E", "S")
        or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
        or (prev_tag not in ("O", ".") and prev_type != type_)
    )


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    return (
        tag in ("B", "S")
        or (prev_tag in ("E", "S", "O") and tag in ("E", "I"))
        or (tag not in ("O", ".") and prev_type != type_)
    )


def legacy_entities(sentences: Sequence[Sequence[str]]) -> list[Chunk]:
    """0.0.12's `get_entities` on a list of tagged sentences: (type, first, last) over the joined tags."""
    seq = [tag for sentence in sentences for tag in [*sentence, "O"]]
    prev_tag, prev_type, begin = "O", "", 0
    chunks: list[Chunk] = []
    for i, chunk in enumerate([*seq, "O"]):
        tag, type_ = chunk[0], chunk.split("-")[-1]
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def legacy_seqeval_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """0.0.12's micro F1 / precision / recall (0-1) of `pred` against `gold`."""
    true_chunks = set(legacy_entities(gold))
    pred_chunks = set(legacy_entities(pred))
    correct = len(true_chunks & pred_chunks)
    p = correct / len(pred_chunks) if pred_chunks else 0
    r = correct / len(true_chunks) if true_chunks else 0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0
    return {"f1": float(f1), "precision": float(p), "recall": float(r)}
