"""Reading a Flashpoint database from Python: ``flashpoint.open(...)`` for notebooks and scripts.

    import flashpoint

    with flashpoint.open("events.db") as db:
        iraq = db.events(country="IRQ", since="2024-01-01", modality="asserted")
        print(len(iraq))                      # how many match
        frame = iraq.to_pandas()              # the CSV's columns, typed (pandas + pyarrow)
        iraq.to_parquet("iraq.parquet")       # streamed, any size
        for event in iraq:                    # contract dicts, newest first, a page at a time
            ...

The keyword filters are those of ``flashpoint events`` and the API (``store.filters``: since,
until, country, type, mode, modality, actor, actor_kind, text, bbox, min_sources,
sub_event_type, precision, article_id, limit, offset, cursor), validated the same way (E070).
Dates may be ``datetime.date`` objects; ``precision`` and ``bbox`` may be sequences. A query
reads nothing until it is iterated, counted or converted, and reads the store afresh each time.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .errors import Errors, FlashpointError
from .store import EventFilter, Store, open_store

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _filter(filters: dict[str, Any]) -> EventFilter:
    params = {name: _text(value) for name, value in filters.items()}
    flt = EventFilter.from_params(params)
    if params.get("limit") is None:
        flt.limit = None  # a query reads every match unless told otherwise
    return flt


class Events:
    """The events a filter selects: iterate, count, or convert them."""

    def __init__(self, store: Store, flt: EventFilter) -> None:
        self._store = store
        self.filter = flt

    def __iter__(self) -> Iterator[dict[str, Any]]:
        from .store.pages import iter_events

        return iter_events(self._store, self.filter)

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        """How many events match (``limit``, ``offset`` and ``cursor`` ignored)."""
        return self._store.count_events(self.filter)

    def to_list(self) -> list[dict[str, Any]]:
        return list(self)

    def to_arrow(self) -> pa.Table:
        from .export.frame import to_arrow

        return to_arrow(self)

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame with the CSV export's columns, typed (nullable integers, dates)."""
        from .export.frame import to_pandas

        return to_pandas(self)

    def to_parquet(self, path: str | os.PathLike[str]) -> int:
        """Write a Parquet file in constant memory; return the rows written."""
        from .export.frame import write_parquet

        return write_parquet(self, Path(path))

    def to_file(
        self, path: str | os.PathLike[str], fmt: str = "csv", *, spreadsheet_safe: bool = True
    ) -> int:
        """Write a text export (csv, acled, ucdp, geojson, json, plover); return the records."""
        from .export import write

        with Path(path).open("w", encoding="utf-8", newline="") as out:
            return write(self, fmt, out, spreadsheet_safe=spreadsheet_safe)


class Clusters:
    """The canonical events (one per real-world event) with a member a filter selects."""

    def __init__(self, store: Store, flt: EventFilter) -> None:
        self._store = store
        self.filter = flt

    def __iter__(self) -> Iterator[dict[str, Any]]:
        from .store.pages import iter_clusters

        return iter_clusters(self._store, self.filter)

    def __len__(self) -> int:
        return self._store.count_clusters(self.filter)

    def to_list(self) -> list[dict[str, Any]]:
        return list(self)


class Database:
    """An opened event store, for reading. Close it (or use ``with``) when done."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def events(self, **filters: Any) -> Events:
        """Events matching ``filters`` (every match unless ``limit`` is given)."""
        return Events(self.store, _filter(filters))

    def clusters(self, **filters: Any) -> Clusters:
        return Clusters(self.store, _filter(filters))

    def event(self, event_id: str) -> dict[str, Any] | None:
        return self.store.get_event(event_id)

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_database(url: str | os.PathLike[str]) -> Database:
    """The database at ``url`` (a SQLite path, ``sqlite:///PATH`` or ``postgresql://...``).

    A SQLite file that does not exist is an error (E001), not a new empty database: reading
    from a mistyped path would otherwise find nothing and say so with a straight face.
    """
    name = os.fspath(url)
    if "://" not in name and name != ":memory:" and not Path(name).expanduser().exists():
        raise FlashpointError(Errors.E001.format(path=name))
    return Database(open_store(name))


__all__ = ["Clusters", "Database", "Events", "open_database"]
