"""Typed tables for notebooks: Arrow record batches, Parquet files and pandas DataFrames.

The columns are the CSV's (``acled.COLUMNS``: ACLED's, UCDP-style death ranges, Flashpoint's),
so a Parquet file and a CSV export of the same events agree column for column, but typed: counts
and codes as nullable integers, coordinates and confidence as floats, days as dates, and text
unaltered (no spreadsheet defusing: nothing here is opened by a spreadsheet). Events are
converted ``batch_size`` at a time, so a Parquet file of any size is written in constant memory.

pyarrow and pandas are optional (``pip install 'flashpoint[analysis]'``); without them these
functions raise E078.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Errors, FlashpointError
from . import acled

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

INT_COLUMNS = frozenset({
    "year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp",
    "deaths_low", "deaths_best", "deaths_high", "injuries_low", "injuries_best", "injuries_high",
    "geonameid", "source_count",
})
FLOAT_COLUMNS = frozenset({"latitude", "longitude", "confidence"})
DATE_COLUMNS = frozenset({"event_date", "date_start", "date_end", "published"})
BATCH_SIZE = 2000


def _arrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet  # the writer lives in the submodule
    except ImportError as err:
        raise FlashpointError(Errors.E078.format(detail=err)) from err
    return pa


def schema() -> pa.Schema:
    pa = _arrow()

    def kind(name: str) -> Any:
        if name in INT_COLUMNS:
            return pa.int64()
        if name in FLOAT_COLUMNS:
            return pa.float64()
        if name in DATE_COLUMNS:
            return pa.date32()
        return pa.string()

    return pa.schema([(name, kind(name)) for name in acled.COLUMNS])


def _typed(name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if name in INT_COLUMNS:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if name in FLOAT_COLUMNS:
        return float(value)
    if name in DATE_COLUMNS:
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    return str(value)


def _columns(events: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {name: [] for name in acled.COLUMNS}
    for ev in events:
        values = acled.row(ev)
        for name in acled.COLUMNS:
            cols[name].append(_typed(name, values.get(name)))
    return cols


def batches(
    events: Iterable[dict[str, Any]], batch_size: int = BATCH_SIZE
) -> Iterator[pa.RecordBatch]:
    """Record batches of at most ``batch_size`` events (none for no events)."""
    pa = _arrow()
    shape = schema()
    stream = iter(events)
    while chunk := list(islice(stream, batch_size)):
        yield pa.RecordBatch.from_pydict(_columns(chunk), schema=shape)


def to_arrow(events: Iterable[dict[str, Any]]) -> pa.Table:
    pa = _arrow()
    return pa.Table.from_batches(list(batches(events)), schema=schema())


def to_pandas(events: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame with the CSV's columns; integers as pandas' nullable ``Int64``, days as
    ``datetime64`` (so ``.dt`` and resampling work)."""
    try:
        import pandas as pd
    except ImportError as err:
        raise FlashpointError(Errors.E078.format(detail=err)) from err
    table = to_arrow(events)
    frame: pd.DataFrame = table.to_pandas(
        types_mapper={_arrow().int64(): pd.Int64Dtype()}.get, date_as_object=False
    )
    return frame


def write_parquet(events: Iterable[dict[str, Any]], path: str | Path) -> int:
    """Write a Parquet file batch by batch; return the rows written."""
    pa = _arrow()
    written = 0
    with pa.parquet.ParquetWriter(str(path), schema()) as writer:
        for batch in batches(events):
            writer.write_batch(batch)
            written += batch.num_rows
    return written
