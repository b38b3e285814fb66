"""The event store: batched idempotent writes and filtered reads over one database connection."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from ..errors import Errors, FlashpointError
from ..types import Article, Extraction
from . import rows, search
from .clusters import ClusterQueries
from .connect import Connection, Cursor, connect, driver_errors, parse_url, redact
from .dialect import Dialect
from .filters import SOURCE_COUNT_SQL, EventFilter, where_clause
from .schema import SCHEMA_VERSION, migrate

# Bound values per IN (...) list; well under SQLite's historical 999-variable limit.
_CHUNK = 500

_EVENT_SELECT = (
    f"SELECT e.event_json, e.cluster_id, {SOURCE_COUNT_SQL}, "
    + ", ".join(f"a.{c}" for c in rows.ARTICLE_META)
    + " FROM events e JOIN articles a ON a.id = e.article_id"
)
_ORDER = " ORDER BY e.date_start DESC NULLS LAST, e.id"


@dataclass(frozen=True, slots=True)
class AddResult:
    """What one ``Store.add`` call wrote; add results together to total a run."""

    articles_added: int = 0
    articles_skipped: int = 0
    articles_replaced: int = 0
    events_added: int = 0
    events_skipped: int = 0

    def __add__(self, other: AddResult) -> AddResult:
        return AddResult(
            *(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True))
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class Store(ClusterQueries):
    """An opened event database. Use ``open_store``; close it (or use ``with``) when done.

    Thread-safe: one lock serialises use of the single connection.
    """

    def __init__(self, conn: Connection, dialect: Dialect, url: str, fts: bool) -> None:
        self._conn = conn
        self._dialect = dialect
        self._lock = threading.RLock()
        self._depth = 0  # nesting of ``transaction`` (guarded by the lock)
        self.url = redact(url)
        self.fts = fts
        # The text index searches use ("fts5", "tsvector"), or None when they use ``LIKE``.
        self.full_text: str | None = dialect.full_text if fts else None

    @property
    def dialect(self) -> str:
        """The engine behind this store: "sqlite" or "postgresql"."""
        return self._dialect.name

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- helpers -----------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(self._dialect.sql(sql), params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: committed whole, or rolled back whole on any exception.

        Every write of the store runs in one. Nested, it becomes a savepoint of the enclosing
        transaction, so a caller can make several writes one unit: ``add`` a batch and link
        it into clusters, committed together or not at all (a kill between the two would
        otherwise leave stored articles that resume skips and never links). Holds the store's
        lock throughout; the ``flashpoint.store.clusters`` writes must run inside it.
        """
        with self._lock:
            if self._depth:
                yield from self._savepoint()
                return
            self._conn.execute(self._dialect.begin_write)
            self._depth = 1
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (busy, disk full) can leave the transaction open; some errors
                # end it already. Either way nothing of this call may stay.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0

    def _savepoint(self) -> Iterator[None]:
        name = f"flashpoint_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
            self._conn.execute(f"RELEASE SAVEPOINT {name}")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self._conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        finally:
            self._depth -= 1

    def _existing(self, table: str, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            cur = self._execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
            found.update(r[0] for r in cur)
        return found

    # -- writes ------------------------------------------------------------------------------

    def add(self, extractions: Iterable[Extraction], *, replace: bool = False) -> AddResult:
        """Store articles and their events in one transaction.

        An article already stored is skipped (and counted), so re-running a batch writes
        nothing twice; with ``replace`` it is deleted with its events and written afresh, for
        re-extraction with an improved pipeline. An event whose id is already stored under
        another article is skipped and counted. Any error rolls the whole call back.
        """
        return self.add_records(
            ((ex.article, [ev.to_dict() for ev in ex.events]) for ex in extractions),
            replace=replace,
        )

    def add_records(
        self,
        records: Iterable[tuple[Article, Sequence[dict[str, Any]]]],
        *,
        replace: bool = False,
    ) -> AddResult:
        """``add`` for articles whose events are already contract dicts (``Event.to_dict()``).

        For results that travelled as JSON (Parquet shards, another process) and would
        otherwise have to be rebuilt into ``Event`` objects only to be turned back into dicts.
        """
        batch = list(records)
        added_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            stored = self._existing("articles", [article.id for article, _ in batch])
            replaced: set[str] = set()
            if replace and stored:
                replaced = stored & {article.id for article, _ in batch}
                ids = sorted(replaced)
                for chunk in _chunks(ids):
                    marks = ", ".join("?" * len(chunk))
                    self._execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
                stored -= replaced
            articles: list[tuple[Any, ...]] = []
            events: list[rows.EventRows] = []
            seen_articles: set[str] = set()
            skipped_articles = 0
            docs: list[tuple[dict[str, Any], str, int]] = []
            for article, event_docs in batch:
                aid = article.id
                if aid in stored or aid in seen_articles:
                    skipped_articles += 1
                    continue
                seen_articles.add(aid)
                articles.append(rows.article_row(article, added_at))
                docs.extend((doc, aid, i) for i, doc in enumerate(event_docs))
            taken = self._existing("events", [d["id"] for d, _, _ in docs])
            skipped_events = 0
            for doc, aid, seq in docs:
                if doc["id"] in taken:
                    skipped_events += 1
                    continue
                taken.add(doc["id"])
                events.append(rows.event_rows(doc, aid, seq))
            self._insert("articles", rows.ARTICLE_COLUMNS, articles)
            self._insert("events", rows.EVENT_COLUMNS, [e.event for e in events])
            self._insert("event_actors", rows.ACTOR_COLUMNS, [r for e in events for r in e.actors])
            self._insert("evidence", rows.EVIDENCE_COLUMNS, [r for e in events for r in e.evidence])
            self._insert("related", rows.RELATED_COLUMNS, [r for e in events for r in e.related])
        return AddResult(
            articles_added=len(articles) - len(replaced),
            articles_skipped=skipped_articles,
            articles_replaced=len(replaced),
            events_added=len(events),
            events_skipped=skipped_events,
        )

    def _insert(self, table: str, columns: Sequence[str], values: list[tuple[Any, ...]]) -> None:
        if values:
            self._conn.executemany(self._dialect.sql(rows.insert_sql(table, columns)), values)

    def set_clusters(self, assignments: Mapping[str, str]) -> int:
        """Point events at a cluster (event id → cluster id); return how many rows changed.

        The hook for cross-article deduplication: reports of one real-world event share a
        cluster id, which ``min_sources`` and ``source_count`` count across.
        """
        changed = 0
        with self.transaction():
            for event_id, cluster_id in assignments.items():
                cur = self._execute(
                    "UPDATE events SET cluster_id = ? WHERE id = ?", (cluster_id, event_id)
                )
                changed += cur.rowcount
        return changed

    # -- reads -------------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        with self._lock:
            row = self._execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """Article metadata and clean text, with the ids of its events in reading order."""
        with self._lock:
            row = self._execute(
                f"SELECT {', '.join(rows.ARTICLE_COLUMNS)} FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
            if row is None:
                return None
            event_ids = [
                r[0]
                for r in self._execute(
                    "SELECT id FROM events WHERE article_id = ? ORDER BY seq", (article_id,)
                )
            ]
        record = dict(zip(rows.ARTICLE_COLUMNS, row, strict=True))
        start, end = record.pop("title_start"), record.pop("title_end")
        record["title_span"] = [start, end] if start is not None else None
        record["event_ids"] = event_ids
        return record

    def get_event(self, event_id: str) -> dict[str, Any] | None:
        """The event's contract dict exactly as stored, plus ``article`` metadata."""
        with self._lock:
            row = self._execute(_EVENT_SELECT + " WHERE e.id = ?", (event_id,)).fetchone()
        return rows.event_record(row) if row is not None else None

    def query_events(self, filters: EventFilter | None = None) -> list[dict[str, Any]]:
        """Events matching ``filters``, newest first (by start date, then id), one page."""
        f = filters or EventFilter()
        where, params = where_clause(f, self.full_text)
        tail, paging = self._dialect.paging(f.limit, f.offset)
        with self._lock:
            cur = self._execute(_EVENT_SELECT + where + _ORDER + tail, [*params, *paging])
            return [rows.event_record(r) for r in cur]

    def count_events(self, filters: EventFilter | None = None) -> int:
        """How many events match ``filters`` (paging ignored)."""
        where, params = where_clause(filters or EventFilter(), self.full_text)
        with self._lock:
            row = self._execute("SELECT COUNT(*) FROM events e" + where, params).fetchone()
        return int(row[0])

    def actors(self, limit: int = 100) -> list[dict[str, Any]]:
        """Canonical actor names by number of events, with their usual kind and country.

        A name resolved to different kinds or countries across events reports the most
        frequent one (ties: alphabetical), so one name is one row.
        """
        with self._lock:
            totals = self._execute(
                "SELECT name, COUNT(DISTINCT event_id), "
                "SUM(CASE WHEN role = 'source' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN role = 'target' THEN 1 ELSE 0 END) "
                "FROM event_actors GROUP BY name"
            ).fetchall()
            variants = self._execute(
                "SELECT name, kind, country, COUNT(*) FROM event_actors "
                "GROUP BY name, kind, country"
            ).fetchall()
        best: dict[str, tuple[int, str, str | None]] = {}
        for name, kind, country, n in variants:
            current = best.get(name)
            if (
                current is None
                or n > current[0]
                or (n == current[0] and (kind, country or "") < (current[1], current[2] or ""))
            ):
                best[name] = (n, kind, country)
        ranked = sorted(totals, key=lambda r: (-r[1], r[0]))[: max(limit, 0)]
        return [
            {
                "name": name,
                "kind": best[name][1],
                "country": best[name][2],
                "events": events,
                "as_source": int(as_source or 0),
                "as_target": int(as_target or 0),
            }
            for name, events, as_source, as_target in ranked
        ]

    def stats(self) -> dict[str, Any]:
        """Totals and breakdowns for a dashboard or ``flashpoint stats``."""
        with self._lock:
            one = self._scalar
            out: dict[str, Any] = {
                "url": self.url,
                "schema_version": SCHEMA_VERSION,
                "full_text_search": self.full_text or "like",
                "articles": one("SELECT COUNT(*) FROM articles"),
                "events": one("SELECT COUNT(*) FROM events"),
                "clusters": one("SELECT COUNT(DISTINCT cluster_id) FROM events"),
                "actors": one("SELECT COUNT(DISTINCT name) FROM event_actors"),
                "evidence": one("SELECT COUNT(*) FROM evidence"),
                "first_date": one("SELECT MIN(date_start) FROM events"),
                "last_date": one("SELECT MAX(date_end) FROM events"),
            }
            for key, column in (
                ("by_type", "type"),
                ("by_modality", "modality"),
                ("by_country", "loc_country"),
            ):
                cur = self._execute(
                    f"SELECT {column}, COUNT(*) AS n FROM events WHERE {column} IS NOT NULL "
                    f"GROUP BY {column} ORDER BY n DESC, {column}"
                )
                out[key] = {value: n for value, n in cur}
        return out

    def _scalar(self, sql: str) -> Any:
        return self._execute(sql).fetchone()[0]


def open_store(url: str | os.PathLike[str], *, fts: bool = True) -> Store:
    """Open (creating and migrating if needed) the store at ``url``.

    ``url``: a file path, ``sqlite:///PATH``, ``:memory:`` or ``postgresql://USER@HOST/DB``.
    ``fts=False`` forces the ``LIKE`` text search even when the engine has a full-text index
    (for comparison and tests).
    """
    name = os.fspath(url)
    target = parse_url(name)
    conn = connect(target, name)
    try:
        migrate(conn, target.dialect)
        has_fts = search.ensure_fts(conn, target.dialect)
    except driver_errors(target) as exc:
        conn.close()
        raise FlashpointError(Errors.E043.format(url=redact(name), detail=exc)) from exc
    except BaseException:
        conn.close()
        raise
    return Store(conn, target.dialect, name, fts and has_fts)
