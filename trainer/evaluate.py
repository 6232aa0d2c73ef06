"""Zero-shot evaluation per language: decode model outputs into predictions and score them.

QA: per window the `n_best` start and end logits form spans inside the context (end >= start,
at most `max_answer_length` tokens); the best span over all windows of a question becomes its text
answer (SQuAD v2 formats answer "" when the `<s>` no-answer score beats it). Pair and choice tasks
score accuracy, tagging seqeval F1 on the first sub-token of each word (UD-POS with seqeval
0.0.12's beside), retrieval Tatoeba accuracy from mean-pooled middle-layer embeddings of the
encoder; LAReQA and Mewsli-X run through `trainer.retrieval_tasks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError
from generator.example import Example
from trainer.config.experiment import Experiment, Hyperparameters
from trainer.config.phases import TargetConfig
from trainer.config.retrieval import DUAL_ENCODER_TASKS, RetrievalConfig
from trainer.config.sources import DataSource
from trainer.data import EncodedTask, collate, encode, sorted_batches
from trainer.distributed import gather_items, is_main_process, process_state, shard
from trainer.example_scores import EXAMPLES_DIR, write_example_scores
from trainer.reading import DataLog, read_task_data
from trainer.run_folder import RUN_FILE, stored_oracle

if TYPE_CHECKING:
    import torch

    from trainer.metrics import Scores
    from trainer.model import StiltsModel

V2_FORMATS = frozenset({"squad_v2"})


@dataclass(slots=True)
class LanguageResult:
    """Scores and predictions of one task in one language."""

    scores: dict[str, float]
    predictions: Any = field(default_factory=list)
    # Each example's score (percent) by example id, for the paired bootstrap; empty where the metric
    # is not a mean over examples (tagging F1, SQuAD v2).
    per_example: dict[str, float] = field(default_factory=dict)


def _keys(examples: list[Example]) -> list[str]:
    """Example ids, or positions when a file repeats an id."""
    ids = [e.id for e in examples]
    return ids if len(set(ids)) == len(ids) else [str(i) for i in range(len(ids))]


def _outputs(model: StiltsModel, task: EncodedTask, pad_id: int, batch_size: int) -> dict[int, Any]:
    """Logits as CPU tensors by feature index for every feature; the length-sorted batches are dealt
    out over the processes and the outputs gathered, so every process holds all of them."""
    import torch

    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    local: list[tuple[int, Any]] = []
    try:
        with torch.inference_mode():
            for batch_ids in shard(sorted_batches(task.lengths, batch_size)):
                batch = collate([task.features[i] for i in batch_ids], pad_id)
                inputs = {k: batch[k].to(device) for k in ("input_ids", "attention_mask")}
                _, logits = model(task.name, inputs)
                local.extend(zip(batch_ids, logits.float().cpu(), strict=True))
    finally:
        model.train(was_training)
    return dict(gather_items(local))


def decode_spans(
    task: EncodedTask, logits: dict[int, torch.Tensor], *, n_best: int, max_answer_length: int, v2: bool
) -> dict[str, str]:
    """The text answer per question id from start/end logits over all its windows."""
    best: dict[int, tuple[float, str]] = {}
    null: dict[int, float] = {}
    for f_index, feature in enumerate(task.features):
        start_logits, end_logits = logits[f_index][0], logits[f_index][1]
        offsets = feature["offsets"]
        length = len(offsets)
        ex_index = feature["example"]
        context = task.examples[ex_index].context
        null_score = float(start_logits[0] + end_logits[0])
        null[ex_index] = min(null.get(ex_index, null_score), null_score)
        k = min(n_best, length)
        starts = start_logits[:length].topk(k).indices.tolist()
        ends = end_logits[:length].topk(k).indices.tolist()
        for s in starts:
            for e in ends:
                if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_length:
                    continue
                score = float(start_logits[s] + end_logits[e])
                if ex_index not in best or score > best[ex_index][0]:
                    best[ex_index] = (score, context[offsets[s][0] : offsets[e][1]])
    answers = {}
    for i, ex in enumerate(task.examples):
        score, text = best.get(i, (float("-inf"), ""))
        answers[ex.id] = "" if v2 and null.get(i, float("-inf")) > score else text
    return answers


def score_examples(
    model: StiltsModel,
    tokenizer: Any,
    task_name: str,
    eval_format: str,
    examples: list[Example],
    hp: Hyperparameters,
    *,
    lang: str,
    labels: list[str],
) -> LanguageResult:
    """Metrics of `model`'s head `task_name` on examples of one language."""
    from trainer import metrics

    kind = examples[0].kind
    task = encode(
        task_name,
        kind,
        examples,
        tokenizer,
        max_length=hp.length_for(kind),
        doc_stride=hp.doc_stride,
        labels=labels,
        train=False,
    )
    logits = _outputs(model, task, tokenizer.pad_token_id, hp.eval_batch_size)
    if kind == "qa":
        answers = decode_spans(
            task,
            logits,
            n_best=hp.n_best,
            max_answer_length=hp.max_answer_length,
            v2=eval_format in V2_FORMATS,
        )
        gold = {e.id: [a.text for a in e.answers] for e in examples}
        if eval_format in V2_FORMATS:
            return LanguageResult(metrics.qa_scores(answers, gold, squad_v2=True), answers)
        mlqa = lang if task_name.lower() == "mlqa" else None
        # (EM + F1) / 2 per question: their mean over questions is the primary metric `em_f1`.
        per_example = {
            key: 50.0 * sum(metrics.question_scores(answers[e.id], gold[e.id], mlqa))
            if e.id in answers
            else 0.0
            for key, e in zip(_keys(examples), examples, strict=True)
        }
        return LanguageResult(metrics.qa_task_scores(task_name, lang, answers, gold), answers, per_example)
    if kind == "tagging":
        predicted: dict[int, list[str]] = {}
        for f_index, feature in enumerate(task.features):
            ids = logits[f_index].argmax(-1).tolist()
            predicted[feature["example"]] = [labels[ids[pos]] for pos in feature["first_tokens"]]
        tags = [predicted[i] + ["O"] * (len(e.tokens) - len(predicted[i])) for i, e in enumerate(examples)]
        return LanguageResult(metrics.tagging_task_scores(task_name, [e.tags for e in examples], tags), tags)
    choice = {task.features[i]["example"]: int(row.argmax()) for i, row in logits.items()}
    preds = [choice[i] for i in range(len(examples))]
    result = {"accuracy": metrics.accuracy([e.label for e in examples], preds)}
    per_example = {
        key: 100.0 * (p == e.label) for key, e, p in zip(_keys(examples), examples, preds, strict=True)
    }
    return LanguageResult(result, [labels[p] for p in preds] if kind == "pair" else preds, per_example)


