"""CSV in ACLED's column layout, with UCDP GED-style death ranges and the PLOVER fields beside.

One row per event. Mapping choices (also in ``flashpoint/data/export/README.md``):

- event_type/sub_event_type/disorder_type: ``acled_event_types.tsv`` by PLOVER type + mode (+
  civilian target). event_date: the first day of the event's date span; time_precision 1 for a
  day, 2 for a week or a range of at most 7 days, 3 for longer ranges, months and years.
- actor1/assoc_actor_1: the first source actor (claimant when there is no source) and the other
  sources; actor2/assoc_actor_2 the same over targets. Protests name ``Protesters (Country)`` (or
  ``Rioters``) as actor1 with the organisers as associates; civilian actors read ``Civilians
  (Country)``. inter1/inter2: ``actor_kinds.tsv``, ACLED's text labels; interaction ``A-B`` with
  the lower ACLED actor-type code first (``State forces-Civilians``), or ``A only``.
- region: ``acled_regions.tsv``; admin2 from the gazetteer entry of the place (or the place
  itself when it is a second-level division); admin3 is not resolved and stays empty.
- geo_precision: 1 site or city, 2 admin2 or region, 3 admin1, country or sea.
- fatalities: ACLED takes the most conservative estimate: the low figure when a range was
  reported, else the best one; 0 when none reported (ACLED's convention). deaths_low/best/high
  keep the reported range and stay empty when unknown.
- tags: ``crowd size=no report`` on Protests and Riots (ACLED tags every demonstration with its
  crowd size; an article's size is not extracted). timestamp: when the article was stored (Unix
  seconds), as ACLED's column records when a row was last written.

``ACLED_COLUMNS`` alone (``to_acled``) is the ACLED file; ``COLUMNS`` (``to_csv``) adds the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import IO, Any
from urllib.parse import urlsplit

from . import fields, tables
from .stream import CsvLines, Pieces, drain

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
UCDP_COLUMNS = ("deaths_low", "deaths_best", "deaths_high")
EXTRA_COLUMNS = (
    "injuries_low",
    "injuries_best",
    "injuries_high",
    "plover_type",
    "plover_mode",
    "modality",
    "date_start",
    "date_end",
    "date_precision",
    "time",
    "location_precision",
    "geonameid",
    "iso3",
    "actor1_country",
    "actor1_kind",
    "actor2_country",
    "actor2_kind",
    "attribution_kind",
    "attribution_name",
    "confidence",
    "source_count",
    "event_id",
    "article_id",
    "url",
    "title",
    "published",
)
COLUMNS = ACLED_COLUMNS + UCDP_COLUMNS + EXTRA_COLUMNS

_GEO_PRECISION = {
    "site": 1,
    "city": 1,
    "admin2": 2,
    "region": 2,
    "admin1": 3,
    "country": 3,
    "sea": 3,
}
# Cells starting with these are run as formulas by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ACLED's actor-type codes (the 1-8 its interaction codes combine, lower first), by text label
INTER_CODES = {
    "State forces": 1,
    "Rebel group": 2,
    "Political militia": 3,
    "Identity militia": 4,
    "Rioters": 5,
    "Protesters": 6,
    "Civilians": 7,
    "External/Other forces": 8,
}
# Demonstrations a row's event type makes: ACLED's first actor is named for the crowd
_CROWDS = {"Protests": "Protesters", "Riots": "Rioters"}


def time_precision(date: dict[str, Any]) -> int | None:
    precision = date.get("precision")
    if precision == "day":
        return 1
    if precision == "week":
        return 2
    if precision in ("month", "year"):
        return 3
    if precision != "range":
        return None
    try:
        days = (dt.date.fromisoformat(date["end"]) - dt.date.fromisoformat(date["start"])).days
    except (KeyError, TypeError, ValueError):
        return 3  # a range whose bounds are not both known
    return 2 if days <= 6 else 3


def _source(article: dict[str, Any]) -> str:
    if article.get("publisher"):
        return str(article["publisher"])
    if article.get("url"):
        return urlsplit(str(article["url"])).hostname or ""
    return str(article.get("source") or "")


def _side(group: list[dict[str, Any]], country: str) -> tuple[str, str, str, dict[str, Any]]:
    """(actor, assoc_actor, inter, first actor) for one side of the event."""
    if not group:
        return "", "", "", {}
    first = group[0]
    name = first.get("name") or first.get("text") or ""
    associates = group[1:]
    if first.get("kind") == "civilians":
        where = tables.country_name(first.get("country")) or country
        label = f"Civilians ({where})" if where else "Civilians"
        if name.lower() != "civilians":
            associates = group
        name = label
    return name, fields.names(associates), tables.kind_codes(first.get("kind")).acled_inter, first


def interaction(inter1: str, inter2: str) -> str:
    """ACLED's interaction label: the two actor types, lower code first, or ``X only``.

    ACLED spells the civilians/external pair ``External/Other forces-Civilians`` although
    Civilians has the lower code (7 < 8); its label is kept as published.
    """
    if not inter1:
        return ""  # ACLED always has an actor1; without one there is no interaction to name
    if not inter2:
        return f"{inter1} only"
    pair = sorted((inter1, inter2), key=lambda label: INTER_CODES.get(label, 9))
    if pair == ["Civilians", "External/Other forces"]:
        pair.reverse()
    return "-".join(pair)


def fatalities(ev: dict[str, Any]) -> int:
    """ACLED's fatalities: the most conservative reported figure, 0 when none was reported."""
    low, best = fields.count(ev, "killed", "low"), fields.count(ev, "killed", "best")
    if low is not None:
        return low
    return best if best is not None else 0


