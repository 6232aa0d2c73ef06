"""Run every benchmark one after another and write bench/results.md (ratios, hardware, versions, date).

    python bench/run_all.py [--quick] [--only NAME ...] [--out bench/results.md]

Each benchmark measures both sides of its comparison in the same process, so the ratios it prints
hold on a noisy machine; absolute rates depend on the hardware recorded at the top of the file.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "ct2_vs_hf": "CTranslate2 int8 vs transformers fp32, same random Marian 6+6 d512, CPU",
    "dedup_cache": "MT segments: naive per-question vs dedup + translation memory on XQuAD",
    "apertium_xquad": "Apertium eng->spa generation on XQuAD: examples/s and answers projected",
    "codeswitch": "code-switched sentences/s on one core (now, before, CoSDA-ML) and lexicon cache speed-up",
    "codeswitch_quality": "code-switching switch precision against the human XQuAD translations (de, el, ru)",
    "microbatch": "service requests/s with 32 clients, micro-batching on vs off",
    "padding": "training tokens/s, length-grouped dynamic padding vs pad-to-max",
    "pipeline_overhead": "generation CPU ms/example by stage (zero-cost backend); batches in flight vs one at a time",
    "projection_xquad": "answer projection into human XQuAD de/el/ru (and Apertium es silver): EM / F1 per method",
    "qe_xquad": "quality estimation: AUC of human vs corrupted translations; what each signal drops on XQuAD es",
}
PACKAGES = ("torch", "transformers", "ctranslate2", "fastapi", "lingua-language-detector", "pyarrow")


def _hardware() -> list[str]:
    lines = [f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}"]
    lines.append(f"- machine: {platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}")
    cpu = Path("/proc/cpuinfo")
    if cpu.is_file():
        names = [
            ln.split(":", 1)[1].strip() for ln in cpu.read_text().splitlines() if ln.startswith("model name")
        ]
        if names:
            lines.append(f"- CPU: {names[0]}")
    try:
        import torch

        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    except ImportError:
        gpu = "torch not installed"
    lines.append(f"- GPU: {gpu}")
    lines.append(f"- Python {platform.python_version()}")
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    lines.append("- " + ", ".join(versions))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs of every benchmark")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), help="run only these")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    sections = ["# Benchmark results", "", *_hardware(), ""]
    failed = []
    for name in args.only or BENCHMARKS:
        command = [sys.executable, str(HERE / f"bench_{name}.py"), *(["--quick"] if args.quick else [])]
        print(f"== {name}: {BENCHMARKS[name]}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        print(done.stdout, flush=True)
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        sections += [
            f"## {name}",
            "",
            BENCHMARKS[name] + f" — {status}, {elapsed:.0f} s",
            "",
            done.stdout.strip(),
            "",
        ]
        if done.returncode != 0:
            failed.append(name)
            sections += ["```", done.stderr.strip()[-3000:], "```", ""]
            print(done.stderr[-3000:], file=sys.stderr)
    args.out.write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {args.out}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
