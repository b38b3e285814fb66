"""The pipeline on a Ray cluster through Ray Data, for corpora larger than one machine.

The driver cuts the inputs into units (``sources.plan_units``: a few files, or a line range of a
large JSON Lines file, or one WARC file) and hands them to ``map_batches`` over a fixed pool of
actors, each of which loads the model once and reads, cleans and extracts its units. Workers
return Arrow tables: the shard columns (``shards.COLUMNS``) plus the pickled ``Extraction``, so
the driver can write Parquet shards straight from Arrow and still yield the same ``Outcome``
objects as ``Pipeline.run``, in input order (Ray Data's ``preserve_order``), for the database
writer. Units name files, so workers must see the same filesystem as the driver: one machine,
or a shared mount across a cluster.

Failures inside a document are outcomes, as everywhere. A unit whose processing kills its actor
(a native crash, memory) is retried twice and then fails the run, unlike ``LocalEngine``, which
re-runs documents one at a time to name the culprit.
"""

from __future__ import annotations

import json
import logging
import pickle
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any

from ..config import Settings
from ..errors import Errors, FlashpointError
from ..pipeline import Outcome, Pipeline
from .local import Skip, default_workers
from .shards import COLUMNS, ShardWriter, outcome_row, schema
from .sources import MAX_BYTES, Unit, plan_units, read_unit

PAYLOAD = "extraction"
MAX_TASK_RETRIES = 2


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise FlashpointError(Errors.E081.format(detail=err)) from err
    return ray


class Extractor:
    """One per Ray actor: the model loaded once in ``__init__``, then unit after unit."""

    def __init__(
        self, settings: Settings, allow_private: bool, max_bytes: int, skip: Skip | None
    ) -> None:
        self.pipeline = Pipeline(settings)
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.skip = skip

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        rows: list[dict[str, Any]] = []
        for spec in batch.column("unit").to_pylist():
            fields = json.loads(spec)
            unit = Unit(**{**fields, "items": tuple(fields["items"])})
            docs = read_unit(unit, allow_private=self.allow_private, max_bytes=self.max_bytes)
            for outcome in self.pipeline.run_documents(docs, skip=self.skip):
                row = outcome_row(outcome)
                row[PAYLOAD] = (
                    pickle.dumps(outcome.extraction, protocol=pickle.HIGHEST_PROTOCOL)
                    if outcome.extraction is not None
                    else None
                )
                rows.append(row)
        return pa.Table.from_pylist(rows, schema=schema().append(pa.field(PAYLOAD, pa.binary())))


def _outcomes(table: Any) -> Iterator[Outcome]:
    """The ``Outcome`` objects of a worker's output table, in its row order."""
    names = ("source", "status", "code", "message", PAYLOAD)
    columns = [table.column(name).to_pylist() for name in names]
    for source, status, code, message, payload in zip(*columns, strict=True):
        extraction = pickle.loads(payload) if payload is not None else None
        yield Outcome(source, extraction, status=status, code=code, message=message)


class RayEngine:
    """``Pipeline.run`` on Ray Data actors; optionally writes Parquet shards as results come.

    ``address``: an existing cluster ("auto", "ray://host:10001"); None starts a local one with
    ``workers`` CPUs, shut down again on ``close``. ``workers``: actors, one CPU each (default:
    the cluster's CPUs, or all local cores).
    """

    def __init__(
        self,
        workers: int | None = None,
        settings: Settings | None = None,
        *,
        address: str | None = None,
        parquet_dir: str | Path | None = None,
        files_per_unit: int = 8,
        range_bytes: int = 1 << 21,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        if workers is not None and (isinstance(workers, bool) or workers < 1):
            raise FlashpointError(
                Errors.E082.format(name="workers", value=workers, detail="must be at least 1")
            )
        self.ray = _ray()
        self.settings = settings or Settings.from_env()
        self.address = address
        self.parquet_dir = Path(parquet_dir) if parquet_dir is not None else None
        self.files_per_unit = files_per_unit
        self.range_bytes = range_bytes
        self.max_bytes = max_bytes
        self._started = False
        self.workers = workers or 0

    def start(self) -> None:
        ray = self.ray
        if not ray.is_initialized():
            ray.init(
                address=self.address,
                num_cpus=(self.workers or default_workers()) if self.address is None else None,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
            self._started = True
        if not self.workers:
            self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        # The ingest command reports progress and a summary itself; Ray Data's execution logs
        # would interleave with it (errors still surface as exceptions).
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False

    def __enter__(self) -> RayEngine:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def run(
        self, inputs: Iterable[str], *, allow_private: bool = False, skip: Skip | None = None
    ) -> Iterator[Outcome]:
        """Outcomes for everything the inputs hold, in input order.

        ``skip`` as for ``Pipeline.run``; it travels to the actors, so it must pickle.
        """
        self.start()
        ray = self.ray
        units = [
            {"unit": json.dumps(asdict(u))}
            for u in plan_units(
                inputs, files_per_unit=self.files_per_unit, range_bytes=self.range_bytes
            )
        ]
        if not units:
            return
        with warnings.catch_warnings():
            # Ray 2.60 has no named parameter for task retries yet (pinned; see MAX_TASK_RETRIES)
            warnings.filterwarnings("ignore", message=".*ray_remote_args.* is deprecated")
            dataset = ray.data.from_items(units, override_num_blocks=len(units)).map_batches(
                Extractor,
                fn_constructor_kwargs={
                    "settings": self.settings,
                    "allow_private": allow_private,
                    "max_bytes": self.max_bytes,
                    "skip": skip,
                },
                batch_size=1,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(units))),
                num_cpus=1,
                # Ray Data retries forever by default, which turns a unit that kills its actor
                # every time into an endless loop; give up after a few tries instead.
                max_task_retries=MAX_TASK_RETRIES,
            )
        writer = ShardWriter(self.parquet_dir) if self.parquet_dir is not None else None
        try:
            for table in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
                if writer is not None:
                    writer.add_table(table)
                yield from _outcomes(table)
        finally:
            if writer is not None:
                writer.close()


__all__ = ["COLUMNS", "Extractor", "RayEngine"]
