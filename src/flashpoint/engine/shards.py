"""Outcomes as Parquet shards: one row per input item, events as contract JSON.

A shard set is the portable result of a bulk run, for loading into a data warehouse, DuckDB or
pandas without the event database. Rows carry the outcome (``status``, ``code``, ``message``
for skips and failures), the article's metadata and clean text, and ``events``: the JSON list of
event contract dicts (``shared/contract/event-json.md``), exactly what the store keeps as
``event_json``. Shards are written as results arrive, ``part-<run>-<n>.parquet`` with ``run`` the
start time of the run, so a rerun into the same folder adds a shard set beside the old one.
pyarrow is imported only here, when shards are wanted.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..pipeline import Outcome

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "string"),
    ("status", "string"),
    ("code", "string"),
    ("message", "string"),
    ("article_id", "string"),
    ("url", "string"),
    ("title", "string"),
    ("publisher", "string"),
    ("published", "string"),
    ("language", "string"),
    ("title_start", "int32"),
    ("title_end", "int32"),
    ("text", "large_string"),
    ("n_events", "int32"),
    ("events", "large_string"),
)


def schema() -> pa.Schema:
    import pyarrow as pa

    types = {"string": pa.string(), "large_string": pa.large_string(), "int32": pa.int32()}
    return pa.schema([(name, types[kind]) for name, kind in COLUMNS])


def outcome_row(outcome: Outcome) -> dict[str, Any]:
    """The shard row of one outcome (article columns are null for skips and failures)."""
    row: dict[str, Any] = dict.fromkeys(name for name, _ in COLUMNS)
    row.update(
        source=outcome.source, status=outcome.status, code=outcome.code, message=outcome.message
    )
    ex = outcome.extraction
    if ex is not None:
        a = ex.article
        row.update(
            article_id=a.id,
            url=a.url,
            title=a.title,
            publisher=a.publisher,
            published=a.published.isoformat() if a.published else None,
            language=a.language,
            title_start=a.title_span[0] if a.title_span else None,
            title_end=a.title_span[1] if a.title_span else None,
            text=a.text,
            n_events=len(ex.events),
            events=json.dumps(
                [e.to_dict() for e in ex.events], ensure_ascii=False, separators=(",", ":")
            ),
        )
    return row


class ShardWriter:
    """Buffers rows and writes a shard each ``rows_per_shard`` rows (and the rest on close)."""

    def __init__(self, folder: str | Path, rows_per_shard: int = 5000) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.rows_per_shard = rows_per_shard
        self.run = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        self.paths: list[Path] = []
        self._tables: list[pa.Table] = []
        self._rows: list[dict[str, Any]] = []
        self._buffered = 0
        self._schema = schema()

    def add(self, outcome: Outcome) -> None:
        self._rows.append(outcome_row(outcome))
        self._buffered += 1
        if self._buffered >= self.rows_per_shard:
            self.flush()

    def add_table(self, table: pa.Table) -> None:
        """Rows already in shard form (from distributed workers); extra columns are dropped."""
        self._tables.append(table.select([name for name, _ in COLUMNS]).cast(self._schema))
        self._buffered += table.num_rows
        if self._buffered >= self.rows_per_shard:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._rows:
            self._tables.append(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []
        if not self._tables:
            return
        table = pa.concat_tables(self._tables)
        self._tables = []
        self._buffered = 0
        path = self.folder / f"part-{self.run}-{len(self.paths):05d}.parquet"
        pq.write_table(table, path, compression="zstd")
        self.paths.append(path)

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
