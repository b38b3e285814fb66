"""Reads only the web dashboard needs: compact map points, a per-day histogram, an event's
cluster and the events that link to it.

``Store.query_events`` returns whole contract dicts, which is right for pages of events and far
too heavy for putting every matching event on a map or counting them by day. These queries share
the store's connection, lock, dialect and the bound-parameter ``WHERE`` clause of
``query_events``, so a filter selects exactly the same events on the map, the timeline and the
list.
"""

from __future__ import annotations

from typing import Any

from .core import Store
from .filters import EventFilter, where_clause

_LOCATED = "e.lat IS NOT NULL AND e.lon IS NOT NULL"


def _and(where: str, condition: str) -> str:
    return f"{where} AND {condition}" if where else f" WHERE {condition}"


def points(store: Store, f: EventFilter, limit: int) -> list[dict[str, Any]]:
    """Located events matching ``f`` (its paging ignored), newest first, at most ``limit``."""
    where, params = where_clause(f, store.full_text)
    sql = (
        "SELECT e.id, e.lat, e.lon, e.type, e.mode, e.modality, e.date_start, e.date_end, "
        "e.loc_name, e.loc_country FROM events e"
        + _and(where, _LOCATED)
        + " ORDER BY e.date_start DESC NULLS LAST, e.id LIMIT ?"
    )
    keys = ("id", "lat", "lon", "type", "mode", "modality", "start", "end", "place", "country")
    with store._lock:
        rows = store._execute(sql, [*params, limit]).fetchall()
    return [dict(zip(keys, row, strict=True)) for row in rows]


def count_located(store: Store, f: EventFilter) -> int:
    """How many events matching ``f`` have coordinates (paging ignored)."""
    where, params = where_clause(f, store.full_text)
    with store._lock:
        row = store._execute(
            "SELECT COUNT(*) FROM events e" + _and(where, _LOCATED), params
        ).fetchone()
    return int(row[0])


def per_day(store: Store, f: EventFilter) -> tuple[list[tuple[str, int]], int]:
    """Events matching ``f`` counted by start date, oldest first; and how many have no date."""
    where, params = where_clause(f, store.full_text)
    sql = (
        "SELECT e.date_start, COUNT(*) FROM events e"
        + where
        + " GROUP BY e.date_start ORDER BY e.date_start"
    )
    days: list[tuple[str, int]] = []
    undated = 0
    with store._lock:
        for day, n in store._execute(sql, params):
            if day is None:
                undated = int(n)
            else:
                days.append((str(day), int(n)))
    return days, undated


def cluster_ids(store: Store, event_id: str, limit: int = 200) -> list[str]:
    """Ids of the events reporting the same real-world event as ``event_id`` (itself included),
    oldest report first; empty when the event does not exist."""
    sql = (
        "SELECT c.id FROM events e JOIN events c ON c.cluster_id = e.cluster_id "
        "JOIN articles a ON a.id = c.article_id "
        "WHERE e.id = ? ORDER BY a.published NULLS LAST, c.id LIMIT ?"
    )
    with store._lock:
        return [str(r[0]) for r in store._execute(sql, (event_id, limit))]


def referrers(store: Store, event_id: str) -> list[tuple[str, str]]:
    """``(event id, relation)`` for every stored event whose ``related`` names ``event_id``."""
    sql = (
        "SELECT event_id, relation FROM related WHERE related_event_id = ? "
        "ORDER BY event_id, relation"
    )
    with store._lock:
        return [(str(a), str(b)) for a, b in store._execute(sql, (event_id,))]
