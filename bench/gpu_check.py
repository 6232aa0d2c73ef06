"""GPU readiness check: real model shapes with random weights, each part in its own process.

    PYTHONPATH=. python bench/gpu_check.py --out bench/          # CUDA machine: real shapes, <= 8 min
    PYTHONPATH=. python bench/gpu_check.py --cpu --out /tmp/chk  # reduced CPU mode: tiny shapes, <= 2 min

Runs from a checkout without installing xstilts (only torch and transformers are required; the
training part also needs pydantic and accelerate, the CTranslate2 part ctranslate2, the vLLM part
vllm, and each part without what it needs is skipped with the reason). Parts:

- train: 50 bf16 optimiser steps of an XLM-R Large-shaped encoder (24 x 1024) with a classification
  head through the trainer (`StiltsRecipe.train_phase`), steps/s, tokens/s, peak memory, losses;
- generate: transformers `generate` of an NLLB-200-distilled-600M-shaped model (M2M100 12+12 x 1024,
  256,206 tokens) in float16 and bfloat16 at several batch sizes, sentences/s and tokens/s;
- ct2: the same NLLB shape converted to CTranslate2, int8_float16 and float16, when CT2 loads on CUDA;
- vllm: offline vLLM with dummy weights on a Llama-3.2-1B-shaped LLM, when vLLM is importable.

Writes `<out>/results-gpu.{json,md}` (CPU mode: `results-gpu-cpu-mode.{json,md}`). Exit status 1
when a part failed (an error, not a missing dependency); the files are written either way.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

XLMR_LARGE = {
    "hidden_size": 1024,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "intermediate_size": 4096,
    "vocab_size": 250002,
}
NLLB_600M = {
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "vocab_size": 256206,
}
LLAMA_1B = {
    "hidden_size": 2048,
    "num_hidden_layers": 16,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "intermediate_size": 8192,
    "vocab_size": 128256,
}
MODES: dict[str, dict[str, Any]] = {
    "gpu": {
        "xlmr": XLMR_LARGE,
        "nllb": NLLB_600M,
        "train": {"steps": 50, "batch": 32, "device_batch": 32, "length": 256, "precision": "bf16"},
        "generate": {"dtypes": ["float16", "bfloat16"], "batches": [8, 32, 128], "source": 32, "new": 64},
        "ct2": {"compute_types": ["int8_float16", "float16"], "batches": [32, 128], "source": 32, "new": 64},
        "vllm": {"prompts": 256, "prompt_tokens": 64, "new": 128},
    },
    "cpu": {
        "xlmr": {
            "hidden_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "intermediate_size": 256,
            "vocab_size": 1000,
        },
        "nllb": {
            "d_model": 64,
            "encoder_layers": 1,
            "decoder_layers": 1,
            "encoder_attention_heads": 4,
            "decoder_attention_heads": 4,
            "encoder_ffn_dim": 128,
            "decoder_ffn_dim": 128,
            "vocab_size": 1000,
        },
        "train": {"steps": 10, "batch": 8, "device_batch": 4, "length": 32, "precision": "no"},
        "generate": {"dtypes": ["float32"], "batches": [2, 8], "source": 8, "new": 8},
        "ct2": {"compute_types": ["int8", "float32"], "batches": [8], "source": 8, "new": 8},
        "vllm": {"prompts": 4, "prompt_tokens": 8, "new": 8},
    },
}
PART_TIMEOUT_S = {"train": 240, "generate": 150, "ct2": 240, "vllm": 240}


def _skipped(reason: str) -> dict[str, Any]:
    return {"status": "skipped", "reason": reason}


def _missing(*modules: str) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


def _device(mode: str) -> str:
    return "cuda" if mode == "gpu" else "cpu"


def _peak_memory_gib(mode: str) -> float:
    if mode == "gpu":
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**30, 2)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)  # KiB -> GiB


def _random_ids(rows: int, length: int, vocab: int, seed: int = 0) -> list[list[int]]:
    rng = random.Random(seed)
    return [[0, *(rng.randrange(4, vocab - 300) for _ in range(length - 2)), 2] for _ in range(rows)]


def _pieces(n: int = 200) -> list[str]:
    return [f"\u2581w{i}" for i in range(n)]


# ---------------------------------------------------------------------------- parts


def part_train(mode: str, work: Path) -> dict[str, Any]:
    """XLM-R Large-shaped encoder + classification head, trained through the trainer's phase loop."""
    missing = _missing("accelerate", "pydantic")
    if missing:
        return _skipped(f"the trainer needs {', '.join(missing)} (bring their wheels: README, GPU check)")
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizer

    from trainer.config.loading import parse_experiment
    from trainer.data import EncodedTask
    from trainer.model import HeadSpec
    from trainer.train import StiltsRecipe

    shape, run = MODES[mode]["xlmr"], MODES[mode]["train"]
    model_dir = work / "xlmr"
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), *((p, -1.0) for p in _pieces())]
    XLMRobertaTokenizer(vocab=[*vocab, ("<mask>", 0.0)]).save_pretrained(model_dir)
    config = XLMRobertaConfig(**shape, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1)
    with torch.device(_device(mode)):
        XLMRobertaModel(config, add_pooling_layer=False).save_pretrained(model_dir)
    rows = run["batch"] * run["steps"]
    ids = _random_ids(rows, run["length"], shape["vocab_size"])
    features = [{"input_ids": row, "label": i % 3, "example": i} for i, row in enumerate(ids)]
    samples = REPO / "samples" / "trainer"
    raw = {
        "model": str(model_dir),
        "output_dir": str(work / "runs"),
        "mixed_precision": run["precision"],
        "targets": [
            {
                "name": "xnli",
                "task": "mnli",
                "train": str(samples / "mnli.en.jsonl"),
                "eval_task": "xnli",
                "eval": str(samples / "xnli" / "dev-{lang}.tsv"),
            }
        ],
        "hparams": {
            "lr": 1e-5,
            "batch_size": run["batch"],
            "device_batch_size": run["device_batch"],
            "max_length": run["length"],
            "max_steps": run["steps"],
            "log_every": 10,
        },
    }
    recipe = StiltsRecipe(parse_experiment(raw, REPO), seed=1, out_dir=work / "run", quiet=True)
    times: list[float] = []

    def clock(step: int) -> bool:
        times.append(time.perf_counter())
        return False

    task = EncodedTask("pair", "pair", [], features, ["a", "b", "c"])
    started = time.perf_counter()
    result = recipe.train_phase(
        "check",
        str(model_dir),
        {"pair": HeadSpec("classification", 3)},
        {"pair": task},
        epochs=1,
        should_stop=clock,
    )
    steps_per_s = (len(times) - 1) / (times[-1] - times[0])
    return {
        "status": "ok",
        "shape": shape,
        "precision": run["precision"],
        "steps": run["steps"],
        "batch": f"{run['batch']} x {run['length']} tokens",
        "phase_s": round(time.perf_counter() - started, 1),
        "steps_per_s": round(steps_per_s, 2),
        "tokens_per_s": round(steps_per_s * run["batch"] * run["length"]),
        "losses": [round(x, 4) for x in result.losses],
        "peak_memory_gib": _peak_memory_gib(mode),
    }