def evaluate_target(
    model: StiltsModel,
    tokenizer: Any,
    target: TargetConfig,
    hp: Hyperparameters,
    *,
    files: dict[str, DataSource],
    labels: list[str],
    out_dir: Path | None = None,
    log: DataLog | None = None,
    examples_dir: Path | None = None,
) -> dict[str, dict[str, float]]:
    """Scores per language of a target-trained model on each evaluation file (each read logged in `log`);
    each example's score goes to `<examples_dir>/<target>/<lang>.json` where the metric has one."""
    per_lang: dict[str, dict[str, float]] = {}
    for lang, path in sorted(files.items()):
        examples = read_task_data(
            target.eval_format,
            path,
            hp.max_eval_examples,
            train=False,
            lang=lang,
            layout=target.layout,
            log=log,
            role="eval",
            name=target.name,
        )
        examples = [e for e in examples if e.kind in ("qa", "tagging") or e.label >= 0]
        if not examples:
            continue
        result = score_examples(
            model, tokenizer, target.name, target.eval_format, examples, hp, lang=lang, labels=labels
        )
        per_lang[lang] = result.scores
        if out_dir is not None and is_main_process():
            _write_predictions(out_dir, target.name, lang, result.predictions)
        if examples_dir is not None and result.per_example and is_main_process():
            write_example_scores(examples_dir, target.name, lang, result.per_example)
    return per_lang


def _write_predictions(out_dir: Path, task: str, lang: str, predictions: Any) -> Path:
    """XTREME submission layout for XTREME-R tasks; `<task>/test-<lang>.json` for others."""
    import json

    from generator.errors import ConfigError
    from trainer.predictions import task_folder, write_predictions

    try:
        task_folder(task)
    except ConfigError:
        path = out_dir / task / f"test-{lang}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(predictions, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path
    return write_predictions(out_dir, task, lang, predictions)


