"""The projection benchmark end to end: parallel gold per language, every method scored, calibration checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.projection.auto import AGREED, Candidate
from generator.projection.calibration import Points, calibrate, expected_calibration_error, fit_isotonic
from generator.projection.calibration_table import CALIBRATION
from generator.projection.config import ALIGN, AUTO, ENCODER_ALIGN, FUZZY, ProjectionConfig
from generator.projection.encoder_align import EncoderAligner
from generator.quality.answer_metrics import exact_match
from generator.quality.parallel import ParallelSpan
from generator.quality.projection_bench import Score, WindowedSpan, auto, candidates, score, single, windowed

METHODS = (FUZZY, ALIGN, ENCODER_ALIGN, AUTO)


@dataclass
class LanguageResult:
    """Scores of every method on one language, and auto's calibration."""

    lang: str
    silver: bool
    scores: dict[str, Score] = field(default_factory=dict)
    ece: float = 0.0
    deciles: list[tuple[float, float, int]] = field(default_factory=list)
    wins: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Measured:
    """One language's answers cut to their windows, every method's candidates and which ran past the encoder."""

    lang: str
    silver: bool
    spans: list[WindowedSpan]
    cands: list[list[Candidate]]
    lost_length: list[bool]
    encoder: bool


def measure(
    items: Sequence[ParallelSpan], aligner: EncoderAligner | None, *, silver: bool = False
) -> Measured:
    """Windows and candidates of one language's parallel spans (the costly part: the encoder runs here)."""
    spans = windowed(items)
    cands = candidates(spans, aligner)
    lost_length = (
        [a.truncated for a in aligner.last_alignments] if aligner is not None else [False] * len(spans)
    )
    return Measured(items[0].lang if items else "", silver, spans, cands, lost_length, aligner is not None)


def score_language(
    measured: Measured, config: ProjectionConfig, table: Mapping[str, Points] = CALIBRATION
) -> LanguageResult:
    """Every method's scores on measured candidates, `auto` choosing by `table`, and auto's calibration."""
    spans, cands, lost_length = measured.spans, measured.cands, measured.lost_length
    result = LanguageResult(measured.lang, measured.silver)
    thresholds = {
        FUZZY: config.fuzzy_threshold,
        ALIGN: config.align_threshold,
        ENCODER_ALIGN: config.encoder_threshold,
    }
    for method, threshold in thresholds.items():
        if method == ENCODER_ALIGN and not measured.encoder:
            continue
        result.scores[method] = score(spans, single(cands, method, threshold), lost_length)
    guesses = auto(cands, config.auto_threshold, table)
    result.scores[AUTO] = score(spans, guesses, lost_length)
    result.ece, result.deciles = expected_calibration_error(
        [(c, em) for c, em, _ in result.scores[AUTO].rows]
    )
    for guess in guesses:
        if guess is not None:
            result.wins[guess.method] = result.wins.get(guess.method, 0) + 1
    return result


def evaluate_language(
    items: Sequence[ParallelSpan],
    aligner: EncoderAligner | None,
    config: ProjectionConfig,
    *,
    silver: bool = False,
    table: Mapping[str, Points] = CALIBRATION,
) -> tuple[LanguageResult, list[WindowedSpan], list[list[Candidate]]]:
    """Every method on one language's parallel spans; also the windows and candidates (to fit a calibration)."""
    measured = measure(items, aligner, silver=silver)
    return score_language(measured, config, table), measured.spans, measured.cands


def fit_calibration(spans: Sequence[WindowedSpan], cands: Sequence[Sequence[Candidate]]) -> dict[str, Points]:
    """Isotonic points per method from (raw score, exact match), then `agreed` from (winner's calibrated
    score, exact match) of the spans where another method placed the winner's span too."""
    rows: dict[str, list[tuple[float, float]]] = {}
    hits: list[dict[str, float]] = []
    for span, found in zip(spans, cands, strict=True):
        ems = {}
        for c in found:
            ems[c.method] = exact_match(span.target[c.start : c.end], span.item.gold, span.item.lang)
            rows.setdefault(c.method, []).append((c.raw, ems[c.method]))
        hits.append(ems)
    table = {method: fit_isotonic(r) for method, r in sorted(rows.items())}
    agreed = []
    for found, ems in zip(cands, hits, strict=True):
        if not found:
            continue
        scored = sorted(
            ((calibrate(table, c.method, c.raw), c) for c in found), key=lambda x: x[0], reverse=True
        )
        best_p, best = scored[0]
        if any((c.start, c.end) == (best.start, best.end) for _, c in scored[1:]):
            agreed.append((best_p, ems[best.method]))
    table[AGREED] = fit_isotonic(agreed)
    return table


def render(results: Sequence[LanguageResult], header: str, table: Mapping[str, Points] = CALIBRATION) -> str:
    """Markdown tables: per language and method, then auto's calibration per confidence decile."""
    lines = [
        header,
        "",
        "| lang | method | answers | kept % | EM | F1 | F1 kept | lost to window | lost to length |",
    ]
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for method in METHODS:
            if method not in r.scores:
                continue
            row: dict[str, Any] = r.scores[method].as_row()
            lang = f"{r.lang} (silver)" if r.silver else r.lang
            lines.append(
                f"| {lang} | {method} | {row['answers']} | {row['kept_pct']} | {row['em']} | {row['f1']} | "
                f"{row['f1_kept']} | {row['lost_window']} | {row['lost_length']} |"
            )
    lines += [
        "",
        "auto: winners, expected calibration error over ten equal-width confidence bins (mean confidence → EM rate)",
        "",
    ]
    for r in results:
        wins = ", ".join(f"{m} {n}" for m, n in sorted(r.wins.items()))
        deciles = " · ".join(f"{c:.2f}→{e:.2f}" for c, e, _ in r.deciles)
        lines.append(f"- {r.lang}{' (silver)' if r.silver else ''}: ECE {r.ece:.3f}; wins {wins}; {deciles}")
    lines.append("")
    lines.append(f"calibration keys in use: {', '.join(sorted(table)) or 'none (raw scores)'}")
    return "\n".join(lines)
