"""Persistent, queryable storage for extracted events: SQLite files or a PostgreSQL server.

    store = open_store("events.db")            # or "sqlite:///events.db", ":memory:",
                                               # "postgresql://user:pass@host:5432/dbname"
    store.add(extractions)                     # one transaction; re-adding an article is a no-op
    store.query_events(EventFilter(country="IRQ", since=date(2024, 1, 1), text="missile"))
    pages.iter_events(store, EventFilter(country="IRQ", limit=None))   # every match, streamed
    pages.events_page(store, EventFilter(limit=50, cursor=token))      # keyset paging

``flashpoint.open(url)`` (``flashpoint.database``) wraps these for notebooks.

Every read returns the event's contract dict (``shared/contract/event-json.md``) exactly as it
was written, plus ``article`` (metadata of the reporting article), ``cluster_id`` and
``source_count`` (distinct articles reporting the event's cluster).

Schema (version ``SCHEMA_VERSION``, migrations in ``schema.py``):

- ``articles``: id, url, title, publisher, published, language, source, text, text_chars,
  title_start/title_end, added_at.
- ``events``: id, article_id → articles, seq, type, mode, modality, date_start, date_end (filled
  with date_start for single days), date_precision, time_of_day, loc_name, lat, lon, loc_country,
  admin1, loc_precision, geonameid, killed_low/best/high, injured_low/best/high,
  attribution_kind/name, confidence, cluster_id (starts as the event id), event_json.
- ``event_actors``: event_id, seq, role, name, country, kind, text, span_start/end, sponsor,
  actor_id.
- ``evidence``: id, event_id, article_id, seq, span_start/end, sentence; indexed by FTS5 table
  ``evidence_fts`` when the SQLite build has it, by the generated ``tsvector`` column
  ``sentence_tsv`` (GIN index) on PostgreSQL.
- ``related``: event_id, related_event_id, relation.
"""

from __future__ import annotations

from .core import AddResult, Store, open_store
from .filters import EventFilter, InvalidFilter
from .schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "AddResult", "EventFilter", "InvalidFilter", "Store", "open_store"]
