"""Micro-batching: concurrent requests with the same key are merged into one call in a worker thread.

Each key (e.g. backend + options + src + tgt) has an asyncio queue and a collector task. The collector
takes the first waiting request, keeps gathering for up to `wait_s` or until `max_items` items are
held, then runs `run(key, items)` once in a thread and routes each request's slice of the results
back through its future. With `enabled=False` every request calls `run` alone (same code path).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from service.settings import Settings

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")

BatchObserver = Callable[[Hashable, int, int, float], None]
"""Called after each batch with (key, requests merged, items, seconds in `run`)."""


@dataclass
class _Pending(Generic[T, R]):
    items: Sequence[T]
    future: asyncio.Future[list[R]]


@dataclass
class _Lane(Generic[T, R]):
    queue: asyncio.Queue[_Pending[T, R]] = field(default_factory=asyncio.Queue)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    carry: _Pending[T, R] | None = None
    task: asyncio.Task[None] | None = None


class MicroBatcher(Generic[K, T, R]):
    """Gather concurrent `submit` calls per key into one `run(key, items)` call."""

    def __init__(
        self,
        run: Callable[[K, list[T]], list[R]],
        *,
        enabled: bool = True,
        wait_s: float = 0.005,
        max_items: int = 256,
        concurrency: int = 2,
        idle_s: float = 30.0,
        observe: BatchObserver | None = None,
    ) -> None:
        self.run = run
        self.enabled = enabled
        self.wait_s = wait_s
        self.max_items = max_items
        self.idle_s = idle_s
        self.observe = observe
        self._concurrency = concurrency
        self._lanes: dict[K, _Lane[T, R]] = {}
        self._running: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(
        cls, run: Callable[[K, list[T]], list[R]], settings: Settings, observe: BatchObserver
    ) -> MicroBatcher[K, T, R]:
        """A batcher configured by the service's `micro_batching` and `batch_*` settings."""
        return cls(
            run,
            enabled=settings.micro_batching,
            wait_s=settings.batch_wait_ms / 1000.0,
            max_items=settings.batch_max_segments,
            concurrency=settings.batch_concurrency,
            observe=observe,
        )

    async def submit(self, key: K, items: Sequence[T]) -> list[R]:
        """Results for `items`, in order, computed together with other requests of the same key."""
        if not items:
            return []
        pending: _Pending[T, R] = _Pending(items, asyncio.get_running_loop().create_future())
        if not self.enabled:
            await self._call(key, [pending])
            return await pending.future
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(slots=asyncio.Semaphore(self._concurrency))
            lane.task = asyncio.create_task(self._collect(key, lane))
        lane.queue.put_nowait(pending)
        return await pending.future

    async def _next(self, lane: _Lane[T, R], timeout: float) -> _Pending[T, R]:
        if lane.carry is not None:
            first, lane.carry = lane.carry, None
            return first
        return await asyncio.wait_for(lane.queue.get(), timeout)

    async def _collect(self, key: K, lane: _Lane[T, R]) -> None:
        while True:
            try:
                first = await self._next(lane, self.idle_s)
            except TimeoutError:
                if lane.queue.empty():
                    del self._lanes[key]
                    return
                continue
            batch = [first]
            size = len(first.items)
            deadline = time.monotonic() + self.wait_s
            while size < self.max_items:
                remaining = deadline - time.monotonic()
                if lane.queue.empty() and remaining <= 0:
                    break
                try:
                    nxt = (
                        lane.queue.get_nowait()
                        if not lane.queue.empty()
                        else await self._next(lane, remaining)
                    )
                except TimeoutError:
                    break
                if size + len(nxt.items) > self.max_items:
                    lane.carry = nxt
                    break
                batch.append(nxt)
                size += len(nxt.items)
            await lane.slots.acquire()
            task = asyncio.create_task(self._dispatch(key, batch, lane.slots))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _dispatch(self, key: K, batch: list[_Pending[T, R]], slots: asyncio.Semaphore) -> None:
        try:
            await self._call(key, batch)
        finally:
            slots.release()

    async def _call(self, key: K, batch: list[_Pending[T, R]]) -> None:
        """Run one merged call and resolve every request's future with its slice (or the error)."""
        items = [item for pending in batch for item in pending.items]
        start = time.perf_counter()
        try:
            results = await asyncio.to_thread(self.run, key, items)
            if len(results) != len(items):
                raise RuntimeError(f"batch function returned {len(results)} results for {len(items)} items")
        except Exception as exc:
            if len(batch) > 1:
                # One request's bad input must not fail the others: run each alone.
                for pending in batch:
                    await self._call(key, [pending])
                return
            if not batch[0].future.done():
                batch[0].future.set_exception(exc)
            return
        if self.observe is not None:
            self.observe(key, len(batch), len(items), time.perf_counter() - start)
        offset = 0
        for pending in batch:
            part = results[offset : offset + len(pending.items)]
            offset += len(pending.items)
            if not pending.future.done():
                pending.future.set_result(part)

    async def close(self) -> None:
        """Stop the collectors and wait for batches in flight."""
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *self._running, return_exceptions=True)
        self._lanes.clear()