def _nllb_config(shape: dict[str, Any]) -> Any:
    from transformers import M2M100Config

    return M2M100Config(
        **shape,
        max_position_embeddings=1024,
        scale_embedding=True,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )


def part_generate(mode: str, work: Path) -> dict[str, Any]:
    """transformers `generate` of the NLLB shape, greedy, a fixed number of new tokens per sentence."""
    import torch
    from transformers import M2M100ForConditionalGeneration

    shape, run = MODES[mode]["nllb"], MODES[mode]["generate"]
    device = _device(mode)
    with torch.device(device):
        base = M2M100ForConditionalGeneration(_nllb_config(shape)).eval()
    rows: list[dict[str, Any]] = []
    for dtype in run["dtypes"]:
        model = base.to(getattr(torch, dtype))
        for batch in run["batches"]:
            ids = torch.tensor(_random_ids(batch, run["source"], shape["vocab_size"]), device=device)
            kwargs = {
                "max_new_tokens": run["new"],
                "min_new_tokens": run["new"],
                "num_beams": 1,
                "do_sample": False,
                "forced_bos_token_id": 5,
            }
            with torch.inference_mode():
                model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), **kwargs)  # warm-up
                if device == "cuda":
                    torch.cuda.synchronize()
                started = time.perf_counter()
                out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), **kwargs)
                if device == "cuda":
                    torch.cuda.synchronize()
            seconds = time.perf_counter() - started
            new_tokens = (out.shape[1] - 1) * batch
            rows.append(
                {
                    "dtype": dtype,
                    "batch": batch,
                    "sentences_per_s": round(batch / seconds, 1),
                    "tokens_per_s": round(new_tokens / seconds),
                }
            )
    return {
        "status": "ok",
        "shape": shape,
        "new_tokens": run["new"],
        "runs": rows,
        "peak_memory_gib": _peak_memory_gib(mode),
    }


