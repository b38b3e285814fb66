"""Event query filters: validated once, then compiled to a bound-parameter ``WHERE`` clause.

Validation happens at construction so the CLI, the HTTP API and library callers all reject the
same bad input with the same E070 message, and the SQL compiler only ever sees clean values.
Every value reaches the database as a bound parameter; the SQL text is assembled from fixed
fragments chosen by which filters are set.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, get_args

from ..errors import Errors, FlashpointError
from ..types import EventType, Modality
from . import search

_EVENT_TYPES = frozenset(get_args(EventType))
_MODALITIES = frozenset(get_args(Modality))
_ISO3 = re.compile(r"[A-Z]{3}")
_MAX_TEXT = 500
# Databases store 64-bit integers; a larger bound parameter is a driver error, not a filter.
_MAX_INT = 2**63 - 1
# NUL ends a C string halfway (SQLite's full-text query parser fails on it); no filter needs
# any control character.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

BBox = tuple[float, float, float, float]

# Independent sources of the event's cluster: the linker's count (syndicated copies count once)
# where the event is linked; else the distinct articles sharing its cluster_id or cited in their
# evidence (1 until deduplication merges clusters).
SOURCE_COUNT_SQL = (
    "COALESCE((SELECT k.source_count FROM clusters k WHERE k.id = e.cluster_id), "
    "(SELECT COUNT(*) FROM ("
    "SELECT c.article_id AS aid FROM events c WHERE c.cluster_id = e.cluster_id "
    "UNION SELECT v.article_id FROM events c JOIN evidence v ON v.event_id = c.id "
    "WHERE c.cluster_id = e.cluster_id) s))"
)


class InvalidFilter(FlashpointError, ValueError):
    """A filter value that cannot be applied (E070); the caller's input, not a store fault."""


def _invalid(name: str, value: object, detail: str) -> InvalidFilter:
    return InvalidFilter(Errors.E070.format(name=name, value=value, detail=detail))


@dataclass(slots=True)
class EventFilter:
    """What to select from the store; every field optional. Dates overlap-match the event span."""

    since: dt.date | None = None
    until: dt.date | None = None
    country: str | None = None
    type: str | None = None
    mode: str | None = None
    modality: str | None = None
    actor: str | None = None
    text: str | None = None
    bbox: BBox | None = None
    min_sources: int | None = None
    article_id: str | None = None
    limit: int | None = 100
    offset: int = 0

    def __post_init__(self) -> None:
        self.since = _date("since", self.since)
        self.until = _date("until", self.until)
        if self.since and self.until and self.since > self.until:
            raise _invalid("since", self.since, f"is after until={self.until}")
        self.country = _clean("country", self.country, str.upper)
        if self.country is not None and not _ISO3.fullmatch(self.country):
            raise _invalid("country", self.country, "expected an ISO 3166 alpha-3 code like IRQ")
        self.type = _clean("type", self.type, str.upper)
        if self.type is not None and self.type not in _EVENT_TYPES:
            raise _invalid("type", self.type, f"choose from {', '.join(sorted(_EVENT_TYPES))}")
        self.mode = _clean("mode", self.mode, str.lower)
        self.modality = _clean("modality", self.modality, str.lower)
        if self.modality is not None and self.modality not in _MODALITIES:
            raise _invalid(
                "modality", self.modality, f"choose from {', '.join(sorted(_MODALITIES))}"
            )
        self.actor = _clean("actor", self.actor, str.strip)
        self.text = _clean("text", self.text, str.strip)
        if self.text is not None and not search.parse_terms(self.text):
            raise _invalid("text", self.text, "no searchable words")
        self.article_id = _clean("article_id", self.article_id, str.strip)
        self.bbox = _bbox(self.bbox)
        self.min_sources = _int("min_sources", self.min_sources, minimum=1)
        self.limit = _int("limit", self.limit, minimum=0)
        offset = _int("offset", self.offset, minimum=0)
        self.offset = offset or 0

    @classmethod
    def from_params(cls, params: Mapping[str, str | None]) -> EventFilter:
        """Build a filter from string parameters (query string, CLI options).

        ``bbox`` is ``min_lon,min_lat,max_lon,max_lat``; dates are ``YYYY-MM-DD``; empty
        values count as unset. Unknown names raise E070 so typos do not silently widen a query.
        """
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, raw in params.items():
            if name not in known:
                raise _invalid(name, raw, f"unknown filter; choose from {', '.join(sorted(known))}")
            if raw is None or not str(raw).strip():
                continue
            raw = str(raw).strip()
            if name in ("since", "until"):
                values[name] = _parse_date(name, raw)
            elif name in ("min_sources", "limit", "offset"):
                values[name] = _parse_int(name, raw)
            elif name == "bbox":
                values[name] = _parse_bbox(raw)
            else:
                values[name] = raw
        return cls(**values)


