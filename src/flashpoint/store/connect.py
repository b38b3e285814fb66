"""Turn a database URL into an open, configured connection.

Accepted: a file path, ``sqlite:///relative.db`` or ``sqlite:////absolute.db``, and ``:memory:``
(also ``sqlite://`` and ``sqlite:///:memory:``). ``postgresql://`` is recognised so the user gets a
clear "not yet" (E044) instead of a file literally named after the URL.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import Errors, FlashpointError
from .dialect import SQLITE, Dialect

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
MEMORY = ":memory:"
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Target:
    dialect: Dialect
    # Filesystem path, or ":memory:".
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
    if name in ("postgresql", "postgres") or name.startswith("postgresql+"):
        raise FlashpointError(Errors.E044.format(url=_redact(text)))
    if name != "sqlite":
        raise FlashpointError(Errors.E040.format(url=_redact(text)))
    rest = text[scheme.end() :]
    if rest in ("", "/", "/" + MEMORY):
        return Target(SQLITE, MEMORY)
    if not rest.startswith("/"):
        # sqlite://host/... has no meaning for a file database.
        raise FlashpointError(Errors.E040.format(url=text))
    return Target(SQLITE, str(Path(rest[1:]).expanduser()))


def _redact(url: str) -> str:
    """Hide a password in ``scheme://user:password@host`` before it lands in a message."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def connect(target: Target, url: str) -> sqlite3.Connection:
    """Open ``target`` in autocommit mode (the store issues BEGIN/COMMIT itself) and set it up.

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