def part_ct2(mode: str, work: Path) -> dict[str, Any]:
    """The NLLB shape through CTranslate2 (converted once to float16, loaded per compute type)."""
    if _missing("ctranslate2"):
        return _skipped("ctranslate2 is not installed")
    import ctranslate2
    import torch
    from transformers import M2M100ForConditionalGeneration, NllbTokenizer

    device = _device(mode)
    if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        return _skipped("CTranslate2 sees no CUDA device (its CUDA libraries do not load on this machine)")
    shape, run = MODES[mode]["nllb"], MODES[mode]["ct2"]
    hf_dir, ct2_dir = work / "nllb-hf", work / "nllb-ct2"
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, **{p: 4 + i for i, p in enumerate(_pieces())}}
    NllbTokenizer(vocab=vocab).save_pretrained(hf_dir)
    with torch.device(device):
        model = M2M100ForConditionalGeneration(_nllb_config(shape))
    model.half().save_pretrained(hf_dir) if device == "cuda" else model.save_pretrained(hf_dir)
    del model
    started = time.perf_counter()
    converter = ctranslate2.converters.TransformersConverter(str(hf_dir), load_as_float16=device == "cuda")
    converter.convert(str(ct2_dir), quantization="float16" if device == "cuda" else None, force=True)
    convert_s = time.perf_counter() - started
    supported = set(ctranslate2.get_supported_compute_types(device))
    pieces = _pieces()
    rows: list[dict[str, Any]] = []
    for compute_type in run["compute_types"]:
        if compute_type not in supported:
            rows.append({"compute_type": compute_type, "status": f"skipped: not supported on {device} here"})
            continue
        translator = ctranslate2.Translator(str(ct2_dir), device=device, compute_type=compute_type)
        for batch in run["batches"]:
            rng = random.Random(batch)
            source = [[rng.choice(pieces) for _ in range(run["source"] - 1)] + ["</s>"] for _ in range(batch)]
            kwargs = {
                "target_prefix": [["spa_Latn"]] * batch,
                "beam_size": 1,
                "max_batch_size": batch,
                "max_decoding_length": run["new"],
                "min_decoding_length": run["new"],
            }
            translator.translate_batch(source, **kwargs)  # warm-up
            started = time.perf_counter()
            results = translator.translate_batch(source, **kwargs)
            seconds = time.perf_counter() - started
            tokens = sum(len(r.hypotheses[0]) for r in results)
            rows.append(
                {
                    "compute_type": compute_type,
                    "batch": batch,
                    "status": "ok",
                    "sentences_per_s": round(batch / seconds, 1),
                    "tokens_per_s": round(tokens / seconds),
                }
            )
        del translator
    return {
        "status": "ok",
        "shape": shape,
        "ctranslate2": ctranslate2.__version__,
        "convert_s": round(convert_s, 1),
        "runs": rows,
        "peak_memory_gib": _peak_memory_gib(mode),
    }


def part_vllm(mode: str, work: Path) -> dict[str, Any]:
    """Offline vLLM, dummy weights, a Llama-3.2-1B-shaped model, fixed-length greedy generation."""
    if _missing("vllm"):
        return _skipped("vLLM is not installed")
    if mode != "gpu":
        return _skipped("vLLM is checked in GPU mode only")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, PreTrainedTokenizerFast
    from vllm import LLM, SamplingParams

    shape, run = LLAMA_1B, MODES[mode]["vllm"]
    model_dir = work / "llama"
    bpe = Tokenizer(
        models.BPE(vocab={"<s>": 0, "</s>": 1, **{p: 2 + i for i, p in enumerate(_pieces())}}, merges=[])
    )
    bpe.pre_tokenizer = pre_tokenizers.Metaspace()
    PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>").save_pretrained(
        model_dir
    )
    LlamaConfig(
        **shape,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=1,
        architectures=["LlamaForCausalLM"],
    ).save_pretrained(model_dir)
    started = time.perf_counter()
    llm = LLM(
        model=str(model_dir),
        load_format="dummy",
        dtype="bfloat16",
        enforce_eager=True,
        gpu_memory_utilization=0.5,
        max_model_len=1024,
    )
    load_s = time.perf_counter() - started
    prompts = [
        {"prompt_token_ids": ids[1:-1]} for ids in _random_ids(run["prompts"], run["prompt_tokens"], 100000)
    ]
    params = SamplingParams(temperature=0.0, max_tokens=run["new"], min_tokens=run["new"], ignore_eos=True)
    llm.generate(prompts[:8], params)  # warm-up
    started = time.perf_counter()
    outputs = llm.generate(prompts, params)
    seconds = time.perf_counter() - started
    tokens = sum(len(o.outputs[0].token_ids) for o in outputs)
    return {
        "status": "ok",
        "shape": shape,
        "load_s": round(load_s, 1),
        "prompts": run["prompts"],
        "sequences_per_s": round(len(outputs) / seconds, 1),
        "tokens_per_s": round(tokens / seconds),
    }


