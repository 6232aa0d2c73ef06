"""The split a task file holds, read from the naming conventions of its layouts.

XTREME-R names files `<split>-<lang>.tsv` / `<split>-<lang>.jsonl`, the original releases use
`dev_2k.tsv`, `xnli.test.tsv`, `val.et.jsonl`, `socialIQa_v1.4_tst.jsonl`, `en_ewt-ud-test.conllu`,
`de-en.sample.gold`... XQuAD, XQuAD-R and Tatoeba files are evaluation sets as a whole.
"""

from __future__ import annotations

import re
from pathlib import Path

_WORDS = {
    "train": "train",
    "trn": "train",
    "training": "train",
    "dev": "dev",
    "val": "dev",
    "valid": "dev",
    "validation": "dev",
    "sample": "dev",
    "test": "test",
    "tst": "test",
}
_WHOLE_TEST_SETS = frozenset({"xquad", "lareqa", "tatoeba"})


def split_of(path: Path, fmt: str) -> str:
    """train, dev or test as the file name says it (dev covers val / validation / BUCC's sample),
    "test" for the evaluation-only sets, else "unnamed"."""
    words = re.split(r"[^a-z]+", path.name.lower())
    found = [_WORDS[word] for word in words if word in _WORDS]
    if found:
        return found[-1]
    return "test" if fmt in _WHOLE_TEST_SETS else "unnamed"
