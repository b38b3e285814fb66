"""The pipeline on one machine, in N worker processes that each load the model once.

Reading stays in the calling process: it is I/O, and it keeps ``read_inputs``' order, size caps
and URL guards in one place. Documents go to the workers in small chunks with at most a few
chunks per worker in flight, so memory stays flat however long the input is, and outcomes come
back in input order: ``LocalEngine.run`` yields exactly what ``Pipeline.run`` yields, only
sooner. Workers are started with ``spawn`` (a forked copy of a parent with threads, such as a
progress bar or a web server, can deadlock; the calling script needs the usual
``if __name__ == "__main__"`` guard), and the pool can be replaced every so many articles to
hand back whatever memory a long run accumulated in it.

A worker that dies (killed for memory, a crash in native code) breaks the pool. The engine then
starts a new pool and re-runs the chunks that were in flight one document at a time, so the
document that kills a worker is reported as failed (E080) and every other one is extracted.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType

from ..config import Settings
from ..errors import Errors, FlashpointError
from ..ingest import InputFailure
from ..pipeline import Outcome, Pipeline
from ..types import Article, Document
from .shards import ShardWriter
from .sources import read_documents

log = logging.getLogger(__name__)

Item = Document | InputFailure
# Sent to the workers with every task, so it must pickle (see ``resume.AlreadyStored``).
Skip = Callable[[Article], bool]

_PARENT_POLL_S = 1.0
# Set in each worker process by ``_init_worker``.
_PIPELINE: Pipeline | None = None
_SETUP_ERROR: Exception | None = None


def _exit_with(parent: int) -> None:
    """End this worker once its parent is gone.

    A parent killed outright (SIGKILL, out of memory) never closes the task queue, and each
    worker holds both ends of it, so without this the workers would wait for work forever.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_S)
    os._exit(1)


def _init_worker(settings: Settings, parent: int) -> None:
    """Load the model once per worker; a failure is kept and raised by the first task.

    ``parent`` comes from the parent itself: asked here, ``getppid`` would already name init
    for a worker whose parent died while it was starting up.
    """
    global _PIPELINE, _SETUP_ERROR
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    try:
        _PIPELINE = Pipeline(settings)
    except Exception as err:  # re-raised in the parent, which reports it once
        _SETUP_ERROR = err


def _pipeline() -> Pipeline:
    if _PIPELINE is None:
        raise _SETUP_ERROR or RuntimeError("worker was not initialised")
    return _PIPELINE


def _ready() -> int:
    _pipeline()
    return os.getpid()


def _work(items: list[Item], skip: Skip | None) -> list[Outcome]:
    return list(_pipeline().run_documents(items, chunk=max(len(items), 1), skip=skip))


def default_workers() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(slots=True)
class _Task:
    items: list[Item]
    future: Future[list[Outcome]]