def evaluate_tatoeba_config(
    encoder: Any, tokenizer: Any, config: RetrievalConfig, hp: Hyperparameters
) -> dict[str, dict[str, float]]:
    """Tatoeba accuracy per language by the config's embedding protocol (layer, prefix); {} when no data."""
    from trainer.retrieval import evaluate_tatoeba, read_tatoeba, tatoeba_languages

    if not config.dir.is_dir():
        return {}
    available = tatoeba_languages(config.dir)
    langs = [lang for lang in (config.langs or available) if lang in available]
    out: dict[str, dict[str, float]] = {}
    for lang in langs:
        src, eng = read_tatoeba(config.dir, lang)
        if config.max_pairs:
            src, eng = src[: config.max_pairs], eng[: config.max_pairs]
        out[lang] = evaluate_tatoeba(
            encoder,
            tokenizer,
            src,
            eng,
            layer=config.layer,
            prefix=config.prefix,
            batch_size=hp.eval_batch_size,
            max_length=hp.retrieval_max_length,
        )
    return out


def evaluate_retrievals(
    experiment: Experiment,
    encoder_path: str | Path,
    tokenizer: Any,
    *,
    seed: int,
    out_dir: Path,
    resume: bool = False,
    train: bool = True,
    say: Callable[[str], None] = print,
) -> Scores:
    """Every retrieval entry of an experiment on the encoder at `encoder_path`; entries whose folder
    is missing are skipped with a message (the config check has refused them unless optional)."""
    from trainer.model import load_encoder
    from trainer.retrieval_tasks import run_dual_encoder_task

    scores: Scores = {}
    encoder = None
    for retrieval in experiment.retrieval:
        if not retrieval.dir.is_dir():
            say(f"[yellow]retrieval {retrieval.task}: no data in {retrieval.dir}; skipped[/]")
            continue
        if retrieval.task in DUAL_ENCODER_TASKS:
            scores |= run_dual_encoder_task(
                retrieval,
                encoder_path,
                tokenizer,
                seed=seed,
                out_dir=out_dir,
                mixed_precision=experiment.mixed_precision,
                batch_size=experiment.hparams.eval_batch_size,
                resume=resume,
                train=train,
            )
            continue
        if encoder is None:
            encoder = load_encoder(encoder_path).to(process_state().device)
        found = evaluate_tatoeba_config(encoder, tokenizer, retrieval, experiment.hparams)
        if found:
            scores[retrieval.task] = found
        else:
            say(f"[yellow]retrieval {retrieval.task}: no data in {retrieval.dir}; skipped[/]")
    return scores


def evaluate_checkpoint(run_dir: Path, experiment: Experiment) -> Scores:
    """Re-evaluate the finished target models of one run folder on this process's device (spread over
    the processes when launched by torchrun); retrieval uses its intermediate encoder, or the
    pretrained model for a run without an intermediate phase. A target's oracle
    scores are read back from its model selection (they need the models of every epoch end)."""
    import json

    from transformers import AutoTokenizer

    from trainer.model import StiltsModel

    if not (run_dir / RUN_FILE).is_file():
        raise ConfigError(
            f"{run_dir}: no {RUN_FILE}; pass a run folder written by `xstilts train` or `xstilts grid` "
            "(<out>/<condition>-seed<N>)"
        )

    device = process_state().device
    scores: Scores = {}
    for target in experiment.targets:
        model_dir = run_dir / f"target-{target.name}" / "model"
        files = target.eval_files()
        if not (model_dir / "heads.json").is_file() or not files:
            continue
        labels = json.loads((run_dir / f"target-{target.name}" / "labels.json").read_text(encoding="utf-8"))
        model = StiltsModel.load(model_dir).to(device)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        scores[target.name] = evaluate_target(
            model,
            tokenizer,
            target,
            experiment.hparams,
            files=files,
            labels=labels,
            out_dir=run_dir / "predictions",
            examples_dir=run_dir / EXAMPLES_DIR,
        )
        oracle = stored_oracle(run_dir / f"target-{target.name}")
        if oracle:
            scores[f"{target.name}_oracle"] = oracle
    encoder_dir = run_dir / "intermediate" / "model"
    if not encoder_dir.is_dir():
        encoder_dir = Path(json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8"))["model"])
    if experiment.retrieval:
        seed = int(json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8")).get("seed", 1))
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
        scores |= evaluate_retrievals(
            experiment, encoder_dir, tokenizer, seed=seed, out_dir=run_dir, train=False, say=lambda _: None
        )
    return scores
