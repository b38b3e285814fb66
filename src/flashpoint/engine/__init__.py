"""Engines that run the pipeline over many articles: local worker processes, or Ray Data.

    with open_engine("local", workers=4) as engine:     # or "ray" (pip install 'ray[data]')
        for outcome in engine.run(["corpus/", "crawl/*.warc.gz", "feed.jsonl"]):
            ...

Both yield the same ``Outcome`` stream as ``Pipeline.run`` (one per input item, in input
order) and read the same inputs: files, folders, glob patterns, JSON Lines and WARC files.
``skip=AlreadyStored(db_url)`` resumes a run: stored articles come back as "present" unparsed.
``local`` runs N processes on this machine (default: all cores), each loading the model once;
``ray`` runs a pool of Ray actors, on a local Ray instance or an existing cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol

from ..config import Settings
from ..errors import Errors, FlashpointError
from ..pipeline import Outcome
from .local import LocalEngine, Skip, default_workers, run_local
from .resume import AlreadyStored
from .sources import expand, plan_units, read_documents

ENGINES = ("local", "ray")


class Engine(Protocol):
    def run(
        self, inputs: Iterable[str], *, allow_private: bool = False, skip: Skip | None = None
    ) -> Iterator[Outcome]: ...

    def start(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Engine: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def open_engine(
    kind: Literal["local", "ray"] | str = "local",
    *,
    workers: int | None = None,
    settings: Settings | None = None,
    parquet_dir: str | Path | None = None,
    address: str | None = None,
) -> Engine:
    """An engine by name; ``address`` (Ray only) joins an existing cluster."""
    if kind == "local":
        return LocalEngine(workers, settings, parquet_dir=parquet_dir)
    if kind == "ray":
        from .ray_engine import RayEngine

        return RayEngine(workers, settings, parquet_dir=parquet_dir, address=address)
    raise FlashpointError(
        Errors.E082.format(name="engine", value=kind, detail=f"choose from {', '.join(ENGINES)}")
    )


__all__ = [
    "ENGINES",
    "AlreadyStored",
    "Engine",
    "LocalEngine",
    "Skip",
    "default_workers",
    "expand",
    "open_engine",
    "plan_units",
    "read_documents",
    "run_local",
]
