"""The STILTs recipe: pretrained XLM-R -> intermediate task(s) -> English target task -> zero-shot eval.

`StiltsRecipe(experiment, condition=..., seed=...).run()` does one grid cell. Each phase trains
with `accelerate` (mixed precision; several GPUs via `accelerate launch` or `torchrun`, each step's
batch split across processes and micro-batches as `trainer/distributed.py` describes),
AdamW with linear warmup and decay, length-grouped dynamic-padding batches, and checkpoints every
`checkpoint_every` optimiser steps that hold model, optimiser, scheduler, RNG states and the
position in the phase's fixed batch schedule, so a resumed phase ends in the same state as an
uninterrupted one. A finished phase leaves `<phase>/model` (encoder + heads) and is skipped
on a rerun with `resume=True`. What a phase is built from (accelerator, encoder, tokenizer, heads,
batch schedule, optimiser) is in `trainer/train_setup.py`; the run folder's files in `trainer/run_folder.py`.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError
from trainer.config.experiment import Condition, Experiment
from trainer.config.phases import TargetConfig
from trainer.data import EncodedTask, mix_synthetic, read_synthetic
from trainer.distributed import optimiser_step
from trainer.example_scores import EXAMPLES_DIR
from trainer.reading import DataLog, read_task_data
from trainer.run_folder import (
    CHECKPOINT_PREFIX,
    DATA_FILE,
    DONE,
    RUN_FILE,
    PhaseInterrupted,
    PhaseResult,
    checkpoint_position,
    latest_checkpoint,
    save_checkpoint,
)
from trainer.selection import ORACLE_SUFFIX, Selection, evaluation_points
from trainer.train_setup import (
    check_english_training,
    encode_task,
    freeze_bottom,
    head_spec,
    load_tokenizer,
    new_accelerator,
    optimizer_and_scheduler,
    phase_schedule,
    pretrained_path,
    progress_bar,
)

if TYPE_CHECKING:
    from generator.example import Example
    from trainer.metrics import Scores
    from trainer.model import HeadSpec, StiltsModel


class StiltsRecipe:
    """One condition and seed of an experiment, from pretrained encoder to per-language scores."""

    def __init__(
        self,
        experiment: Experiment,
        *,
        condition: Condition | None = None,
        seed: int | None = None,
        out_dir: Path | None = None,
        resume: bool = False,
        quiet: bool = False,
    ) -> None:
        self.exp = experiment.for_condition(condition) if condition else experiment
        self.condition = condition or ("synthetic" if self._has_synthetic() else "english")
        self.seed = seed if seed is not None else experiment.seeds[0]
        self.out_dir = Path(out_dir or experiment.output_dir / f"{self.condition}-seed{self.seed}")
        self.resume = resume
        self.quiet = quiet
        self.hp = self.exp.hparams
        self.losses: dict[str, list[float]] = {}
        self.data_log = DataLog()
        self._accelerator: Any = None
        self._tokenizer: Any = None
        self.last_model: StiltsModel | None = None
        self.selections: dict[str, Selection] = {}

    def _has_synthetic(self) -> bool:
        return self.exp.intermediate is not None and self.exp.intermediate.synthetic is not None

    @property
    def accelerator(self) -> Any:
        return self._accelerator if self._accelerator is not None else self._fresh_accelerator()

    def _fresh_accelerator(self) -> Any:
        """A new `Accelerator` per phase, so a checkpoint holds only this phase's model and optimiser."""
        self._accelerator = new_accelerator(self.exp)
        return self._accelerator

    @property
    def model_path(self) -> str:
        """The pretrained encoder (see `pretrained_path`)."""
        return pretrained_path(self.exp)

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            path = self.model_path if self.exp.tokenizer is None else self.exp.tokenizer_path
            self._tokenizer = load_tokenizer(path)
        return self._tokenizer

    def _encode(self, key: str, task: str, examples: list[Example], labels: list[str]) -> EncodedTask:
        return encode_task(self.tokenizer, self.hp, key, task, examples, labels)

    # ------------------------------------------------------------------ the recipe

    def run(self) -> Scores:
        """Intermediate phase (if any), then per target: train on English and evaluate zero-shot."""
        from trainer.evaluate import evaluate_retrievals, evaluate_target

        encoder_path = self.model_path
        run = {"condition": self.condition, "seed": self.seed, "model": encoder_path}
        self._write(self.out_dir / RUN_FILE, json.dumps(run, indent=2))
        if self.exp.intermediate is not None:
            encoder_path = str(self.intermediate_phase().model_dir)
        scores: Scores = {}
        for target in self.exp.targets:
            files = target.eval_files()
            if not files:
                self._say(f"[yellow]target {target.name}: no evaluation data found; skipped[/]")
                continue
            absent = [
                str(st.train) for st in target.before if isinstance(st.train, Path) and not st.train.is_file()
            ]
            if absent:
                self._say(
                    f"[yellow]target {target.name}: stage files missing ({', '.join(absent)}); skipped[/]"
                )
                continue
            result = self.target_phase(target, encoder_path)
            from trainer.model import StiltsModel

            model = StiltsModel.load(result.model_dir).to(self.accelerator.device)
            labels = json.loads((result.model_dir.parent / "labels.json").read_text(encoding="utf-8"))
            scores[target.name] = evaluate_target(
                model,
                self.tokenizer,
                target,
                self.hp,
                files=files,
                labels=labels,
                out_dir=self.out_dir / "predictions",
                log=self.data_log,
                examples_dir=self.out_dir / EXAMPLES_DIR,
            )
            oracle = self.selections[target.name].oracle_scores() if target.name in self.selections else {}
            if oracle:
                scores[f"{target.name}{ORACLE_SUFFIX}"] = oracle
        if self.exp.retrieval:
            scores |= evaluate_retrievals(
                self.exp,
                encoder_path,
                self.tokenizer,
                seed=self.seed,
                out_dir=self.out_dir,
                resume=self.resume,
                say=self._say,
            )
        self._write(self.out_dir / "scores.json", json.dumps(scores, indent=2))
        self._write(self.out_dir / DATA_FILE, json.dumps(self.data_log.to_list(), indent=2))
        return scores

    def intermediate_phase(self) -> PhaseResult:
        """Phase 1: English intermediate task(s), with synthetic examples mixed in when configured."""
        inter = self.exp.intermediate
        if inter is None:
            raise ConfigError("this experiment has no intermediate phase; add `intermediate:` to the config")
        rng = random.Random(self.seed)
        english = {
            t.key: read_task_data(
                t.task,
                t.source,
                t.max_examples or self.hp.max_train_examples,
                skip=t.skip_examples,
                layout=t.layout,
                log=self.data_log,
                role="intermediate",
                name=t.key,
            )
            for t in inter.tasks
        }
        if inter.synthetic is not None:
            syn = inter.synthetic
            formats = {t.key: t.task for t in inter.tasks}
            pools = read_synthetic(syn.shards, sorted(set(formats.values())), syn.langs, syn.methods)
            for key, fmt in formats.items():
                english[key], added = mix_synthetic(english[key], pools.get(fmt, []), syn.ratio, rng)
                self._say(f"{key}: {added} synthetic examples mixed in ({len(english[key])} in all)")
        tasks, heads = {}, {}
        for t in inter.tasks:
            heads[t.key], labels = head_spec(t.task, english[t.key], self.exp.pooling)
            tasks[t.key] = self._encode(t.key, t.task, english[t.key], labels)
        return self.train_phase(
            "intermediate",
            self.model_path,
            heads,
            tasks,
            epochs=inter.epochs,
            sampling=inter.sampling.method,
            temperature=inter.sampling.temperature,
        )

    def target_phase(self, target: TargetConfig, encoder_path: str) -> PhaseResult:
        """Phase 2: the English target task from the (intermediate-trained) encoder with a fresh head,
        after the target's `before` stages when it has any (each continuing the previous model)."""
        examples = read_task_data(
            target.task,
            target.train_source,
            self.hp.max_train_examples,
            lang="en",
            layout=target.train_layout,
            log=self.data_log,
            name=target.name,
        )
        check_english_training(target.name, target.task, examples)
        spec, labels = head_spec(target.task, examples, self.exp.pooling)
        task = self._encode(target.name, target.task, examples, labels)
        target_dir = self.out_dir / f"target-{target.name}"
        self._write(target_dir / "labels.json", json.dumps(labels))
        init: Path | None = None
        for stage in target.before:
            limit = stage.max_examples or self.hp.max_train_examples
            stage_examples = read_task_data(
                stage.task,
                stage.source,
                limit,
                lang="en",
                layout=stage.layout,
                log=self.data_log,
                name=f"{target.name}/{stage.task}",
            )
            stage_spec, stage_labels = head_spec(stage.task, stage_examples, self.exp.pooling)
            if stage_spec != spec:
                raise ConfigError(
                    f"target {target.name}: stage {stage.task} needs head {stage_spec}, the target {spec}; "
                    "a stage must train the head the target uses"
                )
            stage_task = self._encode(target.name, stage.task, stage_examples, stage_labels)
            init = self.train_phase(
                f"target-{target.name}/before-{stage.task}",
                encoder_path,
                {target.name: spec},
                {target.name: stage_task},
                epochs=stage.epochs or target.epochs or self.hp.epochs,
                lr=stage.lr or target.lr,
                init_model=init,
            ).model_dir
        selection = Selection.for_target(target, self.hp, self.tokenizer, labels, target_dir)
        result = self.train_phase(
            f"target-{target.name}",
            encoder_path,
            {target.name: spec},
            {target.name: task},
            epochs=target.epochs or self.hp.epochs,
            lr=target.lr,
            init_model=init,
            on_epoch=selection,
        )
        if selection is not None:
            selection.finish(result.model_dir)
            self.selections[target.name] = selection
        return result

    # ------------------------------------------------------------------ one phase

    def train_phase(
        self,
        name: str,
        encoder_path: str,
        heads: dict[str, HeadSpec],
        tasks: dict[str, EncodedTask],
        *,
        epochs: float,
        sampling: Any = "proportional",
        temperature: float = 2.0,
        lr: float | None = None,
        init_model: Path | None = None,
        on_epoch: Callable[[int, StiltsModel], None] | None = None,
        resume_from: Path | None = None,
        should_stop: Callable[[int], bool] | None = None,
    ) -> PhaseResult:
        """Train one phase and save `<out>/<name>/model`; resumes from a checkpoint when asked.

        The model is `encoder_path` with fresh `heads`, or the saved model `init_model` (encoder and
        heads) when given; `lr` overrides the experiment's learning rate. `on_epoch(step, model)` is
        called on the main process at every epoch end and the last step (model selection).

        `should_stop(optimiser_step)` is asked after every optimiser step (e.g. on a preemption
        signal); when it says yes the phase checkpoints and raises `PhaseInterrupted`.
        """
        import torch

        from trainer.model import StiltsModel

        phase_dir = self.out_dir / name
        final = phase_dir / "model"
        if self.resume and (phase_dir / DONE).is_file():
            self._say(f"{name}: finished earlier, reusing {final}")
            return PhaseResult(final, json.loads((phase_dir / DONE).read_text())["losses"])
        acc = self._fresh_accelerator()
        torch.manual_seed(self.seed)
        random.seed(self.seed)
        model = (
            StiltsModel.load(init_model) if init_model else StiltsModel.from_pretrained(encoder_path, heads)
        )
        steps = phase_schedule(
            tasks, self.hp, seed=self.seed, epochs=epochs, sampling=sampling, temperature=temperature
        )
        total = len(steps)
        hp = self.hp if lr is None else self.hp.model_copy(update={"lr": lr})
        freeze_bottom(model.encoder, embeddings=hp.freeze_embeddings, layers=hp.freeze_layers)
        optimizer, scheduler = optimizer_and_scheduler(model, hp, total)
        points = set(evaluation_points(total, epochs)) if on_epoch is not None else set()
        model, optimizer = acc.prepare(model, optimizer)
        acc.register_for_checkpointing(scheduler)
        start = 0
        losses: list[float] = []
        resume_from = resume_from or (latest_checkpoint(phase_dir) if self.resume else None)
        if resume_from is not None:
            acc.load_state(str(resume_from))
            start, losses = checkpoint_position(resume_from)
            self._say(f"{name}: resumed at optimiser step {start} from {resume_from}")
        pad_id = self.tokenizer.pad_token_id
        model.train()
        running, window = torch.zeros((), device=acc.device), 0
        with self._progress(name, total, start) as advance:
            for done in range(start + 1, total + 1):
                step = steps[done - 1]
                running += optimiser_step(acc, model, optimizer, tasks[step.task], step, pad_id, self.hp)
                scheduler.step()
                window += 1
                if done % self.hp.log_every == 0 or done == total:
                    losses.append(float(acc.reduce(running, "sum")) / window)
                    self._log(phase_dir, {"step": done, "loss": losses[-1], "lr": scheduler.get_last_lr()[0]})
                    running, window = torch.zeros((), device=acc.device), 0
                advance(losses[-1] if losses else float("nan"))
                if on_epoch is not None and done in points:
                    acc.wait_for_everyone()
                    if acc.is_main_process:
                        on_epoch(done, acc.unwrap_model(model))
                    acc.wait_for_everyone()
                    model.train()
                if self.hp.checkpoint_every and done % self.hp.checkpoint_every == 0 and done < total:
                    save_checkpoint(acc, phase_dir / f"{CHECKPOINT_PREFIX}{done}", done, losses)
                if should_stop is not None and done < total and should_stop(done):
                    checkpoint = phase_dir / f"{CHECKPOINT_PREFIX}{done}"
                    save_checkpoint(acc, checkpoint, done, losses)
                    raise PhaseInterrupted(checkpoint)
        acc.wait_for_everyone()
        unwrapped = acc.unwrap_model(model)
        if acc.is_main_process:
            unwrapped.save(final, self.tokenizer)
            trained = {key: sum(len(s.indices) for s in steps if s.task == key) for key in tasks}
            done_file = {"steps": total, "losses": losses, "features": trained}
            (phase_dir / DONE).write_text(json.dumps(done_file), encoding="utf-8")
            for checkpoint in phase_dir.glob(f"{CHECKPOINT_PREFIX}*"):
                shutil.rmtree(checkpoint)
        acc.wait_for_everyone()
        self.losses[name] = losses
        self.last_model = unwrapped
        acc.free_memory()
        return PhaseResult(final, losses)

    # ------------------------------------------------------------------ output

    def _write(self, path: Path, text: str) -> None:
        """Write a run-folder file from the main process only; the others wait until it is there."""
        if self.accelerator.is_main_process:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.accelerator.wait_for_everyone()

    def _log(self, phase_dir: Path, record: dict[str, float]) -> None:
        if not self.accelerator.is_main_process:
            return
        phase_dir.mkdir(parents=True, exist_ok=True)
        with (phase_dir / "log.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    def _say(self, message: str) -> None:
        if not self.quiet and self.accelerator.is_main_process:
            from rich.console import Console

            Console(stderr=True).print(f"[{self.condition} seed {self.seed}] {message}")

    def _progress(self, name: str, total: int, completed: int) -> Any:
        disabled = self.quiet or not self.accelerator.is_main_process
        return progress_bar(
            f"[{self.condition} seed {self.seed}] {name}", total, completed, disabled=disabled
        )
