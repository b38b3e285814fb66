"""Event query filters: validated once, then compiled to a bound-parameter ``WHERE`` clause.

This is the one definition of the filter set: ``flashpoint events``, ``flashpoint clusters
list``, the HTTP API and ``flashpoint.open(...).events(...)`` all build an ``EventFilter``
(``from_params`` for text input) and describe its options with ``FILTER_HELP``. Validation
happens at construction, so they all reject the same bad input with the same E070 message, and
the SQL compiler only ever sees clean values. Every value reaches the database as a bound
parameter; the SQL text is assembled from fixed fragments chosen by which filters are set.

Paging: ``limit``/``offset``, or ``cursor``, an opaque keyset token (``store.pages``) that pages
stay stable under while rows are added, and that costs the same on page 1 and page 10,000.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, get_args

import pycountry

from ..errors import Errors, FlashpointError
from ..types import ActorKind, DatePrecision, EventType, Modality, PlacePrecision
from . import search

_EVENT_TYPES = frozenset(get_args(EventType))
_MODALITIES = frozenset(get_args(Modality))
_ACTOR_KINDS = frozenset(get_args(ActorKind))
LOCATION_PRECISIONS: tuple[str, ...] = get_args(PlacePrecision)
# the contract's date precisions ("reported": no date in the text, the window ends at publication)
DATE_PRECISIONS: tuple[str, ...] = (*get_args(DatePrecision), "reported")
# codes in use without an ISO 3166 entry (the gazetteer places Kosovo under XKX)
_EXTRA_COUNTRIES = frozenset({"XKX"})
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


def _shown(value: object) -> object:
    """A value as the user wrote it: dates as YYYY-MM-DD, lists comma-joined (a repr such as
    ``datetime.date(2024, 2, 1)`` means nothing to someone who typed 2024-02-01)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    return value


def _invalid(name: str, value: object, detail: str) -> InvalidFilter:
    return InvalidFilter(Errors.E070.format(name=name, value=_shown(value), detail=detail))


# What each filter means, once: the CLI options and the API's query parameters both show these.
FILTER_HELP: dict[str, str] = {
    "since": "Events still going on at or after this day (YYYY-MM-DD).",
    "until": "Events begun at or before this day (YYYY-MM-DD).",
    "country": "Country of the event location, ISO 3166 alpha-3 (e.g. IRQ).",
    "type": "PLOVER event type (e.g. ASSAULT).",
    "mode": "Event mode (e.g. airstrike, drone, shelling).",
    "modality": "asserted, negated, future, hypothetical, threat or denied.",
    "actor": "Actor name or text, a case-insensitive substring.",
    "actor_kind": "Kind of any actor: " + ", ".join(get_args(ActorKind)) + ".",
    "text": 'Full-text search in evidence (all words; "quoted phrase"; prefix*).',
    "bbox": "min_lon,min_lat,max_lon,max_lat; min_lon > max_lon crosses the antimeridian.",
    "min_sources": "Only events reported by at least this many independent sources.",
    "sub_event_type": "ACLED sub-event type (e.g. 'Air/drone strike'), as the ACLED export "
    "maps PLOVER type and mode.",
    "precision": "Location and/or date precision, comma-separated: location "
    + "|".join(LOCATION_PRECISIONS) + "; date " + "|".join(DATE_PRECISIONS)
    + " (e.g. site,city,day).",
    "article_id": "Only events reported by this article.",
    "limit": "At most this many.",
    "offset": "Skip this many first (prefer cursor for deep paging).",
    "cursor": "Continue after the page that returned this next_cursor.",
}


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
    actor_kind: str | None = None
    text: str | None = None
    bbox: BBox | None = None
    min_sources: int | None = None
    sub_event_type: str | None = None
    location_precision: tuple[str, ...] | None = None
    date_precision: tuple[str, ...] | None = None
    article_id: str | None = None
    limit: int | None = 100
    offset: int = 0
    cursor: str | None = None

    def __post_init__(self) -> None:
        self.since = _date("since", self.since)
        self.until = _date("until", self.until)
        if self.since and self.until and self.since > self.until:
            raise _invalid("since", self.since, f"is after until={self.until}")
        self.country = _clean("country", self.country, str.upper)
        if self.country is not None and self.country not in _countries():
            raise _invalid(
                "country", self.country, "not an ISO 3166 alpha-3 country code (e.g. IRQ, UKR)"
            )
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
        self.actor_kind = _clean("actor_kind", self.actor_kind, str.lower)
        if self.actor_kind is not None and self.actor_kind not in _ACTOR_KINDS:
            raise _invalid(
                "actor_kind", self.actor_kind, f"choose from {', '.join(get_args(ActorKind))}"
            )
        self.sub_event_type = _sub_event_type(self.sub_event_type)
        self.location_precision = _choices(
            "location_precision", self.location_precision, LOCATION_PRECISIONS
        )
        self.date_precision = _choices("date_precision", self.date_precision, DATE_PRECISIONS)
        self.text = _clean("text", self.text, str.strip)
        if self.text is not None and not search.parse_terms(self.text):
            raise _invalid("text", self.text, "no searchable words")
        self.article_id = _clean("article_id", self.article_id, str.strip)
        self.bbox = _bbox(self.bbox)
        self.min_sources = _int("min_sources", self.min_sources, minimum=1)
        self.limit = _int("limit", self.limit, minimum=0)
        offset = _int("offset", self.offset, minimum=0)
        self.offset = offset or 0
        self.cursor = _clean("cursor", self.cursor, str.strip)
        if self.cursor is not None:
            decode_cursor(self.cursor)  # refuse a malformed token now, not mid-query

    @classmethod
    def from_params(cls, params: Mapping[str, str | None]) -> EventFilter:
        """Build a filter from string parameters (query string, CLI options).

        ``bbox`` is ``min_lon,min_lat,max_lon,max_lat``; dates are ``YYYY-MM-DD``; ``precision``
        is a comma-separated list of location and/or date precisions (the two vocabularies do
        not overlap), split here into ``location_precision`` and ``date_precision``; empty
        values count as unset. Unknown names raise E070 so typos do not silently widen a query.
        """
        known = ({f.name for f in fields(cls)} - {"location_precision", "date_precision"}) | {
            "precision"
        }
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
            elif name == "precision":
                values.update(_parse_precision(raw))
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


@cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries) | _EXTRA_COUNTRIES


def _choices(name: str, value: object, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """A non-empty tuple of distinct allowed values, from a tuple/list or a comma list."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (tuple, list)) or not all(isinstance(v, str) for v in items):
        raise _invalid(name, value, "expected text")
    cleaned = tuple(dict.fromkeys(v.strip().lower() for v in items if v.strip()))
    wrong = [v for v in cleaned if v not in allowed]
    if wrong:
        raise _invalid(name, ",".join(wrong), f"choose from {', '.join(allowed)}")
    return cleaned or None


def _parse_precision(raw: str) -> dict[str, tuple[str, ...]]:
    parts = [p.strip().lower() for p in raw.split(",") if p.strip()]
    where = tuple(p for p in parts if p in LOCATION_PRECISIONS)
    when = tuple(p for p in parts if p in DATE_PRECISIONS)
    wrong = [p for p in parts if p not in where and p not in when]
    if wrong:
        raise _invalid(
            "precision",
            ",".join(wrong),
            f"choose location precisions from {', '.join(LOCATION_PRECISIONS)} and/or date "
            f"precisions from {', '.join(DATE_PRECISIONS)}",
        )
    out: dict[str, tuple[str, ...]] = {}
    if where:
        out["location_precision"] = where
    if when:
        out["date_precision"] = when
    return out


def _sub_event_type(value: object) -> str | None:
    """The ACLED sub-event type spelled as the mapping table spells it (case-insensitive)."""
    cleaned = _clean("sub_event_type", value, str.strip)
    if cleaned is None:
        return None
    from ..export.tables import sub_event_types  # the mapping lives with the ACLED exporter

    known = {t.casefold(): t for t in sub_event_types()}
    found = known.get(cleaned.casefold())
    if found is None:
        raise _invalid("sub_event_type", cleaned, f"choose from {'; '.join(known.values())}")
    return found


# -- keyset cursors ---------------------------------------------------------------------------

# A cursor names the last row of a page by its sort key, (start date or None, id), and what it
# pages ("e" events, "k" clusters), so a token from one list is refused by the other.
_CURSOR_VERSION = 1


def encode_cursor(kind: str, date_start: str | None, ident: str) -> str:
    raw = json.dumps([_CURSOR_VERSION, kind, date_start, ident], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(token: str, kind: str | None = None) -> tuple[str, str | None, str]:
    """``(kind, date_start, id)`` from a token ``encode_cursor`` made (for the list ``kind``
    when given); E070 otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, found, date_start, ident = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise _invalid("cursor", token[:40], "not a cursor this store returned") from None
    if (
        version != _CURSOR_VERSION
        or found not in ("e", "k")
        or not isinstance(ident, str)
        or not (date_start is None or isinstance(date_start, str))
    ):
        raise _invalid("cursor", token[:40], "not a cursor this store returned")
    if kind is not None and found != kind:
        raise _invalid("cursor", token[:40], "belongs to another list (events vs clusters)")
    return found, date_start, ident


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
    for column, choices in (
        ("e.loc_precision", f.location_precision),
        ("e.date_precision", f.date_precision),
    ):
        if choices:
            conditions.append(f"{column} IN ({', '.join('?' * len(choices))})")
            params.extend(choices)
    if f.actor_kind is not None:
        conditions.append("e.id IN (SELECT k.event_id FROM event_actors k WHERE k.kind = ?)")
        params.append(f.actor_kind)
    if f.sub_event_type is not None:
        clause, values = _sub_event_clause(f.sub_event_type)
        conditions.append(clause)
        params.extend(values)
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


def _sub_event_clause(sub_event_type: str) -> tuple[str, list[Any]]:
    """``sub_event_type`` as SQL: the mapping table's rows as one ``CASE`` (first match wins,
    exactly as the exporter reads them), true when the matching row gives this subtype."""
    from ..export.tables import type_rules

    whens: list[str] = []
    params: list[Any] = []
    wanted: list[int] = []
    default = 0
    for number, rule in enumerate(type_rules(), start=1):
        if rule.result.sub_event_type == sub_event_type:
            wanted.append(number)
        parts: list[str] = []
        if rule.plover_type != "*":
            parts.append("e.type = ?")
            params.append(rule.plover_type)
        if rule.mode != "*":
            parts.append("e.mode = ?")
            params.append(rule.mode)
        if rule.target != "*":
            parts.append(
                "EXISTS (SELECT 1 FROM event_actors t WHERE t.event_id = e.id "
                "AND t.role = 'target' AND t.kind = ?)"
            )
            params.append(rule.target)
        if not parts:  # the catch-all row ends the table
            default = number
            break
        whens.append(f"WHEN {' AND '.join(parts)} THEN {number}")
    # rule numbers are positions in our own table, never input: safe to write into the SQL
    case = f"(CASE {' '.join(whens)} ELSE {default} END)"
    return f"{case} IN ({', '.join(str(n) for n in wanted)})", params