PARTS: dict[str, Callable[[str, Path], dict[str, Any]]] = {
    "train": part_train,
    "generate": part_generate,
    "ct2": part_ct2,
    "vllm": part_vllm,
}


# ---------------------------------------------------------------------------- driver


def environment() -> dict[str, Any]:
    """Python, packages (by metadata, nothing imported but torch) and the accelerator."""
    info: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine()}
    for name in ("torch", "transformers", "accelerate", "pydantic", "ctranslate2", "vllm"):
        try:
            info[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            info[name] = None
    import torch

    info["cuda"] = torch.version.cuda
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info["gpu"] = f"{props.name}, {props.total_memory / 2**30:.0f} GiB, sm_{props.major}{props.minor}"
        info["bf16"] = torch.cuda.is_bf16_supported()
    return info


def run_part(name: str, mode: str, work: Path) -> dict[str, Any]:
    """One part in a fresh process, so a crash or an out-of-memory stays in that part."""
    out = work / f"{name}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--part",
        name,
        "--mode",
        mode,
        "--work",
        str(work),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    started = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=PART_TIMEOUT_S[name])
    except subprocess.TimeoutExpired:
        result = {"status": "failed", "reason": f"timed out after {PART_TIMEOUT_S[name]} s"}
    else:
        if out.is_file():
            result = json.loads(out.read_text(encoding="utf-8"))
        else:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            result = {"status": "failed", "reason": f"exit {done.returncode}: {' | '.join(tail)}"}
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def _child(name: str, mode: str, work: Path) -> int:
    try:
        result = PARTS[name](mode, work / name)
    except Exception as exc:  # a part reports its error; the check goes on with the next part
        result = {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"[:500]}
    result["imported"] = sorted(m for m in ("lingua", "vllm") if m in sys.modules)
    (work / f"{name}.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


def _cell(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def markdown(report: dict[str, Any]) -> str:
    env = report["environment"]
    lines = [
        f"# GPU check ({report['mode']} mode)",
        "",
        f"- date: {report['date']}, {report['total_s']} s in all",
        "- " + ", ".join(f"{k} {v}" for k, v in env.items()),
        "",
    ]
    for name, part in report["parts"].items():
        lines += [f"## {name}: {part['status']}", ""]
        if part.get("reason"):
            lines += [part["reason"], ""]
        runs = part.get("runs")
        scalars = {k: v for k, v in part.items() if k not in ("status", "reason", "runs", "imported")}
        lines += [f"- {key}: {_cell(value)}" for key, value in scalars.items()]
        if runs:
            keys = list(dict.fromkeys(k for row in runs for k in row))
            lines += ["", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
            lines += ["| " + " | ".join(str(row.get(k, "")) for k in keys) + " |" for row in runs]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="reduced mode: tiny shapes on the CPU")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--only", nargs="*", choices=sorted(PARTS), help="run only these parts")
    parser.add_argument("--part", choices=sorted(PARTS), help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=sorted(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part:
        return _child(args.part, args.mode, args.work)
    mode = "cpu" if args.cpu else "gpu"
    started = time.perf_counter()
    env = environment()
    if mode == "gpu" and "gpu" not in env:
        print("no CUDA device visible to torch; run with --cpu for the reduced check", file=sys.stderr)
        return 2
    report: dict[str, Any] = {"mode": mode, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "environment": env}
    parts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="xstilts-gpu-check-") as tmp:
        for name in args.only or PARTS:
            (Path(tmp) / name).mkdir()
            parts[name] = run_part(name, mode, Path(tmp))
            print(
                f"{name}: {parts[name]['status']} ({parts[name]['wall_s']} s) {parts[name].get('reason', '')}"
            )
    report["parts"] = parts
    report["total_s"] = round(time.perf_counter() - started, 1)
    stem = "results-gpu" if mode == "gpu" else "results-gpu-cpu-mode"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    print(f"wrote {args.out / stem}.json and .md")
    return 1 if any(part["status"] == "failed" for part in parts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
