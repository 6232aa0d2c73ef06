"""What the API process runs beside requests: the in-process worker thread, the jobs-by-state gauge and
the retention sweep (TTLs, disk gauges)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from service.jobs.store import refresh_job_gauge
from service.jobs.worker import Worker, default_worker_id
from service.retention import run_sweep
from service.state import Services

log = logging.getLogger(__name__)

GAUGE_REFRESH_S = 5.0
# How long shutdown waits for the running job to reach a batch boundary and go back to the queue.
SHUTDOWN_WAIT_S = 30.0


@dataclass
class JobRuntime:
    """Background threads of one app: a worker (unless `run_worker` is false), the gauge refresher and
    the retention sweep."""

    services: Services
    stop_event: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, services: Services) -> JobRuntime:
        runtime = cls(services)
        runtime._spawn(runtime._refresh_gauge, "job-gauge")
        runtime._spawn(runtime._sweep, "retention")
        if services.settings.run_worker:
            worker = Worker(
                services.db,
                services.settings,
                f"{default_worker_id()}-api",
                metrics=services.metrics,
                stop=runtime.stop_event,
            )
            runtime._spawn(worker.run, "job-worker")
        return runtime

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _refresh_gauge(self) -> None:
        while True:
            try:
                refresh_job_gauge(self.services.metrics, self.services.db)
            except Exception:
                log.exception("could not refresh the jobs gauge")
            if self.stop_event.wait(GAUGE_REFRESH_S):
                return

    def _sweep(self) -> None:
        services = self.services
        while True:
            try:
                run_sweep(services.db, services.settings, services.metrics)
            except Exception:
                log.exception("retention sweep failed; retrying at the next interval")
            if self.stop_event.wait(services.settings.retention_sweep_seconds):
                return

    async def stop(self) -> None:
        """Stop the threads; a running job stops at its next batch and goes back to the queue."""
        self.stop_event.set()
        for thread in self.threads:
            await asyncio.to_thread(thread.join, SHUTDOWN_WAIT_S)