@cache
def _gazetteer_admin2(geonameid: int) -> str:
    from ..resolve.places.gazetteer import Gazetteer

    place = Gazetteer.default().by_geonameid(geonameid)
    return (place.admin2 or "") if place is not None else ""


def admin2(loc: dict[str, Any]) -> str:
    """The second-level division of a place, where the gazetteer records it."""
    if loc.get("precision") == "admin2":
        return str(loc.get("name") or "")
    geonameid = loc.get("geonameid")
    if isinstance(geonameid, int) and loc.get("precision") in ("site", "city"):
        return _gazetteer_admin2(geonameid)
    return ""


def timestamp(art: dict[str, Any]) -> int | None:
    """When the article was stored, as Unix seconds (None for events not read from a store)."""
    added = art.get("added_at")
    if not added:
        return None
    try:
        when = dt.datetime.fromisoformat(str(added))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp())


def row(ev: dict[str, Any]) -> dict[str, Any]:
    """One CSV row (column name → value) for an event dict."""
    date, loc, art = fields.date(ev), fields.location(ev), fields.article(ev)
    iso3 = loc.get("country")
    country = tables.country_name(iso3)
    sources = fields.actors(ev, "source") or fields.actors(ev, "claimant")
    targets = fields.actors(ev, "target")
    plover_type, mode = ev.get("type") or "", ev.get("mode")
    target_kinds = fields.kinds(targets)
    acled = tables.acled_type(plover_type, mode, target_kinds)
    actor1, assoc1, inter1, first1 = _side(sources, country)
    crowd = _CROWDS.get(acled.event_type)
    if crowd is not None:
        where = country or tables.country_name(first1.get("country"))
        actor1 = f"{crowd} ({where})" if where else crowd
        assoc1, inter1 = fields.names(sources), crowd
    actor2, assoc2, inter2, first2 = _side(targets, country)
    civilian = plover_type == "ASSAULT" and "civilians" in target_kinds
    point = fields.coordinates(ev)
    start = date.get("start")
    killed = fields.count(ev, "killed", "best")
    return {
        "event_id_cnty": f"{iso3}-{ev.get('id')}" if iso3 else ev.get("id"),
        "event_date": start,
        "year": start[:4] if start else None,
        "time_precision": time_precision(date),
        "disorder_type": acled.disorder_type,
        "event_type": acled.event_type,
        "sub_event_type": acled.sub_event_type,
        "actor1": actor1,
        "assoc_actor_1": assoc1,
        "inter1": inter1,
        "actor2": actor2,
        "assoc_actor_2": assoc2,
        "inter2": inter2,
        "interaction": interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if civilian else "",
        "iso": tables.country_numeric(iso3),
        "region": tables.acled_region(iso3),
        "country": country,
        "admin1": loc.get("admin1"),
        "admin2": admin2(loc),
        "admin3": "",
        "location": loc.get("name"),
        "latitude": point[1] if point else None,
        "longitude": point[0] if point else None,
        "geo_precision": _GEO_PRECISION.get(loc.get("precision") or ""),
        "source": _source(art),
        "source_scale": "",
        "notes": " ".join(fields.sentences(ev)),
        "fatalities": fatalities(ev),
        "tags": "crowd size=no report" if crowd is not None else "",
        "timestamp": timestamp(art),
        "deaths_low": fields.count(ev, "killed", "low"),
        "deaths_best": killed,
        "deaths_high": fields.count(ev, "killed", "high"),
        "injuries_low": fields.count(ev, "injured", "low"),
        "injuries_best": fields.count(ev, "injured", "best"),
        "injuries_high": fields.count(ev, "injured", "high"),
        "plover_type": plover_type,
        "plover_mode": mode,
        "modality": ev.get("modality"),
        "date_start": start,
        "date_end": date.get("end"),
        "date_precision": date.get("precision"),
        "time": date.get("time"),
        "location_precision": loc.get("precision"),
        "geonameid": loc.get("geonameid"),
        "iso3": iso3,
        "actor1_country": first1.get("country"),
        "actor1_kind": first1.get("kind"),
        "actor2_country": first2.get("country"),
        "actor2_kind": first2.get("kind"),
        "attribution_kind": (ev.get("attribution") or {}).get("kind"),
        "attribution_name": (ev.get("attribution") or {}).get("name"),
        "confidence": ev.get("confidence"),
        "source_count": ev.get("source_count"),
        "event_id": ev.get("id"),
        "article_id": art.get("id"),
        "url": art.get("url"),
        "title": art.get("title"),
        "published": art.get("published"),
    }