class LocalEngine:
    """``Pipeline.run`` spread over ``workers`` processes (default: all cores).

    Use as a context manager, or call ``close``. With ``workers=1`` everything runs in the
    calling process, exactly as ``Pipeline`` does.

    ``chunk``: documents per task, reached by doubling from one. ``recycle_after``: documents
    per worker after which the pool is drained and replaced by fresh processes (None: never);
    done here rather than with
    ``max_tasks_per_child``, which can deadlock on Python 3.11 (CPython gh-115634).
    ``parquet_dir``: also write ``run``'s outcomes as Parquet shards there (see ``shards``).
    """

    def __init__(
        self,
        workers: int | None = None,
        settings: Settings | None = None,
        *,
        chunk: int = 16,
        recycle_after: int | None = None,
        parquet_dir: str | Path | None = None,
    ) -> None:
        self.workers = default_workers() if workers is None else workers
        for name, value in (("workers", self.workers), ("chunk", chunk)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise FlashpointError(
                    Errors.E082.format(name=name, value=value, detail="must be at least 1")
                )
        if recycle_after is not None and recycle_after < 1:
            raise FlashpointError(
                Errors.E082.format(name="recycle_after", value=recycle_after, detail="must be >= 1")
            )
        self.settings = settings or Settings.from_env()
        self.chunk = chunk
        self.window = 2 * self.workers
        # Fresh pool after this many documents (recycle_after per worker); None: never.
        self._pool_quota = recycle_after * self.workers if recycle_after is not None else None
        self._pool_used = 0
        self.parquet_dir = Path(parquet_dir) if parquet_dir is not None else None
        self._pool: ProcessPoolExecutor | None = None
        self._local: Pipeline | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers and wait until each has its model (raises what loading raised)."""
        if self.workers == 1:
            if self._local is None:
                self._local = Pipeline(self.settings)
            return
        if self._pool is not None:
            return
        # One BLAS thread per worker: the workers already fill the cores, and OpenBLAS threads
        # spinning beside another worker's cost the coder's encoder three times its CPU
        # (BENCHMARKS.md, throughput). Spawned workers read these when they import NumPy.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.settings, os.getpid()),
        )
        self._pool_used = 0
        try:
            for future in [self._pool.submit(_ready) for _ in range(self.workers)]:
                future.result()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalEngine:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for memory measurements)."""
        if self._pool is None:
            return []
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(pid for pid, proc in processes.items() if proc.is_alive())

    # -- running -----------------------------------------------------------------------------

    def run(
        self, inputs: Iterable[str], *, allow_private: bool = False, skip: Skip | None = None
    ) -> Iterator[Outcome]:
        """Outcomes for everything the inputs hold, in order (files, folders, globs, WARC).

        ``skip`` as for ``Pipeline.run``; with several workers it must pickle.
        """
        docs = read_documents(inputs, allow_private=allow_private)
        outcomes = self.run_documents(docs, skip=skip)
        if self.parquet_dir is None:
            yield from outcomes
            return
        with ShardWriter(self.parquet_dir) as shards:
            for outcome in outcomes:
                shards.add(outcome)
                yield outcome

    def run_documents(self, docs: Iterable[Item], skip: Skip | None = None) -> Iterator[Outcome]:
        self.start()
        if self._local is not None:
            yield from self._local.run_documents(docs, skip=skip)
            return
        stream = iter(docs)
        pending: deque[_Task] = deque()
        held: list[Item] = []
        # chunks grow 1, 2, 4... up to ``chunk``: twenty documents go to both workers rather
        # than sixteen to one and four to the other, and the first outcomes come back soon
        size = 1
        while True:
            while len(pending) < self.window:
                items, held = held or list(islice(stream, size)), []
                size = min(2 * size, self.chunk)
                if not items:
                    break
                if self._spent():
                    if pending:  # recycle once every task of the old pool is collected
                        held = items
                        break
                    self._restart()
                pending.append(self._submit(items, skip))
            if not pending:
                return
            task = pending.popleft()
            try:
                outcomes = task.future.result()
            except FlashpointError:
                raise  # the model or settings are unusable: no document can succeed
            except BrokenProcessPool:
                log.warning("a worker process died; re-running the %d chunks in flight",
                            1 + len(pending))
                in_flight = [task, *pending]
                pending.clear()
                self._restart()
                for t in in_flight:
                    yield from self._salvage(t, skip)
                continue
            except Exception:
                log.exception("a chunk failed as a whole; re-running it one document at a time")
                outcomes = list(self._isolated(task.items, skip))
            yield from outcomes

    def _submit(self, items: list[Item], skip: Skip | None) -> _Task:
        assert self._pool is not None
        self._pool_used += len(items)
        return _Task(items, self._pool.submit(_work, items, skip))

    def _spent(self) -> bool:
        return self._pool_quota is not None and self._pool_used >= self._pool_quota

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.start()

    def _salvage(self, task: _Task, skip: Skip | None) -> Iterator[Outcome]:
        """A chunk's outcomes after a pool broke: kept if it finished, else re-run alone."""
        future = task.future
        if future.done() and not future.cancelled() and future.exception() is None:
            yield from future.result()
        else:
            yield from self._isolated(task.items, skip)

    def _isolated(self, items: list[Item], skip: Skip | None) -> Iterator[Outcome]:
        """One document per task, one task at a time, so a failure names its document."""
        for item in items:
            try:
                yield from self._submit([item], skip).future.result()
            except FlashpointError:
                raise
            except BrokenProcessPool:
                yield Outcome(
                    item.source,
                    status="failed",
                    code="E080",
                    message=Errors.E080.format(source=item.source),
                )
                self._restart()
            except Exception as err:
                yield Outcome(item.source, status="failed", code="E000", message=repr(err))


def run_local(
    inputs: Iterable[str],
    *,
    workers: int | None = None,
    settings: Settings | None = None,
    allow_private: bool = False,
    skip: Skip | None = None,
) -> Iterator[Outcome]:
    """Outcomes of ``inputs`` from a ``LocalEngine`` that lives as long as the iteration."""
    with LocalEngine(workers, settings) as engine:
        yield from engine.run(inputs, allow_private=allow_private, skip=skip)
