"""Export events to JSON, CSV (ACLED's columns and more), ACLED, UCDP GED, GeoJSON, PLOVER/POLECAT
JSON Lines and Parquet.

Every function takes event dicts: the contract's event objects, optionally with ``article``
metadata beside them (``Store.query_events`` returns them that way; ``event_records`` builds them
from fresh extractions). ``write(events, fmt, out)`` streams any text format to a file object
as the events come, so an export of any size runs in constant memory (feed it
``store.pages.iter_events``); the ``to_*`` functions return the whole document as a string.

``to_json``
    ``{"events": [...]}``: the events exactly as given (contract fields plus any extras).

``to_csv`` (``acled.py``) — one row per event:
    ACLED columns event_id_cnty (``ISO3-eventid``, the id alone without a country),
    event_date (first day), year,
    time_precision (1 day; 2 week or range ≤ 7 days; 3 longer, month, year), disorder_type,
    event_type, sub_event_type (PLOVER type + mode → ACLED via
    ``data/export/acled_event_types.tsv``, e.g. ASSAULT+airstrike → Explosions/Remote violence /
    Air/drone strike; ASSAULT+firearms → Battles / Armed clash, or Violence against civilians /
    Attack when a target is civilians; PROTEST → Protests / Peaceful protest, +riot → Riots /
    Violent demonstration), actor1, assoc_actor_1, inter1, actor2, assoc_actor_2, inter2,
    interaction, civilian_targeting, iso (ISO numeric), region, country (ACLED spelling),
    admin1, admin2, admin3, location, latitude, longitude, geo_precision (1 site/city; 2
    admin2/region; 3 admin1/country/sea), source (publisher), source_scale, notes (evidence
    sentences), fatalities (the lowest reported killed figure, 0 if none reported), tags,
    timestamp; UCDP GED-style deaths_low, deaths_best, deaths_high; then injuries_low/best/
    high, plover_type, plover_mode, modality, date_start/end/precision, time,
    location_precision, geonameid, iso3, actor1/2_country and _kind, attribution_kind/name,
    confidence, source_count, event_id, article_id, url, title, published.

``to_acled`` (``acled.py``)
    ACLED's columns only, in ACLED's order (``ACLED_COLUMNS``). ACLED records only events that
    happened: the CLI and API export ``modality = asserted`` in this format unless asked for
    every modality.

``to_ucdp`` (``ucdp.py``)
    UCDP GED's columns (type_of_violence, side_a/b, where_prec, date_prec, best/low/high, ...)
    for events of organised violence; other events are left out.

``frame.write_parquet``/``frame.to_pandas`` (``frame.py``)
    The CSV's columns, typed, as Parquet or a pandas DataFrame (needs pyarrow and pandas).

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
from collections.abc import Callable, Iterable
from typing import IO, Any

from ..errors import Errors, FlashpointError
from ..types import Extraction
from .acled import COLUMNS as CSV_COLUMNS
from .acled import iter_acled, iter_csv, to_acled, to_csv
from .geojson import iter_geojson, to_geojson
from .plover import iter_plover, to_plover
from .stream import Pieces, batched, drain
from .ucdp import iter_ucdp, to_ucdp

FORMATS = ("json", "csv", "acled", "ucdp", "geojson", "plover")
"""Text formats ``pieces``, ``write`` and ``export`` produce (``frame`` writes Parquet)."""
ASSERTED_ONLY = frozenset({"acled", "ucdp"})
"""Formats of datasets that record only events that happened (``modality = asserted``)."""


def to_json(events: Iterable[dict[str, Any]], *, indent: int | None = 2) -> str:
    """``{"events": [...]}`` with every event as given."""
    return json.dumps({"events": list(events)}, ensure_ascii=False, allow_nan=False, indent=indent)


def iter_json(events: Iterable[dict[str, Any]]) -> Pieces:
    """``{"events": [...]}`` event by event, one event per line; returns the events."""
    yield '{"events": ['
    written = 0
    for ev in events:
        yield ("\n" if not written else ",\n") + json.dumps(
            ev, ensure_ascii=False, allow_nan=False
        )
        written += 1
    yield "\n]}\n"
    return written


def event_records(extractions: Iterable[Extraction]) -> list[dict[str, Any]]:
    """Contract event dicts with their ``article`` metadata, ready for any exporter.

    Events carry ``article`` in the shape ``Store.query_events`` gives it, so exporting fresh
    extractions and exporting them from the store agree (the store adds ``cluster_id``,
    ``source_count`` and the article's ``added_at``).
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


def pieces(
    events: Iterable[dict[str, Any]], fmt: str, *, spreadsheet_safe: bool = True
) -> Pieces:
    """The export of ``events`` in ``fmt`` (one of ``FORMATS``, any case) as text pieces; the
    generator returns the records written (GeoJSON leaves out events without a point, UCDP
    events that are not organised violence). ``spreadsheet_safe``: see ``acled.iter_rows``."""
    name = fmt.lower()
    csv_like: dict[str, Callable[..., Pieces]] = {
        "csv": iter_csv, "acled": iter_acled, "ucdp": iter_ucdp
    }
    plain: dict[str, Callable[[Iterable[dict[str, Any]]], Pieces]] = {
        "json": iter_json, "geojson": iter_geojson, "plover": iter_plover
    }
    if name in csv_like:
        return csv_like[name](events, spreadsheet_safe=spreadsheet_safe)
    if name in plain:
        return plain[name](events)
    raise FlashpointError(Errors.E071.format(fmt=fmt, choices=", ".join(FORMATS)))


def write(
    events: Iterable[dict[str, Any]], fmt: str, out: IO[str], *, spreadsheet_safe: bool = True
) -> int:
    """Write ``events`` to ``out`` in ``fmt`` as they come; return the records written."""
    return drain(pieces(events, fmt, spreadsheet_safe=spreadsheet_safe), out)


def export(events: Iterable[dict[str, Any]], fmt: str) -> str:
    """The whole document in ``fmt`` as a string (for CLI and API ``--format`` options)."""
    parts = pieces(events, fmt)  # refuses an unknown format first
    if fmt.lower() == "json":
        parts.close()
        return to_json(events)
    return "".join(parts)


__all__ = [
    "ASSERTED_ONLY",
    "CSV_COLUMNS",
    "FORMATS",
    "batched",
    "event_records",
    "export",
    "pieces",
    "to_acled",
    "to_csv",
    "to_geojson",
    "to_json",
    "to_plover",
    "to_ucdp",
    "write",
]
