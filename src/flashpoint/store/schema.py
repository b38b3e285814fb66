"""Versioned schema: numbered migrations applied in order when a store is opened.

The ``schema_version`` table records every migration applied. Opening a database written by a
newer Flashpoint raises E041 rather than guessing at columns it does not know. DDL is portable
SQL (``TEXT``, ``INTEGER``, ``BIGINT``, ``DOUBLE PRECISION``); the one engine-specific piece, the
auto-filled key type, comes from the dialect. Full-text search is not a numbered migration because
whether it exists depends on the SQLite build; ``search.py`` creates it when the engine can.

Tables: ``articles``, ``events`` (queryable columns plus
``event_json``, the full contract dict, so reads are lossless), ``event_actors``, ``evidence``,
``related``. ``events.cluster_id`` starts equal to the event id; cross-article deduplication
rewrites it so that every report of one real-world event shares a cluster.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from ..errors import Errors, FlashpointError
from .dialect import Dialect


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    statements: tuple[str, ...]


_V1 = (
    """CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT,
        title TEXT,
        publisher TEXT,
        published TEXT,
        language TEXT,
        source TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        text_chars INTEGER NOT NULL,
        title_start INTEGER,
        title_end INTEGER,
        added_at TEXT NOT NULL
    )""",
    """CREATE TABLE events (
        id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        mode TEXT,
        modality TEXT NOT NULL,
        date_start TEXT,
        date_end TEXT,
        date_precision TEXT NOT NULL,
        time_of_day TEXT,
        loc_name TEXT,
        lat DOUBLE PRECISION,
        lon DOUBLE PRECISION,
        loc_country TEXT,
        admin1 TEXT,
        loc_precision TEXT,
        geonameid BIGINT,
        killed_low BIGINT,
        killed_best BIGINT,
        killed_high BIGINT,
        injured_low BIGINT,
        injured_best BIGINT,
        injured_high BIGINT,
        attribution_kind TEXT NOT NULL,
        attribution_name TEXT,
        confidence DOUBLE PRECISION NOT NULL,
        cluster_id TEXT NOT NULL,
        event_json TEXT NOT NULL
    )""",
    """CREATE TABLE event_actors (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        country TEXT,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        span_start INTEGER,
        span_end INTEGER,
        sponsor TEXT,
        actor_id TEXT,
        PRIMARY KEY (event_id, seq)
    )""",
    """CREATE TABLE evidence (
        id {auto_id},
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        sentence TEXT NOT NULL,
        UNIQUE (event_id, seq)
    )""",
    """CREATE TABLE related (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        related_event_id TEXT NOT NULL,
        relation TEXT NOT NULL,
        PRIMARY KEY (event_id, related_event_id, relation)
    )""",
    "CREATE INDEX idx_events_date_start ON events (date_start)",
    "CREATE INDEX idx_events_date_end ON events (date_end)",
    "CREATE INDEX idx_events_country ON events (loc_country, date_start)",
    "CREATE INDEX idx_events_type ON events (type, mode)",
    "CREATE INDEX idx_events_article ON events (article_id)",
    "CREATE INDEX idx_events_cluster ON events (cluster_id)",
    "CREATE INDEX idx_events_lat_lon ON events (lat, lon)",
    "CREATE INDEX idx_actors_name ON event_actors (name, kind, country)",
    "CREATE INDEX idx_evidence_event ON evidence (event_id)",
    "CREATE INDEX idx_evidence_article ON evidence (article_id)",
    "CREATE INDEX idx_related_target ON related (related_event_id)",
)

_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
)

MIGRATIONS: tuple[Migration, ...] = (Migration(1, _V1),)
SCHEMA_VERSION = MIGRATIONS[-1].version


def _current_version(conn: sqlite3.Connection, dialect: Dialect) -> int:
    sql = dialect.sql("SELECT COALESCE(MAX(version), 0) FROM schema_version")
    row = conn.execute(sql).fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, dialect: Dialect) -> int:
    """Bring the database to ``SCHEMA_VERSION``; return the version found before migrating.

    Runs in one write transaction, re-reading the version under the lock so two processes
    opening a fresh file at once apply each migration exactly once.
    """
    conn.execute(_VERSION_TABLE)
    found = _current_version(conn, dialect)
    if found > SCHEMA_VERSION:
        raise FlashpointError(Errors.E041.format(found=found, supported=SCHEMA_VERSION))
    if found == SCHEMA_VERSION:
        return found
    conn.execute(dialect.begin_write)
    try:
        found = _current_version(conn, dialect)
        if found > SCHEMA_VERSION:
            raise FlashpointError(Errors.E041.format(found=found, supported=SCHEMA_VERSION))
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for migration in MIGRATIONS:
            if migration.version <= found:
                continue
            for statement in migration.statements:
                conn.execute(statement.format(auto_id=dialect.auto_id))
            conn.execute(
                dialect.sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"),
                (migration.version, now),
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found
