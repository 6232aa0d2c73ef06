"""LAReQA and Mewsli-X runs: score the dual encoder as it is, fine-tune it as XTREME-R does, score again.

Scores are per language: LAReQA's mAP@20 of each language's questions against the pooled
candidates of every language read (with the question count), Mewsli-X's mAP@20 of each
language's mentions against the whole candidate set. `<task>_frozen` holds the scores before
fine-tuning. Mewsli-X rankings are the top 20 by cosine (the script's inner product of unit
vectors; of equal scores the lower candidate index first) and are written as predictions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from trainer.config.retrieval import RetrievalConfig
from trainer.dual_encoder import DualEncoder, encode_texts, finetune, finished, save_finetuned
from trainer.metrics import Scores

FROZEN_SUFFIX = "_frozen"


def lareqa_scores(model: DualEncoder, tokenizer: Any, config: RetrievalConfig, batch_size: int) -> Scores:
    """{lareqa: {lang: {map@20, questions}}} of `model` on the XQuAD-R files of `config`."""
    from trainer.lareqa import pool_scores, read_pool

    pool = read_pool(config.data_dir, config.langs)
    recipe = config.recipe
    questions = encode_texts(
        model,
        tokenizer,
        [q.text for q in pool.questions],
        max_length=recipe.query_length,
        batch_size=batch_size,
    )
    candidates = encode_texts(
        model,
        tokenizer,
        [c.text for c in pool.candidates],
        max_length=recipe.candidate_length,
        batch_size=batch_size,
    )
    return {"lareqa": pool_scores(pool, questions, candidates)}


def mewslix_scores(
    model: DualEncoder,
    tokenizer: Any,
    config: RetrievalConfig,
    batch_size: int,
    predictions_dir: Path | None = None,
) -> Scores:
    """{mewslix: {lang: {map@20}}} of `model` on the `config.split` mentions of each language."""
    from trainer.mewslix import read_entities, read_labels, read_mentions, split_languages
    from trainer.retrieval_metrics import mewslix_map_at_k, rank_candidates

    available = split_languages(config.dir, config.split)
    langs = [lang for lang in (config.langs or available) if lang in available]
    if not langs:
        raise ConfigError(
            f"{config.dir}: no wikinews_mentions/{config.split}-<lang>.jsonl with its wikinews_labels file"
            + (f" for {' '.join(config.langs)}" if config.langs else "")
        )
    recipe = config.recipe
    ids, texts = read_entities(config.candidate_file)
    entities = encode_texts(
        model, tokenizer, texts, max_length=recipe.candidate_length, batch_size=batch_size
    )
    out: dict[str, dict[str, float]] = {}
    for lang in langs:
        mentions = read_mentions(config.dir / "wikinews_mentions" / f"{config.split}-{lang}.jsonl")
        queries = encode_texts(
            model,
            tokenizer,
            [m.text for m in mentions],
            max_length=recipe.query_length,
            batch_size=batch_size,
        )
        rankings = rank_candidates(queries, entities, k=20)
        predictions = {m.example_id: [ids[j] for j in row] for m, row in zip(mentions, rankings, strict=True)}
        gold = read_labels(config.dir / "wikinews_labels" / f"{config.split}-{lang}.json")
        out[lang] = {"map@20": mewslix_map_at_k(gold, predictions)}
        if predictions_dir is not None:
            from trainer.predictions import write_predictions

            write_predictions(predictions_dir, "mewslix", lang, predictions)
    return {"mewslix": out}


def _scores(
    model: DualEncoder, tokenizer: Any, config: RetrievalConfig, batch_size: int, predictions: Path | None
) -> Scores:
    if config.task == "lareqa":
        return lareqa_scores(model, tokenizer, config, batch_size)
    return mewslix_scores(model, tokenizer, config, batch_size, predictions)


def training_pairs(config: RetrievalConfig) -> list[tuple[str, str]]:
    """The English (query, candidate) fine-tuning pairs of a LAReQA or Mewsli-X entry."""
    if config.finetune is None:
        raise ConfigError(f"retrieval {config.task}: no `finetune` entry to train from")
    if config.task == "lareqa":
        from trainer.lareqa import squad_training_pairs

        return squad_training_pairs(config.finetune.train, config.finetune.max_examples)
    from trainer.mewslix import read_pairs

    return read_pairs(config.finetune.train, config.finetune.max_examples)


def run_dual_encoder_task(
    config: RetrievalConfig,
    encoder_path: str | Path,
    tokenizer: Any,
    *,
    seed: int,
    out_dir: Path,
    mixed_precision: str = "no",
    batch_size: int = 64,
    resume: bool = False,
    train: bool = True,
    log: Callable[[dict[str, float]], None] | None = None,
) -> Scores:
    """Frozen scores, then (with `finetune`) fine-tuning into `<out_dir>/retrieval-<task>/model` and its
    scores; with `train=False` only an already fine-tuned model is scored."""
    from accelerate import Accelerator

    accelerator = Accelerator(mixed_precision=mixed_precision)
    predictions = out_dir / "predictions"
    model = DualEncoder.from_pretrained(encoder_path, seed=seed).to(accelerator.device)
    frozen = _scores(model, tokenizer, config, batch_size, None)
    scores: Scores = {f"{config.task}{FROZEN_SUFFIX}": frozen[config.task]}
    if config.finetune is None:
        return scores
    model_dir = out_dir / f"retrieval-{config.task}" / "model"
    if not train and not finished(model_dir):
        return scores
    if train and not (resume and finished(model_dir)):
        pairs = training_pairs(config)
        losses = finetune(
            model,
            tokenizer,
            pairs,
            config.recipe,
            seed=seed,
            accelerator=accelerator,
            max_steps=config.finetune.max_steps,
            log=log,
        )
        if accelerator.is_main_process:
            save_finetuned(accelerator.unwrap_model(model), tokenizer, model_dir, losses)
        accelerator.wait_for_everyone()
    model = DualEncoder.from_pretrained(model_dir, seed=seed).to(accelerator.device)
    scores |= _scores(model, tokenizer, config, batch_size, predictions)
    return scores
