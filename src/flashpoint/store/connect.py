"""Turn a database URL into an open, configured connection.

Accepted: a file path, ``sqlite:///relative.db`` or ``sqlite:////absolute.db``, and ``:memory:``
(also ``sqlite://`` and ``sqlite:///:memory:``) for SQLite; ``postgresql://`` (also
``postgres://`` and SQLAlchemy's ``postgresql+psycopg://``) for a PostgreSQL server through
psycopg 3, imported only when such a URL is opened so SQLite users never need it.

The store talks to either engine through the small slice of the ``sqlite3`` connection API it
uses (``Connection``): ``execute``, ``executemany``, ``in_transaction``, ``close``. A psycopg
connection gets a thin adapter that provides it, running in autocommit mode like the sqlite3 one
so the store's own ``BEGIN``/``COMMIT`` delimit every transaction.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import Errors, FlashpointError
from .dialect import POSTGRES, SQLITE, Dialect

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
MEMORY = ":memory:"
BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store needs from a DB-API connection (sqlite3's spelling)."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, params: Iterable[Sequence[Any]], /) -> Cursor: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Target:
    dialect: Dialect
    # Filesystem path or ":memory:" (SQLite); a libpq connection URI (PostgreSQL).
    location: str


def parse_url(url: str | os.PathLike[str]) -> Target:
    text = os.fspath(url).strip()
    if not text:
        raise FlashpointError(Errors.E040.format(url=text))
    scheme = _SCHEME.match(text)
    if scheme is None:
        if text == MEMORY:
            return Target(SQLITE, MEMORY)
        return Target(SQLITE, str(Path(text).expanduser()))
    name = scheme.group(1).lower()
    if name in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        # libpq reads postgresql:// and postgres:// URIs itself; drop a SQLAlchemy driver suffix.
        return Target(POSTGRES, "postgresql://" + text[scheme.end() :])
    if name != "sqlite":
        raise FlashpointError(Errors.E040.format(url=redact(text)))
    rest = text[scheme.end() :]
    if rest in ("", "/", "/" + MEMORY):
        return Target(SQLITE, MEMORY)
    if not rest.startswith("/"):
        # sqlite://host/... has no meaning for a file database.
        raise FlashpointError(Errors.E040.format(url=text))
    return Target(SQLITE, str(Path(rest[1:]).expanduser()))


def redact(url: str) -> str:
    """Hide a password in ``scheme://user:password@host`` before it lands in a message."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def driver_errors(target: Target) -> tuple[type[Exception], ...]:
    """The exceptions the engine's driver raises for database-side failures."""
    if target.dialect is POSTGRES:
        import psycopg

        return (psycopg.Error,)
    return (sqlite3.DatabaseError,)


def connect(target: Target, url: str) -> Connection:
    """Open ``target`` in autocommit mode (the store issues BEGIN/COMMIT itself)."""
    if target.dialect is POSTGRES:
        return _connect_postgres(target, url)
    return _connect_sqlite(target, url)


def _connect_sqlite(target: Target, url: str) -> sqlite3.Connection:
    """Open a SQLite file (or memory) database with foreign keys on and WAL journaling.

    ``check_same_thread`` is off because the store serialises access with its own lock, which
    lets a threaded web server share one store.
    """
    if target.location != MEMORY:
        parent = Path(target.location).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FlashpointError(Errors.E043.format(url=url, detail=exc)) from exc
    try:
        conn = sqlite3.connect(
            target.location,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise FlashpointError(Errors.E043.format(url=url, detail=exc)) from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if target.location != MEMORY:
            # WAL: readers never block the writer, and a crash leaves committed batches intact.
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
        conn.close()
        raise FlashpointError(Errors.E043.format(url=url, detail=exc)) from exc
    return conn


class PostgresConnection:
    """A psycopg connection seen through the ``Connection`` protocol.

    Statements arrive with psycopg's ``%s`` markers already (``Dialect.sql``); a statement sent
    without values goes unparsed, which lets one ``execute`` carry several statements (the
    dialect's ``begin_write`` does).
    """

    def __init__(self, conn: Any) -> None:
        from psycopg.pq import TransactionStatus

        self._conn = conn
        self._idle = TransactionStatus.IDLE

    @property
    def in_transaction(self) -> bool:
        return bool(self._conn.info.transaction_status != self._idle)

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Cursor:
        cursor: Cursor = self._conn.execute(sql, params or None)
        return cursor

    def executemany(self, sql: str, params: Iterable[Sequence[Any]], /) -> Cursor:
        cursor: Cursor = self._conn.cursor()
        cursor.executemany(sql, params)  # type: ignore[attr-defined]
        return cursor

    def close(self) -> None:
        self._conn.close()


def _connect_postgres(target: Target, url: str) -> PostgresConnection:
    try:
        import psycopg
    except ImportError as exc:
        raise FlashpointError(Errors.E044.format(url=redact(url))) from exc
    options: dict[str, Any] = {"autocommit": True}
    if "connect_timeout" not in target.location:
        options["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        conn = psycopg.connect(target.location, **options)
    except psycopg.Error as exc:
        raise FlashpointError(Errors.E043.format(url=redact(url), detail=exc)) from exc
    return PostgresConnection(conn)
