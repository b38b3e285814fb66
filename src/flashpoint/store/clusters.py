"""Event clusters in the store: the cluster tables' read and write API, and canonical reads.

Every report of one real-world event shares ``events.cluster_id``; the ``clusters`` row of that
id holds the fused canonical event (``state_json``, a ``fused.ClusterState``) and its main
fields as columns for filtering. A cluster's id is the id of one of its events (its seed), so a
never-merged event is its own cluster and ``get_cluster`` accepts either kind of id.

``ClusterQueries`` adds the reading methods to ``Store``. The module functions are the store's
public API for the cluster tables, used by ``flashpoint.dedup`` (which decides membership): each
must run inside ``Store.transaction()``, which holds the store's lock, so a batch's articles and
its clusters commit together. Queries are portable SQL (``ON CONFLICT`` rather than SQLite's
``INSERT OR``), so they run on both engines the store supports.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import Errors, FlashpointError
from . import near_dups
from .filters import EventFilter, where_clause
from .fused import ClusterState

if TYPE_CHECKING:
    from .connect import Connection, Cursor
    from .core import Store
    from .dialect import Dialect

_CHUNK = 500

CLUSTER_COLUMNS = (
    "id", "type", "window_start", "window_end", "date_start", "date_end", "date_precision",
    "loc_name", "lat", "lon", "loc_country", "loc_precision",
    "killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high",
    "mention_count", "article_count", "source_count", "confidence", "state_json", "updated_at",
)
MEMBER_COLUMNS = ("event_id", "cluster_id", "article_id", "how", "score", "joined_at")


class MentionRow(NamedTuple):
    event_id: str
    article_id: str
    seq: int
    event_json: str
    published: str | None
    publisher: str | None
    url: str | None
    title: str | None


_MENTION_SELECT = (
    "SELECT e.id, e.article_id, e.seq, e.event_json, a.published, a.publisher, a.url, a.title "
    "FROM events e JOIN articles a ON a.id = e.article_id"
)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" * len(items))


def _many(store: Store, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if rows:
        store._conn.executemany(store._dialect.sql(sql), rows)


def _upsert(table: str, columns: Sequence[str], key: str) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(columns)}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


# -- what to link ---------------------------------------------------------------------------


def pending_mentions(store: Store, article_ids: Sequence[str]) -> list[MentionRow]:
    """Events of these articles not yet (or no longer validly) in a cluster."""
    out: list[MentionRow] = []
    for chunk in _chunks(list(article_ids)):
        cur = store._execute(
            _MENTION_SELECT + " LEFT JOIN cluster_members m ON m.event_id = e.id "
            f"WHERE e.article_id IN ({_marks(chunk)}) "
            "AND (m.event_id IS NULL OR m.cluster_id <> e.cluster_id)",
            chunk,
        )
        out.extend(MentionRow(*r) for r in cur)
    return out


def mentions_by_id(store: Store, event_ids: Sequence[str]) -> list[MentionRow]:
    out: list[MentionRow] = []
    for chunk in _chunks(list(event_ids)):
        cur = store._execute(_MENTION_SELECT + f" WHERE e.id IN ({_marks(chunk)})", chunk)
        out.extend(MentionRow(*r) for r in cur)
    order = {eid: i for i, eid in enumerate(event_ids)}
    return sorted(out, key=lambda r: order[r.event_id])


def mentions_of_articles(store: Store, article_ids: Sequence[str]) -> list[MentionRow]:
    out: list[MentionRow] = []
    for chunk in _chunks(list(article_ids)):
        cur = store._execute(_MENTION_SELECT + f" WHERE e.article_id IN ({_marks(chunk)})", chunk)
        out.extend(MentionRow(*r) for r in cur)
    return out


def stale_members(store: Store, article_ids: Sequence[str]) -> dict[str, list[str]]:
    """Cluster id → member events of these articles that were deleted or re-pointed since."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(list(article_ids)):
        cur = store._execute(
            "SELECT m.cluster_id, m.event_id FROM cluster_members m "
            "LEFT JOIN events e ON e.id = m.event_id "
            f"WHERE m.article_id IN ({_marks(chunk)}) "
            "AND (e.id IS NULL OR e.cluster_id <> m.cluster_id)",
            chunk,
        )
        for cid, eid in cur:
            out.setdefault(cid, []).append(eid)
    return out