def _clean(name: str, value: object, normalise: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(name, value, "expected text")
    cleaned = normalise(value.strip())
    if not cleaned:
        return None
    if _CONTROL.search(cleaned):
        raise _invalid(name, cleaned[:40], "contains a control character")
    if len(cleaned) > _MAX_TEXT:
        raise _invalid(name, cleaned[:40] + "...", f"longer than {_MAX_TEXT} characters")
    return str(cleaned)


def _date(name: str, value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_date(name, value)
    raise _invalid(name, value, "expected a date")


def _parse_date(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise _invalid(name, raw, "expected a date as YYYY-MM-DD") from None


def _int(name: str, value: object, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name, value, "expected a whole number")
    if value < minimum:
        raise _invalid(name, value, f"must be at least {minimum}")
    if value > _MAX_INT:
        raise _invalid(name, value, f"must be at most {_MAX_INT}")
    return value


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _invalid(name, raw, "expected a whole number") from None


def _parse_bbox(raw: str) -> BBox:
    parts = raw.split(",")
    if len(parts) != 4:
        raise _invalid("bbox", raw, "expected min_lon,min_lat,max_lon,max_lat")
    try:
        a, b, c, d = (float(p) for p in parts)
    except ValueError:
        raise _invalid("bbox", raw, "expected four numbers") from None
    return (a, b, c, d)


def _bbox(value: object) -> BBox | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse_bbox(value)
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        raise _invalid("bbox", value, "expected (min_lon, min_lat, max_lon, max_lat)")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in value)
    except (TypeError, ValueError):
        raise _invalid("bbox", value, "expected four numbers") from None
    box = (min_lon, min_lat, max_lon, max_lat)
    if not all(math.isfinite(v) for v in box):
        raise _invalid("bbox", value, "coordinates must be finite")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise _invalid("bbox", value, "longitudes must lie in [-180, 180]")
    if not (-90 <= min_lat <= max_lat <= 90):
        raise _invalid("bbox", value, "latitudes must lie in [-90, 90], min before max")
    return box


def where_clause(f: EventFilter, full_text: str | bool | None) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (or "") over ``events e`` for ``f``, with its bound values.

    ``full_text``: the store's text index, ``Store.full_text`` ("fts5", "tsvector"), or None
    for ``LIKE``. A bool is read as SQLite's FTS5 or not (callers written before PostgreSQL).
    """
    if isinstance(full_text, bool):
        full_text = "fts5" if full_text else None
    conditions: list[str] = []
    params: list[Any] = []
    if f.since is not None:
        # date_end is stored filled (equal to date_start for single days), so overlap is two
        # plain range tests that can use the date indexes.
        conditions.append("e.date_end >= ?")
        params.append(f.since.isoformat())
    if f.until is not None:
        conditions.append("e.date_start <= ?")
        params.append(f.until.isoformat())
    for column, value in (
        ("e.loc_country", f.country),
        ("e.type", f.type),
        ("e.mode", f.mode),
        ("e.modality", f.modality),
        ("e.article_id", f.article_id),
    ):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if f.actor is not None:
        pattern = search.like_pattern(f.actor)
        conditions.append(
            "e.id IN (SELECT a.event_id FROM event_actors a WHERE "
            "LOWER(a.name) LIKE ? ESCAPE '\\' OR LOWER(a.text) LIKE ? ESCAPE '\\')"
        )
        params.extend([pattern, pattern])
    if f.text is not None:
        clause, values = search.text_clause(search.parse_terms(f.text), full_text)
        conditions.append(clause)
        params.extend(values)
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        conditions.append("e.lat BETWEEN ? AND ?")
        params.extend([min_lat, max_lat])
        if min_lon <= max_lon:
            conditions.append("e.lon BETWEEN ? AND ?")
        else:  # the box crosses the antimeridian
            conditions.append("(e.lon >= ? OR e.lon <= ?)")
        params.extend([min_lon, max_lon])
    if f.min_sources is not None:
        conditions.append(f"{SOURCE_COUNT_SQL} >= ?")
        params.append(f.min_sources)
    if not conditions:
        return "", params
    return " WHERE " + " AND ".join(conditions), params