def defuse(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text: a cell it would run as a formula gets a
    leading ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def iter_rows(
    events: Iterable[dict[str, Any]], columns: tuple[str, ...], *, spreadsheet_safe: bool = True
) -> Pieces:
    """The header, then one CSV line per event (only ``columns``); returns the rows.

    ``spreadsheet_safe`` (the default) prefixes with ``'`` each text cell that a spreadsheet
    would run as a formula: titles and evidence sentences are untrusted text, and a cell such
    as ``=HYPERLINK(...)`` runs when the file is opened. Turn it off for programs that read
    the CSV as data and want the text byte for byte.
    """
    lines = CsvLines(columns)
    yield lines.header()
    written = 0
    for ev in events:
        values = row(ev)
        if spreadsheet_safe:
            values = {k: defuse(v) for k, v in values.items()}
        yield lines.row(values)
        written += 1
    return written


def iter_csv(events: Iterable[dict[str, Any]], *, spreadsheet_safe: bool = True) -> Pieces:
    """Every column (``COLUMNS``): ACLED's, UCDP-style death ranges, then Flashpoint's."""
    return iter_rows(events, COLUMNS, spreadsheet_safe=spreadsheet_safe)


def iter_acled(events: Iterable[dict[str, Any]], *, spreadsheet_safe: bool = True) -> Pieces:
    """ACLED's columns only (``ACLED_COLUMNS``), in ACLED's order."""
    return iter_rows(events, ACLED_COLUMNS, spreadsheet_safe=spreadsheet_safe)


def write_csv(
    events: Iterable[dict[str, Any]], out: IO[str], *, spreadsheet_safe: bool = True
) -> int:
    return drain(iter_csv(events, spreadsheet_safe=spreadsheet_safe), out)


def to_csv(events: Iterable[dict[str, Any]], *, spreadsheet_safe: bool = True) -> str:
    """Events as CSV text (header + one row per event, ``\\n`` line ends); see ``iter_rows``."""
    return "".join(iter_csv(events, spreadsheet_safe=spreadsheet_safe))


def to_acled(events: Iterable[dict[str, Any]], *, spreadsheet_safe: bool = True) -> str:
    return "".join(iter_acled(events, spreadsheet_safe=spreadsheet_safe))