def published(store: Store, article_ids: Sequence[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for chunk in _chunks(list(article_ids)):
        cur = store._execute(
            f"SELECT id, published FROM articles WHERE id IN ({_marks(chunk)})", chunk
        )
        out.update((aid, pub) for aid, pub in cur)
    return out


def pending_articles(store: Store) -> list[str]:
    """Articles with unlinked events or no signature, oldest publication first."""
    cur = store._execute(
        "SELECT a.id FROM articles a WHERE NOT EXISTS "
        "(SELECT 1 FROM article_minhash h WHERE h.article_id = a.id) "
        "OR EXISTS (SELECT 1 FROM events e LEFT JOIN cluster_members m ON m.event_id = e.id "
        "WHERE e.article_id = a.id AND (m.event_id IS NULL OR m.cluster_id <> e.cluster_id)) "
        "ORDER BY a.published NULLS FIRST, a.id"
    )
    return [r[0] for r in cur]


# -- cluster state --------------------------------------------------------------------------


def states(store: Store, ids: Iterable[str]) -> dict[str, ClusterState]:
    wanted = list(dict.fromkeys(ids))
    out: dict[str, ClusterState] = {}
    for chunk in _chunks(wanted):
        cur = store._execute(
            f"SELECT id, state_json FROM clusters WHERE id IN ({_marks(chunk)})", chunk
        )
        out.update((cid, ClusterState.from_json(text)) for cid, text in cur)
    return out


def earliest_dates(store: Store, article_ids: Iterable[str]) -> dict[str, str]:
    """Article → the earliest day-precise event date it reports (ISO), where it has one."""
    out: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        cur = store._execute(
            f"SELECT article_id, MIN(date_start) FROM events WHERE article_id IN "
            f"({_marks(chunk)}) AND date_precision = 'day' AND date_start IS NOT NULL "
            f"GROUP BY article_id",
            chunk,
        )
        out.update((aid, str(day)[:10]) for aid, day in cur if day)
    return out


def member_ids(store: Store, cluster_id: str) -> list[str]:
    cur = store._execute(
        "SELECT event_id FROM cluster_members WHERE cluster_id = ? ORDER BY joined_at, event_id",
        (cluster_id,),
    )
    return [r[0] for r in cur]


def resolve(store: Store, ident: str) -> str | None:
    """The cluster for a cluster id or any member event id; None when neither is clustered."""
    if store._execute("SELECT 1 FROM clusters WHERE id = ?", (ident,)).fetchone() is not None:
        return ident
    row = store._execute(
        "SELECT e.cluster_id FROM events e JOIN clusters k ON k.id = e.cluster_id WHERE e.id = ?",
        (ident,),
    ).fetchone()
    return str(row[0]) if row is not None else None


def article_of(store: Store, event_id: str) -> str:
    """The article that reports ``event_id``; E042 when no such event is stored."""
    row = store._execute("SELECT article_id FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        raise FlashpointError(Errors.E042.format(id=event_id))
    return str(row[0])


def cluster_of(store: Store, event_id: str) -> str | None:
    row = store._execute(
        "SELECT cluster_id FROM cluster_members WHERE event_id = ?", (event_id,)
    ).fetchone()
    return str(row[0]) if row is not None else None


def candidates(store: Store, keys: Sequence[str], weeks: range, limit: int) -> list[str]:
    """Clusters sharing a blocking key in these weeks, those sharing most first."""
    if not keys or not weeks:
        return []
    cur = store._execute(
        "SELECT cluster_id, COUNT(*) AS n FROM cluster_keys "
        f"WHERE key IN ({_marks(keys)}) AND week BETWEEN ? AND ? "
        "GROUP BY cluster_id ORDER BY n DESC, cluster_id LIMIT ?",
        [*keys, weeks.start, weeks.stop - 1, limit],
    )
    return [r[0] for r in cur]


def term_counts(store: Store, terms: Sequence[str]) -> dict[str, int]:
    """How many linked reports used each of these salient words."""
    out: dict[str, int] = {}
    for chunk in _chunks(list(terms)):
        cur = store._execute(f"SELECT term, df FROM term_df WHERE term IN ({_marks(chunk)})", chunk)
        out.update((term, int(df)) for term, df in cur)
    return out


def bump_terms(store: Store, counts: dict[str, int]) -> None:
    _many(
        store,
        "INSERT INTO term_df (term, df) VALUES (?, ?) "
        "ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
        sorted(counts.items()),
    )


def replace_keys(store: Store, cluster_id: str, keys: Sequence[str], weeks: range) -> None:
    store._execute("DELETE FROM cluster_keys WHERE cluster_id = ?", (cluster_id,))
    _many(
        store,
        "INSERT INTO cluster_keys (key, week, cluster_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(k, w, cluster_id) for k in keys for w in weeks],
    )


def save_clusters(store: Store, rows: Sequence[Sequence[Any]]) -> None:
    _many(store, _upsert("clusters", CLUSTER_COLUMNS, "id"), rows)


def delete_cluster(store: Store, cluster_id: str) -> None:
    store._execute("DELETE FROM cluster_keys WHERE cluster_id = ?", (cluster_id,))
    store._execute("DELETE FROM clusters WHERE id = ?", (cluster_id,))


def save_members(store: Store, rows: Sequence[Sequence[Any]]) -> None:
    _many(store, _upsert("cluster_members", MEMBER_COLUMNS, "event_id"), rows)


def move_members(store: Store, event_ids: Sequence[str], cluster_id: str) -> None:
    for chunk in _chunks(list(event_ids)):
        store._execute(
            f"UPDATE cluster_members SET cluster_id = ? WHERE event_id IN ({_marks(chunk)})",
            [cluster_id, *chunk],
        )


def delete_members(store: Store, event_ids: Sequence[str]) -> None:
    for chunk in _chunks(list(event_ids)):
        store._execute(f"DELETE FROM cluster_members WHERE event_id IN ({_marks(chunk)})", chunk)


def absorb(store: Store, gone: str, keep: str) -> None:
    """Re-point the members and events of cluster ``gone`` to ``keep`` and drop its row."""
    store._execute("UPDATE cluster_members SET cluster_id = ? WHERE cluster_id = ?", (keep, gone))
    store._execute("UPDATE events SET cluster_id = ? WHERE cluster_id = ?", (keep, gone))
    delete_cluster(store, gone)


def point_events(store: Store, pairs: Sequence[tuple[str, str]]) -> None:
    """Set ``events.cluster_id`` for (event id, cluster id) pairs."""
    _many(store, "UPDATE events SET cluster_id = ? WHERE id = ?", [(c, e) for e, c in pairs])


def reset_all(store: Store) -> None:
    """Forget every automatic clustering decision (constraints and audit stay)."""
    for table in ("cluster_keys", "cluster_members", "clusters"):
        store._execute(f"DELETE FROM {table}")
    store._execute("UPDATE events SET cluster_id = id WHERE cluster_id <> id")


# -- manual decisions and their trail -------------------------------------------------------


def linked(store: Store, event_id: str, kind: str) -> set[str]:
    """Events tied to ``event_id`` by a ``must`` or ``cannot`` constraint, either direction."""
    cur = store._execute(
        "SELECT other_id FROM cluster_constraints WHERE event_id = ? AND kind = ? "
        "UNION SELECT event_id FROM cluster_constraints WHERE other_id = ? AND kind = ?",
        (event_id, kind, event_id, kind),
    )
    return {r[0] for r in cur}


def linked_any(store: Store, event_ids: Sequence[str], kind: str) -> set[str]:
    """Every event tied by a ``kind`` constraint to any of ``event_ids``."""
    out: set[str] = set()
    for chunk in _chunks(list(event_ids)):
        marks = _marks(chunk)
        cur = store._execute(
            f"SELECT other_id FROM cluster_constraints WHERE kind = ? AND event_id IN ({marks}) "
            f"UNION SELECT event_id FROM cluster_constraints WHERE kind = ? "
            f"AND other_id IN ({marks})",
            [kind, *chunk, kind, *chunk],
        )
        out.update(r[0] for r in cur)
    return out


def add_constraints(store: Store, pairs: Iterable[tuple[str, str]], kind: str, at: str) -> None:
    _many(
        store,
        "INSERT INTO cluster_constraints (event_id, other_id, kind, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(*sorted(p), kind, at) for p in pairs if p[0] != p[1]],
    )


def drop_constraints(store: Store, pairs: Iterable[tuple[str, str]], kind: str) -> None:
    _many(
        store,
        "DELETE FROM cluster_constraints WHERE event_id = ? AND other_id = ? AND kind = ?",
        [(*sorted(p), kind) for p in pairs],
    )


def audit(
    store: Store,
    action: str,
    at: str,
    *,
    event_id: str | None = None,
    from_cluster: str | None = None,
    to_cluster: str | None = None,
    detail: str | None = None,
) -> None:
    store._execute(
        "INSERT INTO cluster_audit (at, action, event_id, from_cluster, to_cluster, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (at, action, event_id, from_cluster, to_cluster, detail),
    )


# -- canonical reads -------------------------------------------------------------------------


def _render(store: Store, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Canonical dicts for these clusters (in this order) with mentions, evidence, links."""
    if not ids:
        return []
    loaded = states(store, ids)
    mentions: dict[str, list[dict[str, Any]]] = {cid: [] for cid in ids}
    evidence: dict[str, list[dict[str, Any]]] = {cid: [] for cid in ids}
    related: dict[str, list[dict[str, Any]]] = {cid: [] for cid in ids}
    articles: set[str] = set()
    for chunk in _chunks(list(ids)):
        marks = _marks(chunk)
        cur = store._execute(
            "SELECT m.cluster_id, m.event_id, m.article_id, m.how, m.score, e.event_json "
            "FROM cluster_members m JOIN events e ON e.id = m.event_id "
            f"WHERE m.cluster_id IN ({marks}) ORDER BY m.joined_at, m.article_id, e.seq",
            chunk,
        )
        for cid, eid, aid, how, score, text in cur:
            doc = json.loads(text)
            date, loc = doc.get("date") or {}, doc.get("location") or {}
            articles.add(aid)
            mentions[cid].append({
                "event_id": eid,
                "article_id": aid,
                "trigger": doc.get("trigger"),
                "mode": doc.get("mode"),
                "date": date.get("start"),
                "date_precision": date.get("precision"),
                "location": loc.get("name"),
                "confidence": doc.get("confidence"),
                "how": how,
                "score": score,
            })
        cur = store._execute(
            "SELECT e.cluster_id, v.event_id, v.article_id, v.span_start, v.span_end, v.sentence "
            "FROM evidence v JOIN events e ON e.id = v.event_id "
            f"WHERE e.cluster_id IN ({marks}) ORDER BY v.article_id, v.span_start, v.event_id",
            chunk,
        )
        seen: set[tuple[str, str, int, int]] = set()
        for cid, eid, aid, start, end, sentence in cur:
            if (cid, aid, start, end) in seen:
                continue
            seen.add((cid, aid, start, end))
            evidence[cid].append({"article_id": aid, "start": start, "end": end,
                                  "sentence": sentence, "event_id": eid})
        cur = store._execute(
            "SELECT m.cluster_id, r.relation, t.cluster_id, COUNT(*) FROM related r "
            "JOIN events m ON m.id = r.event_id JOIN events t ON t.id = r.related_event_id "
            f"WHERE m.cluster_id IN ({marks}) AND t.cluster_id <> m.cluster_id "
            "GROUP BY m.cluster_id, r.relation, t.cluster_id ORDER BY m.cluster_id, t.cluster_id",
            chunk,
        )
        for cid, relation, target, n in cur:
            related[cid].append({"event_id": target, "relation": relation, "mentions": int(n)})
    copies = near_dups.roots(store, sorted(articles))
    out: list[dict[str, Any]] = []
    for cid in ids:
        state = loaded.get(cid)
        if state is None:
            continue
        record = state.canonical()
        record["related"] = related[cid]
        record["evidence"] = evidence[cid]
        record["mentions"] = mentions[cid]
        per_article: dict[str, int] = {}
        for m in mentions[cid]:
            per_article[m["article_id"]] = per_article.get(m["article_id"], 0) + 1
        record["sources"] = [
            {
                "article_id": aid,
                "publisher": meta.get("publisher"),
                "title": meta.get("title"),
                "url": meta.get("url"),
                "published": meta.get("published"),
                "duplicate_of": copies.get(aid),
                "mentions": per_article.get(aid, 0),
            }
            for aid, meta in sorted(
                state.articles.items(), key=lambda kv: (kv[1].get("published") or "", kv[0])
            )
        ]
        out.append(record)
    return out


class ClusterQueries:
    """Canonical-event reads and manual split/merge, mixed into ``Store``."""

    # Provided by Store.
    _lock: threading.RLock
    _conn: Connection
    _dialect: Dialect
    full_text: str | None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _as_store(self) -> Store:
        return self  # type: ignore[return-value]

    def get_cluster(self, ident: str) -> dict[str, Any] | None:
        """The fused canonical event for a cluster id or any of its member event ids.

        Adds to the contract fields: ``mentions`` (every member event), ``sources`` (every
        reporting article, ``duplicate_of`` set on near-copies), ``source_count`` (independent
        sources: copies collapsed), ``casualties.reports`` (who reported which figures) and
        ``related`` resolved to other clusters.
        """
        store = self._as_store()
        with self._lock:
            cid = resolve(store, ident)
            found = _render(store, [cid]) if cid else []
        return found[0] if found else None

    def query_clusters(self, filters: EventFilter | None = None) -> list[dict[str, Any]]:
        """Canonical events with a member matching ``filters``, newest first, one page.

        ``min_sources`` counts independent sources (near-copies collapsed); the other filters
        apply to member events as in ``query_events``.
        """
        store = self._as_store()
        f = filters or EventFilter()
        where, params = self._cluster_where(f)
        tail, paging = self._dialect.paging(f.limit, f.offset)
        with self._lock:
            cur = self._execute(
                "SELECT k.id FROM clusters k" + where
                + " ORDER BY k.date_start DESC NULLS LAST, k.id" + tail,
                [*params, *paging],
            )
            ids = [r[0] for r in cur]
            return _render(store, ids)

    def count_clusters(self, filters: EventFilter | None = None) -> int:
        where, params = self._cluster_where(filters or EventFilter())
        with self._lock:
            row = self._execute("SELECT COUNT(*) FROM clusters k" + where, params).fetchone()
        return int(row[0])

    def _cluster_where(self, f: EventFilter) -> tuple[str, list[Any]]:
        member = replace(f, min_sources=None, limit=None, offset=0)
        inner, params = where_clause(member, self.full_text)
        conditions: list[str] = []
        if inner:
            conditions.append(f"k.id IN (SELECT e.cluster_id FROM events e{inner})")
        if f.min_sources is not None:
            conditions.append("k.source_count >= ?")
            params.append(f.min_sources)
        return (" WHERE " + " AND ".join(conditions) if conditions else ""), params

    def cluster_history(self, ident: str) -> list[dict[str, Any]]:
        """Manual and repair actions that touched this cluster or event, oldest first."""
        with self._lock:
            cur = self._execute(
                "SELECT at, action, event_id, from_cluster, to_cluster, detail FROM cluster_audit "
                "WHERE from_cluster = ? OR to_cluster = ? OR event_id = ? ORDER BY id",
                (ident, ident, ident),
            )
            keys = ("at", "action", "event_id", "from_cluster", "to_cluster", "detail")
            return [dict(zip(keys, r, strict=True)) for r in cur]

    def article_duplicates(self, article_id: str) -> list[dict[str, Any]]:
        """Near-copy links of an article: the original it copies, the copies of it."""
        with self._lock:
            return near_dups.duplicate_links(self._as_store(), article_id)



def require_cluster(store: Store, ident: str) -> str:
    cid = resolve(store, ident)
    if cid is None:
        raise FlashpointError(Errors.E045.format(id=ident))
    return cid


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
