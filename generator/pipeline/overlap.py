"""Batches processed while the backend translates: the same shards as one batch at a time, sooner.

A batch's work is a generator (`Steps`): CPU work up to a translation request, which it yields, then
more CPU work with the translations it is sent (projection, retries, filters) until it returns its
outcome. `run_jobs` keeps up to `window` batches in flight: the backend (an accelerator stage, in its
own thread) works through their requests in order while this thread prepares the next batches
(segmentation, dedup, memory lookups, marking) and finishes the earlier ones (projection, filters;
the caller writes Parquet while the backend carries on with the next unit). Model-based stages
belong in that thread too.

Outputs stay byte-identical to one batch at a time, also for backends whose output depends on what
else is in a call (Apertium's tagger sees neighbouring segments; GPU numerics see the batch): every
backend call holds exactly the texts it would hold sequentially, the request's texts that neither
the translation memory nor an earlier request has. A batch that runs ahead forms its requests
against the requests of the batches before it that exist so far; when one of those later asks for a
text the ahead batch has already sent, the ahead batch (and every batch after it) is restarted and
its calls discarded, which is rare (a retry text of one batch among the first texts of the next).
Translations enter the memory, and outcomes are returned, in batch order.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from generator.errors import XstiltsError
from generator.pipeline.stats import SegmentStats

T = TypeVar("T")
Steps = Generator[list[str], dict[str, str], T]
DEFAULT_WINDOW = 4


class Memory(Protocol):
    """The translation memory per target language, used from this thread only."""

    def get_many(self, lang: str, texts: list[str]) -> dict[str, str]: ...

    def put_many(self, lang: str, translations: dict[str, str]) -> None: ...


@dataclass(slots=True)
class Job(Generic[T]):
    """One batch: its target language and how to start (or restart) its steps."""

    lang: str
    start: Callable[[], Steps[T]]


@dataclass(slots=True)
class _Call:
    """One backend call: the texts it holds and its translations to come."""

    lang: str
    texts: list[str]
    future: Future[list[str]]

    def result(self) -> dict[str, str]:
        out = self.future.result()
        if len(out) != len(self.texts):
            raise XstiltsError(
                f"the translator returned {len(out)} translations for {len(self.texts)} texts; "
                "a backend must return exactly one translation per input text"
            )
        return dict(zip(self.texts, out, strict=True))


@dataclass(slots=True)
class _Request:
    """A yielded request: its texts, the known ones, and the calls the rest come from."""

    unique: list[str]
    known: dict[str, str]
    calls: list[_Call]

    def ready(self) -> bool:
        return all(call.future.done() for call in self.calls)

    def translations(self) -> dict[str, str]:
        found = dict(self.known)
        for call in self.calls:
            results = call.result()
            found.update({t: results[t] for t in self.unique if t in results and t not in found})
        return found


@dataclass(slots=True)
class _Running(Generic[T]):
    """A job in the window: its steps, its open request, its calls, its counts; its outcome once done."""

    index: int
    job: Job[T]
    steps: Steps[T]
    request: _Request | None = None
    calls: list[_Call] = field(default_factory=list)
    stats: SegmentStats = field(default_factory=SegmentStats)
    done: bool = False
    outcome: T | None = None


class _Window(Generic[T]):
    """The jobs in flight, their backend calls, and who sent which text."""

    def __init__(
        self, memory: Memory, translate: Callable[[str, list[str]], list[str]], pool: ThreadPoolExecutor
    ) -> None:
        self.memory, self.translate, self.pool = memory, translate, pool
        self.running: list[_Running[T]] = []
        self.sender: dict[tuple[str, str], tuple[int, _Call]] = {}  # (lang, text) -> (job index, call)

    def start(self, index: int, job: Job[T]) -> None:
        run = _Running(index, job, job.start())
        self.running.append(run)
        self._advance(run, None)

    def _advance(self, run: _Running[T], translations: dict[str, str] | None) -> None:
        try:
            texts = next(run.steps) if translations is None else run.steps.send(translations)
        except StopIteration as stop:
            run.done, run.outcome, run.request = True, stop.value, None
            return
        run.request = self._request(run, texts)

    def _request(self, run: _Running[T], texts: list[str]) -> _Request:
        """Known texts from the memory, the rest from earlier calls or a new call of this job."""
        unique = list(dict.fromkeys(t for t in texts if t))
        run.stats.requested += sum(1 for t in texts if t)
        run.stats.distinct += len(unique)
        known = self.memory.get_many(run.job.lang, unique) if unique else {}
        calls: dict[int, _Call] = {}
        missing: list[str] = []
        for text in unique:
            if text in known:
                continue
            sender = self.sender.get((run.job.lang, text))
            if sender is not None and sender[0] <= run.index:
                calls[id(sender[1])] = sender[1]
            else:
                missing.append(text)
        if missing:
            lang = run.job.lang
            later = [self.sender[(lang, t)][0] for t in missing if (lang, t) in self.sender]
            call = _Call(lang, missing, self.pool.submit(self.translate, lang, missing))
            run.calls.append(call)
            run.stats.translated += len(missing)
            for text in missing:
                self.sender[(lang, text)] = (run.index, call)
            calls[id(call)] = call
            if later:  # a job ahead sent a text this earlier job sends now: it ran on a wrong guess
                self.restart_from(min(later))
        return _Request(unique, {t: known[t] for t in unique if t in known}, list(calls.values()))

    def restart_from(self, index: int) -> None:
        """Discard the calls of every job from `index` on and start those jobs again, in order."""
        again = [run for run in self.running if run.index >= index]
        self.running = [run for run in self.running if run.index < index]
        dropped = {id(call) for run in again for call in run.calls}
        for call in (call for run in again for call in run.calls):
            call.future.cancel()
        self.sender = {key: value for key, value in self.sender.items() if id(value[1]) not in dropped}
        for run in again:
            run.steps.close()
            self.start(run.index, run.job)

    def step(self) -> None:
        """Advance the earliest job whose translations are in; wait for the front job's when none is."""
        for run in self.running:
            if run.request is not None and run.request.ready():
                self._advance(run, run.request.translations())
                return
        front = next(run for run in self.running if not run.done)
        assert front.request is not None
        for call in front.request.calls:
            call.future.result()

    def finished(self) -> _Running[T] | None:
        """The front job once it is done: its calls go to the memory and it leaves the window."""
        if not self.running or not self.running[0].done:
            return None
        run = self.running.pop(0)
        for call in run.calls:
            self.memory.put_many(call.lang, call.result())
            for text in call.texts:
                self.sender.pop((call.lang, text), None)
        return run


