"""Paged and streamed reads: keyset pages of events and clusters, and iterators over all of them.

``Store.query_events`` returns one ``LIMIT``/``OFFSET`` page as a list, which is right for a
screenful and wrong for an export: a large offset makes the database walk every skipped row, and
a list of every match holds the whole result in memory. Here each page continues from the sort
key of the last row of the previous one (``(date_start, id)``, the order every list uses), so a
page costs the same wherever it is, and ``iter_events`` walks any number of matches holding one
page at a time (the store's lock is taken per page, not for the whole walk, so writers are not
held up by a long export).

A page's ``next_cursor`` is the token to pass back as ``EventFilter.cursor`` for the next one;
``None`` on the last page. The same filter selects the same rows here, in ``query_events`` and
in the counts, because all of them compile it with ``filters.where_clause``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from . import rows
from .clusters import _render as render_clusters
from .core import Store
from .filters import SOURCE_COUNT_SQL, EventFilter, decode_cursor, encode_cursor, where_clause

PAGE_SIZE = 500
"""Rows fetched per round trip when streaming."""

_EVENT_SELECT = (
    f"SELECT e.event_json, e.cluster_id, {SOURCE_COUNT_SQL}, "
    + ", ".join(f"a.{c}" for c in rows.ARTICLE_META)
    + ", e.date_start FROM events e JOIN articles a ON a.id = e.article_id"
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its rows, and the cursor of the next page (None on the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def _after(kind: str, alias: str, cursor: str | None) -> tuple[str, list[Any]]:
    """The keyset condition "sorts after the cursor's row" for ``ORDER BY date_start DESC
    NULLS LAST, id`` over table ``alias``."""
    if cursor is None:
        return "", []
    _, start, ident = decode_cursor(cursor, kind)
    if start is None:
        return f"({alias}.date_start IS NULL AND {alias}.id > ?)", [ident]
    return (
        f"({alias}.date_start < ? OR ({alias}.date_start = ? AND {alias}.id > ?) "
        f"OR {alias}.date_start IS NULL)",
        [start, start, ident],
    )


def _and(where: str, condition: str) -> str:
    if not condition:
        return where
    return f"{where} AND {condition}" if where else f" WHERE {condition}"


def _page_rows(
    store: Store, sql: str, params: list[Any], limit: int | None, offset: int
) -> list[Any]:
    tail, paging = store._dialect.paging(limit, offset)
    with store._lock:
        return store._execute(sql + tail, [*params, *paging]).fetchall()


def events_page(store: Store, f: EventFilter) -> Page:
    """The events ``f`` selects from its ``cursor`` (or ``offset``) on, at most ``f.limit``."""
    where, params = where_clause(f, store.full_text)
    keyset, values = _after("e", "e", f.cursor)
    sql = _EVENT_SELECT + _and(where, keyset) + " ORDER BY e.date_start DESC NULLS LAST, e.id"
    # one row more than asked says whether a next page exists
    fetched = _page_rows(
        store, sql, [*params, *values], None if f.limit is None else f.limit + 1, f.offset
    )
    more = f.limit is not None and len(fetched) > f.limit
    kept = fetched[: f.limit] if f.limit is not None else fetched
    items = [rows.event_record(r[:-1]) for r in kept]
    last = kept[-1] if kept else None
    token = encode_cursor("e", last[-1], items[-1]["id"]) if more and last is not None else None
    return Page(items, token)


def iter_events(
    store: Store, f: EventFilter, *, page_size: int = PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """Every event ``f`` selects (``f.limit`` of them at most; None: all), newest first,
    fetched ``page_size`` at a time."""
    return _walk(events_page, store, f, page_size)


def clusters_page(store: Store, f: EventFilter) -> Page:
    """Canonical events with a member ``f`` selects (as ``Store.query_clusters``), from its
    ``cursor`` (or ``offset``) on, at most ``f.limit``."""
    where, params = store._cluster_where(f)
    keyset, values = _after("k", "k", f.cursor)
    sql = (
        "SELECT k.id, k.date_start FROM clusters k"
        + _and(where, keyset)
        + " ORDER BY k.date_start DESC NULLS LAST, k.id"
    )
    fetched = _page_rows(
        store, sql, [*params, *values], None if f.limit is None else f.limit + 1, f.offset
    )
    more = f.limit is not None and len(fetched) > f.limit
    kept = fetched[: f.limit] if f.limit is not None else fetched
    with store._lock:
        items = render_clusters(store, [r[0] for r in kept])
    token = encode_cursor("k", kept[-1][1], kept[-1][0]) if more and kept else None
    return Page(items, token)


def iter_clusters(
    store: Store, f: EventFilter, *, page_size: int = PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """``iter_events`` for canonical events."""
    return _walk(clusters_page, store, f, page_size)


def _walk(
    fetch: Callable[[Store, EventFilter], Page], store: Store, f: EventFilter, page_size: int
) -> Iterator[dict[str, Any]]:
    left = f.limit
    page_filter = f
    while left is None or left > 0:
        size = page_size if left is None else min(page_size, left)
        page = fetch(store, replace(page_filter, limit=size))
        yield from page.items
        if left is not None:
            left -= len(page.items)
        if page.next_cursor is None:
            return
        page_filter = replace(page_filter, cursor=page.next_cursor, offset=0)
