"""The job worker: claim a job, run the pipeline on it with heartbeats and progress, record the outcome.

While a job runs, a heartbeat thread renews the lease every third of `lease_seconds`; progress
callbacks store per-(task, lang, method) totals and renew it too. When a renewal finds the job no
longer ours (cancelled, or the lease expired and another worker took it) the pipeline is asked to
stop at its next batch. A worker that dies simply stops renewing: once the lease expires another
worker claims the job and reruns the pipeline on the same shard directory, which skips finished
shards, so every input example lands in the final shards exactly once.
"""

from __future__ import annotations

import contextvars
import logging
import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError

from generator.backends.loaded import loaded_translators
from generator.errors import Cancelled, TransientError, XstiltsError
from generator.fencing import Fence, LeaseLost
from generator.pipeline.config import GenerateConfig
from generator.pipeline.runner import Progress, run
from generator.shards import MANIFEST, load_manifest
from service.datasets import Dataset, dataset_path
from service.db import Database, utcnow
from service.jobs import store
from service.jobs.models import JobState
from service.jobs.spec import JobRequest, generate_config, job_out_dir
from service.jobs.store import Lease
from service.logs import bound, configure_logging, job_id_var
from service.metrics import Metrics
from service.settings import Settings

log = logging.getLogger(__name__)