def computed(compute: Callable[[], T]) -> Steps[T]:
    """The steps of a batch that needs no translation (code-switching)."""
    yield from ()
    return compute()


def run_jobs(
    jobs: Iterable[Job[T]],
    memory: Memory,
    translate: Callable[[str, list[str]], list[str]],
    *,
    window: int = DEFAULT_WINDOW,
    before_each: Callable[[int], None] | None = None,
) -> Iterator[tuple[T, SegmentStats]]:
    """(outcome, segment counts) of each job, in order; `translate(lang, texts)` runs in one worker thread.

    `before_each(job index)` is called when a job comes to the front of the window, before its
    translations are used (it may raise to stop the run, e.g. on cancellation); `window=1` is one
    batch at a time.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    source = iter(enumerate(jobs))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xstilts-backend") as pool:
        flight: _Window[T] = _Window(memory, translate, pool)
        exhausted = False
        checked = -1
        try:
            while True:
                while not exhausted and len(flight.running) < window:
                    item = next(source, None)
                    if item is None:
                        exhausted = True
                    else:
                        flight.start(*item)
                if not flight.running:
                    return
                front = flight.running[0]
                if before_each is not None and checked < front.index:
                    before_each(front.index)
                    checked = front.index
                done = flight.finished()
                if done is not None:
                    yield done.outcome, done.stats  # type: ignore[misc]
                else:
                    flight.step()
        finally:
            for run in flight.running:
                run.steps.close()
                for call in run.calls:
                    call.future.cancel()
