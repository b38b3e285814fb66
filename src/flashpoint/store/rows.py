"""Conversions between pipeline objects, table rows and the dicts the store returns.

Rows are derived from the event's contract dict (``Event.to_dict()``), the same dict stored
verbatim in ``events.event_json``, so the queryable columns can never disagree with what a reader
gets back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..types import Article

ARTICLE_COLUMNS = (
    "id",
    "url",
    "title",
    "publisher",
    "published",
    "language",
    "source",
    "text",
    "text_chars",
    "title_start",
    "title_end",
    "added_at",
)
EVENT_COLUMNS = (
    "id",
    "article_id",
    "seq",
    "type",
    "mode",
    "modality",
    "date_start",
    "date_end",
    "date_precision",
    "time_of_day",
    "loc_name",
    "lat",
    "lon",
    "loc_country",
    "admin1",
    "loc_precision",
    "geonameid",
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
    "attribution_kind",
    "attribution_name",
    "confidence",
    "cluster_id",
    "event_json",
)
ACTOR_COLUMNS = (
    "event_id",
    "seq",
    "role",
    "name",
    "country",
    "kind",
    "text",
    "span_start",
    "span_end",
    "sponsor",
    "actor_id",
)
EVIDENCE_COLUMNS = ("event_id", "article_id", "seq", "span_start", "span_end", "sentence")
RELATED_COLUMNS = ("event_id", "related_event_id", "relation")

# Article metadata joined onto every event a reader returns, in this order (``added_at``: when
# the article was stored, which exports report as the row's timestamp).
ARTICLE_META = (
    "id", "url", "title", "publisher", "published", "language", "source", "text_chars", "added_at"
)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """``INSERT`` for a fixed table and column list (identifiers are constants, never input)."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def dumps(value: Any) -> str:
    """Compact JSON; refuses NaN/Infinity, which would not read back as valid JSON."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def article_row(article: Article, added_at: str) -> tuple[Any, ...]:
    title_start, title_end = article.title_span if article.title_span else (None, None)
    return (
        article.id,
        article.url,
        article.title,
        article.publisher,
        article.published.isoformat() if article.published else None,
        article.language,
        article.source,
        article.text,
        len(article.text),
        title_start,
        title_end,
        added_at,
    )


@dataclass(slots=True)
class EventRows:
    """Everything one event writes, across its tables."""

    event: tuple[Any, ...]
    actors: list[tuple[Any, ...]] = field(default_factory=list)
    evidence: list[tuple[Any, ...]] = field(default_factory=list)
    related: list[tuple[Any, ...]] = field(default_factory=list)


def _count(casualties: dict[str, Any], key: str) -> tuple[Any, Any, Any]:
    count = casualties.get(key)
    if not count:
        return (None, None, None)
    return (count.get("low"), count.get("best"), count.get("high"))


def _span(span: Sequence[int] | None) -> tuple[int | None, int | None]:
    if not span:
        return (None, None)
    return (span[0], span[1])


def event_rows(doc: dict[str, Any], article_id: str, seq: int) -> EventRows:
    """Rows for one event contract dict ``doc`` reported by ``article_id``."""
    event_id = doc["id"]
    date = doc.get("date") or {}
    loc = doc.get("location") or {}
    casualties = doc.get("casualties") or {}
    attribution = doc.get("attribution") or {}
    start, end = date.get("start"), date.get("end")
    row = (
        event_id,
        article_id,
        seq,
        doc["type"],
        doc.get("mode"),
        doc["modality"],
        start,
        end or start,  # filled, so date overlap tests stay index-friendly
        date.get("precision") or "unknown",
        date.get("time"),
        loc.get("name"),
        loc.get("lat"),
        loc.get("lon"),
        loc.get("country"),
        loc.get("admin1"),
        loc.get("precision"),
        loc.get("geonameid"),
        *_count(casualties, "killed"),
        *_count(casualties, "injured"),
        attribution.get("kind") or "unattributed",
        attribution.get("name"),
        doc.get("confidence", 0.5),
        event_id,  # cluster_id: its own cluster until deduplication says otherwise
        dumps(doc),
    )
    rows = EventRows(row)
    for i, actor in enumerate(doc.get("actors") or []):
        rows.actors.append(
            (
                event_id,
                i,
                actor["role"],
                actor["name"],
                actor.get("country"),
                actor["kind"],
                actor.get("text") or actor["name"],
                *_span(actor.get("span")),
                actor.get("sponsor"),
                actor.get("actor_id"),
            )
        )
    for i, ev in enumerate(doc.get("evidence") or []):
        source = ev.get("article_id") or article_id
        rows.evidence.append((event_id, source, i, ev["start"], ev["end"], ev["sentence"]))
    seen: set[tuple[str, str]] = set()
    for rel in doc.get("related") or []:
        key = (rel["event_id"], rel["relation"])
        if key not in seen:
            seen.add(key)
            rows.related.append((event_id, *key))
    return rows


def event_record(row: Sequence[Any]) -> dict[str, Any]:
    """Reader dict from ``(event_json, cluster_id, source_count, *ARTICLE_META)``.

    The contract fields come back exactly as stored; ``article``, ``cluster_id`` and
    ``source_count`` are added beside them (the contract allows extra fields).
    """
    record: dict[str, Any] = json.loads(row[0])
    record["cluster_id"] = row[1]
    record["source_count"] = row[2]
    record["article"] = dict(zip(ARTICLE_META, row[3:], strict=True))
    return record
