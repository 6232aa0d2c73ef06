"""Fenced writes into an output directory: a writer whose lease was lost cannot publish a file.

Every file published into a shard directory (shards, manifest) goes through a `FencedWriter`
holding a `Fence`: the writer's lease token (the job attempt that owns the directory; 0 for a
local run) and, optionally, a check that the lease is still held. Each publication takes an
exclusive lock on `<out>/.lock`, reads the highest token that ever wrote there (`<out>/.fence`),
refuses with `LeaseLost` when a newer token wrote meanwhile or the lease check fails, and then
renames the fully written temporary file into place. A paused worker that resumes after another
worker took over its job therefore cannot overwrite what the newer one published, and
read-modify-write updates of one file (the manifest) are compare-and-set under the same lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Cancelled, ShardError

FENCE = ".fence"
LOCK = ".lock"
# How long a writer waits for another writer of the same directory to finish one publication.
LOCK_WAIT_S = 60.0
_POLL_S = 0.02


class LeaseLost(Cancelled):
    """A write refused because its writer no longer holds the directory (a newer lease took it over)."""


@dataclass(frozen=True)
class Fence:
    """The lease a writer holds: its token and a check that it still holds it (raises or returns False)."""

    token: int = 0
    still_held: Callable[[], bool] | None = None


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def _write_temporary(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return tmp


class FencedWriter:
    """Publishes files into `out_dir` under `fence`; safe across threads and processes."""

    def __init__(self, out_dir: Path, fence: Fence | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.fence = fence or Fence()
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, (self.out_dir / LOCK).open("a") as handle:
            deadline = time.monotonic() + LOCK_WAIT_S
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ShardError(
                            f"{self.out_dir}: another writer held the directory lock for over "
                            f"{LOCK_WAIT_S:.0f} s (paused or hung); the unit is retried"
                        ) from None
                    time.sleep(_POLL_S)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def newest_token(self) -> int:
        """The highest lease token that has published into the directory (0 when none)."""
        try:
            return int((self.out_dir / FENCE).read_text(encoding="ascii").strip() or 0)
        except FileNotFoundError:
            return 0

    def _check(self) -> None:
        newest = self.newest_token()
        token = self.fence.token
        if token < newest:
            raise LeaseLost(
                f"lease {token} of {self.out_dir} was superseded by lease {newest}; write refused"
            )
        held = self.fence.still_held
        if held is not None:
            try:
                ok = held()
            except Exception as exc:  # an unverifiable lease is not a held one
                raise LeaseLost(f"lease {token} of {self.out_dir} could not be verified ({exc})") from exc
            if not ok:
                raise LeaseLost(f"lease {token} of {self.out_dir} was lost; write refused")
        if token > newest:
            os.replace(
                _write_temporary(self.out_dir / FENCE, str(token).encode("ascii")), self.out_dir / FENCE
            )

    def publish(self, rel: str, data: bytes) -> None:
        """Write `data` to `out_dir/rel` atomically, if the fence still holds."""
        path = self.out_dir / rel
        tmp = _write_temporary(path, data)
        try:
            with self._locked():
                self._check()
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def update(self, rel: str, change: Callable[[bytes | None], bytes]) -> bytes:
        """Compare-and-set of `out_dir/rel`: `change` maps the current bytes (None: no file) to the new ones."""
        path = self.out_dir / rel
        with self._locked():
            self._check()
            current = path.read_bytes() if path.is_file() else None
            data = change(current)
            tmp = _write_temporary(path, data)
            try:
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        return data


def sweep_temporaries(root: Path, min_age_s: float) -> list[Path]:
    """Remove the temporary files (`.*.tmp`) below `root` untouched for `min_age_s`: writers killed
    mid-write left them (a live writer renames its file within seconds). Returns those removed."""
    removed = []
    cutoff = time.time() - min_age_s
    for tmp in Path(root).rglob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
    return removed
