"""Versioned schema: numbered migrations applied in order when a store is opened.

The ``schema_version`` table records every migration applied. Opening a database written by a
newer Flashpoint raises E041 rather than guessing at columns it does not know. DDL is portable
SQL (``TEXT``, ``INTEGER``, ``BIGINT``, ``DOUBLE PRECISION``); the one engine-specific piece, the
auto-filled key type, comes from the dialect. Full-text search is not a numbered migration because
it differs by engine (and, for SQLite, by build); ``search.py`` creates it when the engine can.

Tables: ``articles``, ``events`` (queryable columns plus
``event_json``, the full contract dict, so reads are lossless), ``event_actors``, ``evidence``,
``related``. ``events.cluster_id`` starts equal to the event id; cross-article deduplication
rewrites it so that every report of one real-world event shares a cluster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import Errors, FlashpointError
from .connect import Connection
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

# Cross-article deduplication (``flashpoint.dedup``, ``store/clusters.py``, ``store/near_dups.py``):
# MinHash signatures and LSH band buckets of every article, links from a syndicated copy to its
# original, one row per event cluster with its fused fields (``state_json`` holds what fusing and
# matching need), cluster membership, blocking keys (type|feature by ISO week) and how many
# reports used each salient word (rare words make selective blocking keys), the user's
# split/merge constraints, and an audit trail of every automatic and manual change.
_V2 = (
    """CREATE TABLE article_minhash (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        shingles INTEGER NOT NULL,
        signature TEXT NOT NULL
    )""",
    """CREATE TABLE minhash_bands (
        bucket BIGINT NOT NULL,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (bucket, article_id)
    )""",
    """CREATE TABLE article_duplicates (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        duplicate_of TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        similarity DOUBLE PRECISION NOT NULL,
        detected_at TEXT NOT NULL
    )""",
    """CREATE TABLE clusters (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        window_start TEXT,
        window_end TEXT,
        date_start TEXT,
        date_end TEXT,
        date_precision TEXT NOT NULL,
        loc_name TEXT,
        lat DOUBLE PRECISION,
        lon DOUBLE PRECISION,
        loc_country TEXT,
        loc_precision TEXT,
        killed_low BIGINT,
        killed_best BIGINT,
        killed_high BIGINT,
        injured_low BIGINT,
        injured_best BIGINT,
        injured_high BIGINT,
        mention_count INTEGER NOT NULL,
        article_count INTEGER NOT NULL,
        source_count INTEGER NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        state_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE cluster_members (
        event_id TEXT PRIMARY KEY,
        cluster_id TEXT NOT NULL,
        article_id TEXT NOT NULL,
        how TEXT NOT NULL,
        score DOUBLE PRECISION,
        joined_at TEXT NOT NULL
    )""",
    """CREATE TABLE cluster_keys (
        key TEXT NOT NULL,
        week INTEGER NOT NULL,
        cluster_id TEXT NOT NULL,
        PRIMARY KEY (key, week, cluster_id)
    )""",
    """CREATE TABLE term_df (
        term TEXT PRIMARY KEY,
        df BIGINT NOT NULL
    )""",
    """CREATE TABLE cluster_constraints (
        event_id TEXT NOT NULL,
        other_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (event_id, other_id, kind)
    )""",
    """CREATE TABLE cluster_audit (
        id {auto_id},
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        event_id TEXT,
        from_cluster TEXT,
        to_cluster TEXT,
        detail TEXT
    )""",
    "CREATE INDEX idx_minhash_bands_article ON minhash_bands (article_id)",
    "CREATE INDEX idx_duplicates_of ON article_duplicates (duplicate_of)",
    "CREATE INDEX idx_clusters_date ON clusters (date_start)",
    "CREATE INDEX idx_clusters_country ON clusters (loc_country, date_start)",
    "CREATE INDEX idx_clusters_type ON clusters (type, date_start)",
    "CREATE INDEX idx_cluster_members_cluster ON cluster_members (cluster_id)",
    "CREATE INDEX idx_cluster_members_article ON cluster_members (article_id)",
    "CREATE INDEX idx_cluster_keys_cluster ON cluster_keys (cluster_id)",
    "CREATE INDEX idx_cluster_constraints_other ON cluster_constraints (other_id)",
    "CREATE INDEX idx_cluster_audit_from ON cluster_audit (from_cluster)",
    "CREATE INDEX idx_cluster_audit_to ON cluster_audit (to_cluster)",
)

_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
)

MIGRATIONS: tuple[Migration, ...] = (Migration(1, _V1), Migration(2, _V2))
SCHEMA_VERSION = MIGRATIONS[-1].version


def _current_version(conn: Connection, dialect: Dialect) -> int:
    """The newest migration applied; 0 for a database without the version table yet."""
    if conn.execute(dialect.sql(dialect.has_table), ("schema_version",)).fetchone() is None:
        return 0
    sql = dialect.sql("SELECT COALESCE(MAX(version), 0) FROM schema_version")
    row = conn.execute(sql).fetchone()
    return int(row[0])


def migrate(conn: Connection, dialect: Dialect) -> int:
    """Bring the database to ``SCHEMA_VERSION``; return the version found before migrating.

    Runs in one write transaction, re-reading the version under the lock so two processes
    opening a fresh database at once apply each migration exactly once. An up-to-date database
    is only read, so a user with read-only rights can open it.
    """
    found = _current_version(conn, dialect)
    if found > SCHEMA_VERSION:
        raise FlashpointError(Errors.E041.format(found=found, supported=SCHEMA_VERSION))
    if found == SCHEMA_VERSION:
        return found
    conn.execute(dialect.begin_write)
    try:
        conn.execute(_VERSION_TABLE)
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
