"""The few places where the SQL we send depends on the database engine.

Every query in the store is written once, in plain SQL with ``?`` placeholders and values always
bound, never formatted in. A ``Dialect`` rewrites placeholders into the driver's parameter style
and supplies the fragments that differ between engines (auto-increment keys, an unbounded
``LIMIT``, how a write transaction starts, case-insensitive matching). Only SQLite ships today; a
PostgreSQL dialect adds a second instance of this class, plus a text-search backend (see
``search.py``), without touching the queries themselves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    # Driver parameter marker that replaces each "?" ("?" for sqlite3, "%s" for psycopg).
    marker: str
    # Column type of an integer key the engine fills in itself.
    auto_id: str
    # Statement that opens a write transaction; SQLite takes the write lock up front so two
    # writers fail fast (busy timeout) instead of deadlocking on lock upgrade.
    begin_write: str
    # ``LIMIT`` value meaning "no limit" when only an OFFSET is wanted; None: omit LIMIT.
    no_limit: int | None

    def sql(self, text: str) -> str:
        """Return ``text`` with ``?`` placeholders in the driver's style.

        Queries never contain a literal ``?`` (values are always bound), so a plain replace is
        exact.
        """
        return text if self.marker == "?" else text.replace("?", self.marker)

    def paging(self, limit: int | None, offset: int) -> tuple[str, list[int]]:
        """The ``LIMIT``/``OFFSET`` tail of a query, with its bound values."""
        if limit is not None:
            return " LIMIT ? OFFSET ?", [limit, offset]
        if not offset:
            return "", []
        if self.no_limit is None:
            return " OFFSET ?", [offset]
        return " LIMIT ? OFFSET ?", [self.no_limit, offset]


SQLITE = Dialect(
    name="sqlite",
    marker="?",
    auto_id="INTEGER PRIMARY KEY",
    begin_write="BEGIN IMMEDIATE",
    no_limit=-1,
)
