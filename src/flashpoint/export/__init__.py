"""Export events to JSON, ACLED-style CSV, GeoJSON and PLOVER/POLECAT JSON Lines.

Every function takes event dicts: the contract's event objects, optionally with ``article``
metadata beside them (``Store.query_events`` returns them that way; ``event_records`` builds them
from fresh extractions). Each returns the whole document as a string.

``to_json``
    ``{"events": [...]}``: the events exactly as given (contract fields plus any extras).

``to_csv`` (``acled.py``) — one row per event:
    ACLED columns event_id_cnty (``ISO3-eventid``), event_date (first day), year,
    time_precision (1 day; 2 week or range ≤ 7 days; 3 longer, month, year), disorder_type,
    event_type, sub_event_type (PLOVER type + mode → ACLED via
    ``data/export/acled_event_types.tsv``, e.g. ASSAULT+airstrike → Explosions/Remote violence /
    Air/drone strike; ASSAULT+firearms → Battles / Armed clash, or Violence against civilians /
    Attack when a target is civilians; PROTEST → Protests / Peaceful protest, +riot → Riots /
    Violent demonstration), actor1, assoc_actor_1, inter1, actor2, assoc_actor_2, inter2,
    interaction, civilian_targeting, iso (ISO numeric), country (ACLED spelling), admin1,
    location, latitude, longitude, geo_precision (1 site/city; 2 admin2/region; 3 admin1/
    country/sea), source (publisher), notes (evidence sentences), fatalities (best killed, 0 if
    none reported); UCDP GED-style deaths_low, deaths_best, deaths_high; then injuries_low/best/
    high, plover_type, plover_mode, modality, date_start/end/precision, time,
    location_precision, geonameid, iso3, actor1/2_country and _kind, attribution_kind/name,
    confidence, source_count, event_id, article_id, url, title, published.

``to_geojson`` (``geojson.py``)
    FeatureCollection of Point features ``[lon, lat]`` for events with coordinates; properties
    are a flat scalar summary (type, mode, dates, place, actors, casualties, evidence, article).

``to_plover`` (``plover.py``)
    JSON Lines: id, event_date, end_date, event_type, mode, context, quad_code, actor,
    recipient, claimant (actor objects with code, sector, name, actor_text, identifier_id),
    geolocation (placename, province, country, latitude, longitude, geonames_id,
    raw_placename, feature_type), dead, injured, event_text, cite_info.

The full mapping tables and their rationale: ``flashpoint/data/export/README.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..errors import Errors, FlashpointError
from ..types import Extraction
from .acled import COLUMNS as CSV_COLUMNS
from .acled import to_csv
from .geojson import to_geojson
from .plover import to_plover

FORMATS = ("json", "csv", "geojson", "plover")


def to_json(events: Iterable[dict[str, Any]], *, indent: int | None = 2) -> str:
    """``{"events": [...]}`` with every event as given."""
    return json.dumps({"events": list(events)}, ensure_ascii=False, allow_nan=False, indent=indent)


def event_records(extractions: Iterable[Extraction]) -> list[dict[str, Any]]:
    """Contract event dicts with their ``article`` metadata, ready for any exporter.

    Events carry ``article`` in the shape ``Store.query_events`` gives it, so exporting fresh
    extractions and exporting them from the store agree (the store adds ``cluster_id`` and
    ``source_count``).
    """
    records: list[dict[str, Any]] = []
    for ex in extractions:
        meta = ex.article.to_dict()
        meta["source"] = ex.article.source
        for ev in ex.events:
            record = ev.to_dict()
            record["article"] = dict(meta)
            records.append(record)
    return records


def export(events: Iterable[dict[str, Any]], fmt: str) -> str:
    """Dispatch on a format name from ``FORMATS`` (for CLI and API ``--format`` options)."""
    writers = {"json": to_json, "csv": to_csv, "geojson": to_geojson, "plover": to_plover}
    writer = writers.get(fmt.lower())
    if writer is None:
        raise FlashpointError(Errors.E071.format(fmt=fmt, choices=", ".join(FORMATS)))
    return writer(events)


__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "event_records",
    "export",
    "to_csv",
    "to_geojson",
    "to_json",
    "to_plover",
]
