"""Sentence retrieval without training: mean-pooled middle-layer embeddings, Tatoeba and mAP@20.

As XTREME's `evaluate_retrieval.py`: each sentence is encoded with `<s> ... </s>`, the hidden states
of one layer are averaged over the attention mask (`generator.encoder.states`), and candidates are
ranked by cosine similarity. `layer` indexes `hidden_states` (0 is the embedding output), default
`num_hidden_layers // 2`; XTREME's scripts take layer 8 of 12 for base models and 14 of 24 for
large ones in this indexing.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError, InputError
from trainer.distributed import gather_items, shard
from trainer.retrieval_metrics import map_at_k, rank_candidates, tatoeba_accuracy

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike

# LASER's Tatoeba file codes -> XTREME-R codes (XTREME's `lang3_dict`); the first 36 ship with LASER v1.
TATOEBA_CODES: dict[str, str] = {
    "afr": "af",
    "ara": "ar",
    "ben": "bn",
    "bul": "bg",
    "cmn": "zh",
    "deu": "de",
    "ell": "el",
    "est": "et",
    "eus": "eu",
    "fin": "fi",
    "fra": "fr",
    "heb": "he",
    "hin": "hi",
    "hun": "hu",
    "ind": "id",
    "ita": "it",
    "jav": "jv",
    "jpn": "ja",
    "kat": "ka",
    "kaz": "kk",
    "kor": "ko",
    "mal": "ml",
    "mar": "mr",
    "nld": "nl",
    "pes": "fa",
    "por": "pt",
    "rus": "ru",
    "spa": "es",
    "swh": "sw",
    "tam": "ta",
    "tel": "te",
    "tgl": "tl",
    "tha": "th",
    "tur": "tr",
    "urd": "ur",
    "vie": "vi",
    "aze": "az",
    "lit": "lt",
    "pol": "pl",
    "ukr": "uk",
    "ron": "ro",
}
_TATOEBA_FILE_CODE = {two: three for three, two in TATOEBA_CODES.items()}


def _file_code(lang: str) -> str:
    code = lang.strip().lower()
    if code in TATOEBA_CODES:
        return code
    if code in _TATOEBA_FILE_CODE:
        return _TATOEBA_FILE_CODE[code]
    raise ConfigError(
        f"no Tatoeba test set for language {lang!r}; use one of: {' '.join(sorted(_TATOEBA_FILE_CODE))}"
    )


def _pair_paths(directory: Path, three: str) -> tuple[Path, Path]:
    return directory / f"tatoeba.{three}-eng.{three}", directory / f"tatoeba.{three}-eng.eng"


def tatoeba_languages(directory: Path) -> list[str]:
    """The XTREME-R codes whose `tatoeba.<xxx>-eng.{xxx,eng}` pair is present in `directory`, sorted."""
    found = []
    for three, two in TATOEBA_CODES.items():
        src_path, eng_path = _pair_paths(Path(directory), three)
        if src_path.exists() and eng_path.exists():
            found.append(two)
    return sorted(found)


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path} is missing; point the Tatoeba directory at LASER's data/tatoeba/v1"
        ) from None
    except UnicodeDecodeError as err:
        line = _line_of_offset(path.read_bytes(), err.start)
        raise InputError(str(path), f"line {line}", "text", "not valid UTF-8") from None
    return [line.strip() for line in text.splitlines()]


def _line_of_offset(data: bytes, offset: int) -> int:
    """The 1-based line number holding byte `offset`."""
    return data.count(b"\n", 0, offset) + 1


def read_tatoeba(directory: Path, lang: str) -> tuple[list[str], list[str]]:
    """The line-aligned (sentences in `lang`, English sentences) of one Tatoeba test pair.

    `lang` is an XTREME-R code (sw, zh, fa...) or LASER's file code (swh, cmn, pes...).
    """
    three = _file_code(lang)
    src_path, eng_path = _pair_paths(Path(directory), three)
    src, eng = _read_lines(src_path), _read_lines(eng_path)
    if len(src) != len(eng):
        raise InputError(
            str(eng_path),
            f"line {min(len(src), len(eng)) + 1}",
            "text",
            f"{len(eng)} English lines for {len(src)} lines in {src_path.name}; the files must be line-aligned",
        )
    for path, lines in ((src_path, src), (eng_path, eng)):
        for i, line in enumerate(lines):
            if not line:
                raise InputError(str(path), f"line {i + 1}", "text", "empty sentence; remove the pair")
    return src, eng


def embed_sentences(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[str],
    *,
    layer: int | None = None,
    batch_size: int = 64,
    max_length: int = 512,
) -> np.ndarray:
    """Mean-pooled hidden states of one layer for each sentence, as a float32 (n, hidden) array.

    `generator.encoder.states.embed_texts` with its length-sorted batches dealt out over the
    processes of a distributed launch; every process gets all rows, in input order.
    """
    import numpy as np

    from generator.encoder.states import check_layer, pool, run_batches

    chosen = check_layer(model, layer)
    out = np.zeros((len(sentences), int(model.config.hidden_size)), dtype=np.float32)
    if not sentences:
        return out
    encoded = tokenizer(list(sentences), truncation=True, max_length=max_length)["input_ids"]
    rows = [
        (index, pool(states, mask))
        for index, states, mask in run_batches(model, tokenizer, encoded, chosen, batch_size, shard)
    ]
    for index, pooled_rows in gather_items(rows):
        out[index] = pooled_rows
    return out


def evaluate_tatoeba(
    model: Any,
    tokenizer: Any,
    src_sentences: Sequence[str],
    eng_sentences: Sequence[str],
    *,
    layer: int | None = None,
    prefix: str = "",
    batch_size: int = 64,
    max_length: int = 512,
) -> dict[str, float]:
    """Tatoeba top-1 cosine accuracy (percent) in both directions.

    `accuracy` is en->xx, XTREME's number: its script indexes the `lang` sentences and searches
    them with each English sentence. `accuracy_xx_en` is the reverse search, reported beside it.
    `prefix` goes before every sentence (an embedding model's protocol, e.g. E5's "query: ").
    """
    if len(src_sentences) != len(eng_sentences):
        raise ConfigError(
            f"{len(src_sentences)} sentences against {len(eng_sentences)} English sentences; "
            "Tatoeba pairs must be line-aligned"
        )
    kwargs: dict[str, Any] = {"layer": layer, "batch_size": batch_size, "max_length": max_length}
    src = embed_sentences(model, tokenizer, [prefix + s for s in src_sentences], **kwargs)
    eng = embed_sentences(model, tokenizer, [prefix + s for s in eng_sentences], **kwargs)
    return {"accuracy": tatoeba_accuracy(eng, src), "accuracy_xx_en": tatoeba_accuracy(src, eng)}


def evaluate_ranking(
    queries: ArrayLike, candidates: ArrayLike, relevant: Sequence[Collection[Hashable]], *, k: int = 20
) -> float:
    """mAP@k (percent) of ranking `candidates` by cosine for each query embedding.

    `relevant[i]` holds the candidate row indices that answer query i (LAReQA: every translation
    of the answer sentence; Mewsli-X: the one gold entity).
    """
    return map_at_k(relevant, rank_candidates(queries, candidates, k=k), k=k)