UnitKey = tuple[str, str, str, int]


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Worker:
    """Claims and runs jobs one at a time until `stop` is set."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        worker_id: str,
        *,
        metrics: Metrics | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.worker_id = worker_id
        self.metrics = metrics
        self.stop = stop or threading.Event()

    def run(self) -> None:
        """Poll for jobs until stopped; an idle worker waits `worker_poll_seconds` between looks."""
        log.info("worker %s polling for jobs", self.worker_id)
        while not self.stop.is_set():
            try:
                worked = self.run_once()
            except Exception:
                log.exception("worker %s: job store error; retrying", self.worker_id)
                worked = False
            if not worked:
                self.stop.wait(self.settings.worker_poll_seconds)

    def run_once(self) -> bool:
        """Claim and run one job; False when none was waiting."""
        lease = store.claim(
            self.db, self.worker_id, self.settings.lease_seconds, self.settings.job_max_attempts
        )
        if lease is None:
            return False
        with bound(job_id_var, lease.job_id):
            log.info("worker %s claimed job %s (attempt %d)", self.worker_id, lease.job_id, lease.attempt)
            JobRun(self, lease).execute()
        if self.metrics is not None:
            store.refresh_job_gauge(self.metrics, self.db)
        return True


class JobRun:
    """One attempt at one job by one worker."""

    def __init__(self, worker: Worker, lease: Lease) -> None:
        self.worker = worker
        self.lease = lease
        self.settings = worker.settings
        self.db = worker.db
        self.lost = threading.Event()
        self._done = threading.Event()
        self._previous: dict[tuple[str, str], int] = {}
        self._finished_before: set[UnitKey] = set()

    def should_stop(self) -> bool:
        return self.lost.is_set() or self.worker.stop.is_set()

    def execute(self) -> None:
        # The heartbeat thread logs in this context, so with the job's id.
        beat = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._heartbeat,),
            name=f"heartbeat-{self.lease.job_id}",
            daemon=True,
        )
        beat.start()
        try:
            self._run()
        finally:
            self._done.set()
            beat.join()

    def _run(self) -> None:
        lease = self.lease
        try:
            config = self._config()
            fence = Fence(lease.attempt, self._still_held)
            run(config, progress=self._progress, should_stop=self.should_stop, fence=fence)
        except Cancelled as exc:
            if isinstance(exc, LeaseLost) or self.lost.is_set():
                self._lease_lost(str(exc))
            elif store.release(self.db, lease):
                log.info("job %s: worker stopping, handed back to the queue", lease.job_id)
            return
        except XstiltsError as exc:
            if not self._still_held():
                self._lease_lost(str(exc))  # e.g. a backend timeout that counted a pause
            elif isinstance(exc, TransientError):
                state = store.retry_or_fail(self.db, lease, str(exc), self.settings.job_max_attempts)
                log.info("job %s: transient failure (%s), now %s", lease.job_id, exc, state)
            else:
                self._finish("failed", str(exc))
            return
        except Exception as exc:
            log.exception("job %s failed unexpectedly", lease.job_id)
            self._finish("failed", f"internal error ({type(exc).__name__}: {exc}); see the worker log")
            return
        self._finish("succeeded", None)

    def _still_held(self) -> bool:
        """Renew the lease and say whether it is still ours (the fence's check before each write)."""
        if self.lost.is_set():
            return False
        held = store.heartbeat(self.db, self.lease, self.settings.lease_seconds)
        if not held:
            self.lost.set()
        return held

    def _lease_lost(self, why: str) -> None:
        """Stop without writing; a takeover after a pause does not count against the job's attempts."""
        refunded = store.refund(self.db, self.lease)
        log.info(
            "job %s: stopped, the job was cancelled or its lease was lost (%s)%s",
            self.lease.job_id,
            why,
            "; the attempt is not charged" if refunded else "",
        )

    def _finish(self, state: JobState, error: str | None) -> None:
        if store.finish(self.db, self.lease, state, error):
            log.info("job %s %s%s", self.lease.job_id, state, f": {error}" if error else "")
        else:
            log.info("job %s: outcome %s not recorded, the lease was lost", self.lease.job_id, state)

    def _config(self) -> GenerateConfig:
        request = JobRequest.model_validate(self.lease.request)
        with self.db.session() as session:
            dataset = session.get(Dataset, self.lease.dataset_id)
            if dataset is None:
                raise XstiltsError(f"dataset '{self.lease.dataset_id}' of this job no longer exists")
            source = dataset_path(self.settings, dataset)
            task = request.task or dataset.task
        out = job_out_dir(self.settings, self.lease.job_id)
        out.mkdir(parents=True, exist_ok=True)
        if (out / MANIFEST).exists():
            self._finished_before = {(s.task, s.lang, s.method, s.index) for s in load_manifest(out).shards}
        return generate_config(self.settings, request, task, source, out)

    def _progress(self, progress: Progress) -> None:
        unit = progress.unit
        try:
            stored = store.record_progress(
                self.db,
                self.lease,
                self.settings.lease_seconds,
                (unit.task, unit.lang, unit.method),
                progress.done_rows,
                progress.total_rows,
                progress.kept,
                progress.dropped,
            )
        except SQLAlchemyError:
            # Progress is informational and the heartbeat thread keeps the lease; the shard is safe.
            log.exception("job %s: could not store progress", self.lease.job_id)
            stored = True
        if not stored:
            self.lost.set()
        key = (unit.lang, unit.method)
        kept = progress.kept - self._previous.get(key, 0)
        self._previous[key] = progress.kept
        if (
            self.worker.metrics is None
            or (unit.task, unit.lang, unit.method, unit.index) in self._finished_before
        ):
            return
        self.worker.metrics.examples_generated.labels(unit.lang, unit.method).inc(kept)
        self._count_drops(unit.task, unit.lang, unit.method, unit.index)

    def _count_drops(self, task: str, lang: str, method: str, index: int) -> None:
        assert self.worker.metrics is not None
        out = job_out_dir(self.settings, self.lease.job_id)
        for shard in load_manifest(out).select(task, lang, method):
            if shard.index == index:
                for reason, count in shard.drops.items():
                    self.worker.metrics.examples_dropped.labels(lang, reason).inc(count)

    def _heartbeat(self) -> None:
        interval = self.settings.lease_seconds / 3
        lease_seconds = timedelta(seconds=self.settings.lease_seconds)
        renewed = utcnow()
        while not self._done.wait(interval):
            try:
                if not store.heartbeat(self.db, self.lease, self.settings.lease_seconds):
                    self.lost.set()
                    return
                renewed = utcnow()
            except Exception:
                log.exception("job %s: heartbeat failed", self.lease.job_id)
                if utcnow() - renewed > lease_seconds:
                    self.lost.set()  # our lease has run out; another worker may own the job now
                    return


# --- `xstilts worker` ---------------------------------------------------------------------------


def serve_worker(worker_id: str) -> None:
    """Run one worker in this process until SIGTERM or SIGINT (the running job goes back to the queue)."""
    settings = Settings()
    configure_logging(settings.log_format)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.connect(settings.resolved_database_url())
    db.init_db()
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        Worker(db, settings, worker_id, stop=stop).run()
    finally:
        loaded_translators().close()
        db.dispose()


def run_worker_processes(concurrency: int, worker_id: str | None = None) -> None:
    """Run `concurrency` workers, each in its own process; signals are passed on to every one."""
    base = worker_id or default_worker_id()
    if concurrency == 1:
        serve_worker(base)
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=serve_worker, args=(f"{base}-{i}",), name=f"xstilts-worker-{i}")
        for i in range(concurrency)
    ]
    for process in processes:
        process.start()

    def forward(signum: int, _frame: FrameType | None) -> None:
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signum)

    handlers: dict[int, Callable[[int, FrameType | None], None]] = {
        signal.SIGTERM: forward,
        signal.SIGINT: forward,
    }
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    for process in processes:
        process.join()
