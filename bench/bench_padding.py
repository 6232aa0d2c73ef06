"""Training tokens/s: length-grouped dynamic padding vs pad-to-max, same model, same data, one run.

The data are (question, sentence) pairs from the XQuAD English file (every context sentence with
its paragraph's questions, so lengths vary as in pair classification), or generated
varied-length text when ../shared/data is absent. The model is an XLM-R-shaped random encoder
(4 layers, hidden 256, 4 heads) with a 3-way classification head, trained with AdamW through the
trainer's own `collate` and `length_grouped_batches`. Both sides see the same examples in the
same number of steps; only the batching differs:

* dynamic: batches of similar length (`length_grouped_batches`), padded to the batch's longest row;
* pad-to-max: plain shuffled batches padded to `max_length`, as a fixed-shape pipeline does.

Tokens/s counts real (non-pad) tokens. Time is process CPU time on CPU (one torch thread, so load
from other processes disturbs it less) and wall time with CUDA synchronisation on GPU. Peak memory
is `torch.cuda.max_memory_allocated` per side on GPU; on CPU the process RSS high-water mark after
each side (dynamic runs first, so the second number shows what pad-to-max adds).

`--model DIR` trains a real encoder folder instead (e.g. multilingual-e5-small from
`xstilts models import me5-small DIR`: 12 layers, hidden 384).

    python bench/bench_padding.py [--quick] [--data PATH] [--max-length 256] [--batch-size 32] [--model DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "xquad" / "xquad.en.json"


def load_pairs(path: Path, limit: int, seed: int) -> list[tuple[str, str]]:
    """(question, context sentence) pairs from a SQuAD-format file, or generated text without one."""
    rng = random.Random(seed)
    if path.is_file():
        from generator.segment import split_sentences
        from generator.tasks import read_examples

        examples = read_examples("squad", path).examples
        pairs = [(e.question, s.text) for e in examples for s in split_sentences(e.context)]
        rng.shuffle(pairs)
        return pairs[:limit]
    from trainer.tiny import default_corpus

    lines = default_corpus(2000, seed)
    return [
        (rng.choice(lines), " ".join(rng.choices(lines, k=max(1, int(rng.lognormvariate(1.0, 0.8))))))
        for _ in range(limit)
    ]


def build_model(work: Path, pairs: list[tuple[str, str]]) -> Path:
    from trainer.tiny import build_tiny_xlmr

    corpus = [text for pair in pairs[:3000] for text in pair]
    return build_tiny_xlmr(work / "model", corpus, vocab_size=4000, hidden_size=256, layers=4, heads=4)


def train_side(
    model_dir: Path,
    features: list[dict[str, Any]],
    batches: list[list[int]],
    pad_id: int,
    pad_to: int | None,
    device: Any,
) -> dict[str, float]:
    """Train over `batches`; returns real tokens, padded tokens, seconds and peak memory."""
    import torch

    from trainer.data import collate
    from trainer.model import HeadSpec, StiltsModel

    torch.manual_seed(0)
    model = StiltsModel.from_pretrained(model_dir, {"pair": HeadSpec("classification", 3)}).to(device)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    cuda = device.type == "cuda"

    def step(batch_ids: list[int]) -> tuple[int, int]:
        batch = {
            k: v.to(device) for k, v in collate([features[i] for i in batch_ids], pad_id, pad_to).items()
        }
        loss, _ = model("pair", batch)
        assert loss is not None
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        mask = batch["attention_mask"]
        return int(mask.sum()), int(mask.numel())

    step(batches[0])  # warm-up: allocator, kernels
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    real = padded = 0
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    for batch_ids in batches:
        r, p = step(batch_ids)
        real, padded = real + r, padded + p
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start_wall if cuda else time.process_time() - start_cpu
    peak = (
        torch.cuda.max_memory_allocated()
        if cuda
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    )
    return {"real": real, "padded": padded, "seconds": seconds, "peak_mib": peak / 2**20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer examples (a short run)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SQuAD-format JSON (XQuAD English)")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--examples", type=int, default=None, help="pairs to train on (default 1024, quick 256)"
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="a real encoder folder instead of the random one"
    )
    args = parser.parse_args(argv)

    import torch

    from generator.example import Example
    from trainer.data import encode, length_grouped_batches

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    if not cuda:
        torch.set_num_threads(1)
    n = args.examples or (256 if args.quick else 1024)
    pairs = load_pairs(args.data, n, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model or build_model(Path(tmp), pairs)
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        examples = [
            Example(id=str(i), task="pair", kind="pair", text_a=q, text_b=s, label=i % 3)
            for i, (q, s) in enumerate(pairs)
        ]
        task = encode("pair", "pair", examples, tokenizer, max_length=args.max_length)
        grouped = length_grouped_batches(task.lengths, args.batch_size, random.Random(0))
        order = list(range(len(task.features)))
        random.Random(0).shuffle(order)
        plain = [order[i : i + args.batch_size] for i in range(0, len(order), args.batch_size)]
        pad_id = tokenizer.pad_token_id
        dynamic = train_side(model_dir, task.features, grouped, pad_id, None, device)
        fixed = train_side(model_dir, task.features, plain, pad_id, args.max_length, device)

    where = torch.cuda.get_device_name(0) if cuda else "CPU, 1 thread"
    clock = "wall s" if cuda else "CPU s"
    memory = "peak MiB (cuda max allocated)" if cuda else "RSS high-water MiB"
    shape = f"{args.model.name} (real encoder)" if args.model else "XLM-R-shaped 4 layers d256"
    print(
        f"{n} (question, sentence) pairs, mean {sum(task.lengths) / len(task.lengths):.0f} tokens, "
        f"max_length {args.max_length}, batch {args.batch_size}, {shape}, {where}\n"
    )
    print(f"| batching | real tokens | padded tokens | pad share | {clock} | real tokens/s | {memory} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, side in (("length-grouped dynamic", dynamic), ("pad-to-max", fixed)):
        print(
            f"| {name} | {side['real']:.0f} | {side['padded']:.0f} | {1 - side['real'] / side['padded']:.0%} "
            f"| {side['seconds']:.2f} | {side['real'] / side['seconds']:.0f} | {side['peak_mib']:.0f} |"
        )
    ratio = (dynamic["real"] / dynamic["seconds"]) / (fixed["real"] / fixed["seconds"])
    print(f"\nspeed-up (real tokens/s, dynamic / pad-to-max): **{ratio:.2f}x** (target >= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
