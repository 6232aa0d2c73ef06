"""Micro-batching on vs off: the service in-process under uvicorn, 32 concurrent clients, real Apertium.

Apertium starts a pipeline of processes per call, so merging concurrent requests into one call
saves most of the per-request cost. The translation cache is off so every request reaches the backend.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from service.app import create_app
from service.settings import Settings

SUBJECTS = ["The house", "My friend", "A teacher", "The old man", "Our city", "The dog", "The river"]
VERBS = ["is near", "looks at", "walks to", "lives in", "talks about", "remembers"]
OBJECTS = ["the market", "a small garden", "the school", "the mountains", "a red car", "the station"]


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sentence(i: int) -> str:
    subject = SUBJECTS[i % len(SUBJECTS)]
    verb = VERBS[(i // len(SUBJECTS)) % len(VERBS)]
    obj = OBJECTS[(i // (len(SUBJECTS) * len(VERBS))) % len(OBJECTS)]
    return f"{subject} {verb} {obj}."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start within 30 s")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


async def drive(base_url: str, n_requests: int, clients: int) -> Result:
    latencies: list[float] = []
    counter = iter(range(n_requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base_url, timeout=300, limits=limits) as client:
        warm = await client.post("/v1/translate", json={"texts": ["Warm up."], "tgt": "es"})
        warm.raise_for_status()

        async def one_client() -> None:
            for i in counter:
                start = time.perf_counter()
                response = await client.post("/v1/translate", json={"texts": [sentence(i)], "tgt": "es"})
                response.raise_for_status()
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        seconds = time.perf_counter() - start
    return Result(n_requests, seconds, latencies)


def run_once(micro_batching: bool, n_requests: int, clients: int, data_dir: Path) -> Result:
    settings = Settings(
        data_dir=data_dir,
        micro_batching=micro_batching,
        use_cache=False,
        rate_limit_per_minute=0,
        max_body_bytes=1_048_576,
    )
    server, thread, url = start_server(settings)
    try:
        return asyncio.run(drive(url, n_requests, clients))
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a short run)")
    parser.add_argument("--requests", type=int, default=None, help="requests per side")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    args = parser.parse_args(argv)
    if shutil.which("apertium") is None:
        sys.exit("bench_microbatch needs apertium: apt-get install apertium apertium-eng-spa")
    n_requests = args.requests or (96 if args.quick else 320)
    with tempfile.TemporaryDirectory(prefix="xstilts-bench-") as tmp:
        off = run_once(False, n_requests, args.clients, Path(tmp) / "off")
        on = run_once(True, n_requests, args.clients, Path(tmp) / "on")
    print(
        f"\nApertium en->es, {args.clients} concurrent clients, {n_requests} requests of one sentence each\n"
    )
    print("| micro-batching | requests/s | p50 latency (ms) | p99 latency (ms) |")
    print("|---|---:|---:|---:|")
    for name, result in (("off", off), ("on", on)):
        print(
            f"| {name} | {result.rps:.1f} | {1000 * result.percentile(0.5):.0f} | "
            f"{1000 * result.percentile(0.99):.0f} |"
        )
    print(
        f"| **on / off** | **{on.rps / off.rps:.1f}x** | "
        f"{off.percentile(0.5) / on.percentile(0.5):.1f}x lower | "
        f"{off.percentile(0.99) / on.percentile(0.99):.1f}x lower |"
    )
    print(
        f"\nmean latency off {1000 * statistics.mean(off.latencies):.0f} ms, on {1000 * statistics.mean(on.latencies):.0f} ms"
    )


if __name__ == "__main__":
    main()
