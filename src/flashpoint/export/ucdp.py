"""CSV in UCDP GED's layout: one row per event of organised violence, with GED's codes.

Column names and codes follow the UCDP Georeferenced Event Dataset codebook:

- type_of_violence: 1 state-based conflict, 2 non-state conflict, 3 one-sided violence. The
  ``ucdp`` column of ``acled_event_types.tsv`` says which the row's type and mode are:
  ``onesided`` → 3; ``state|nonstate`` → 1 when a state's forces (actor kind state, military,
  police or government) are on either side, else 2; empty → not organised violence, no row.
- side_a/side_b: GED puts the government on side A of state-based conflict and the perpetrator
  on side A of one-sided violence, with ``Civilians`` on side B. Here side A is the acting side
  (sources, else claimants) unless only the targets include state forces in a state-based row,
  in which case the sides swap. A state's forces read ``Government of <country>``.
- where_prec (1-7): 1 the exact place (site, city); 3 a second-order division (admin2); 4 a
  first-order division (admin1); 5 a part of a country larger than a province (region); 6 the
  whole country; 7 water or international airspace (sea). (GED's 2, "within ca 25 km of a known
  point", is not produced: places are either named or not.)
- date_prec (1-5): 1 the exact day; 2 a span of 2-6 days; 3 a week; 4 a month, or a span of
  7-31 days; 5 a year, or a longer span.
- best/low/high: reported deaths (``casualties.killed``); a figure not reported takes the best
  one (``best`` itself, the lowest reported figure when only a range bound is known), as GED
  fills all three. Empty when no death figure was reported (GED itself only holds events with
  at least one death: filter ``best >= 1`` for a GED-comparable file).
- deaths_civilians: the deaths when every target is civilian (one-sided violence against
  civilians), else empty (unknown).
- source_article/source_office/source_date/source_headline: the reporting article's URL (or
  id), publisher, publication date and title; number_of_sources: independent sources of the
  event's cluster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from . import fields, tables
from .acled import admin2, defuse
from .stream import CsvLines, Pieces

COLUMNS = (
    "id",
    "year",
    "type_of_violence",
    "side_a",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "country",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_civilians",
    "best",
    "high",
    "low",
    # Flashpoint's own, beside GED's
    "iso3",
    "plover_type",
    "plover_mode",
    "modality",
    "article_id",
)

STATE_KINDS = frozenset({"state", "military", "police", "government"})
WHERE_PREC = {
    "site": 1,
    "city": 1,
    "admin2": 3,
    "admin1": 4,
    "region": 5,
    "country": 6,
    "sea": 7,
}


def type_of_violence(ev: dict[str, Any]) -> int | None:
    """1 state-based, 2 non-state, 3 one-sided; None when UCDP would not count the event."""
    targets = fields.actors(ev, "target")
    rule = tables.acled_type(ev.get("type") or "", ev.get("mode"), fields.kinds(targets))
    if rule.ucdp == "onesided":
        return 3
    if rule.ucdp == "state|nonstate":
        return 1 if fields.kinds(ev.get("actors") or []) & STATE_KINDS else 2
    return None


def date_prec(date: dict[str, Any]) -> int | None:
    precision = date.get("precision")
    if precision == "day":
        return 1
    if precision == "week":
        return 3
    if precision == "month":
        return 4
    if precision == "year":
        return 5
    try:
        start = dt.date.fromisoformat(date["start"])
        end = dt.date.fromisoformat(date.get("end") or date["start"])
    except (KeyError, TypeError, ValueError):
        return None
    days = (end - start).days + 1
    if days <= 1:
        return 1
    if days <= 6:
        return 2
    return 4 if days <= 31 else 5


def _name(actor: dict[str, Any]) -> str:
    if actor.get("kind") in STATE_KINDS:
        country = tables.country_name(actor.get("country"))
        if country:
            return f"Government of {country}"
    if actor.get("kind") == "civilians":
        return "Civilians"
    return str(actor.get("name") or actor.get("text") or "")


def _side(group: list[dict[str, Any]]) -> str:
    """GED joins allied parties on one side with commas; ours are distinct names in order."""
    return ", ".join(dict.fromkeys(n for n in (_name(a) for a in group) if n))


def sides(ev: dict[str, Any], violence: int) -> tuple[str, str]:
    acting = fields.actors(ev, "source") or fields.actors(ev, "claimant")
    targets = fields.actors(ev, "target")
    if violence == 3:
        return _side(acting), "Civilians"
    if violence == 1 and not fields.kinds(acting) & STATE_KINDS:
        acting, targets = targets, acting  # GED: the government is side A
    return _side(acting), _side(targets)


def _deaths(ev: dict[str, Any]) -> tuple[int | None, int | None, int | None]:
    low = fields.count(ev, "killed", "low")
    best = fields.count(ev, "killed", "best")
    high = fields.count(ev, "killed", "high")
    reported = [v for v in (low, best, high) if v is not None]
    if not reported:
        return None, None, None
    best = best if best is not None else min(reported)
    return best, (high if high is not None else best), (low if low is not None else best)


def row(ev: dict[str, Any]) -> dict[str, Any] | None:
    """The GED-style row of an event, or None when it is not organised violence."""
    violence = type_of_violence(ev)
    if violence is None:
        return None
    date, loc, art = fields.date(ev), fields.location(ev), fields.article(ev)
    side_a, side_b = sides(ev, violence)
    best, high, low = _deaths(ev)
    targets = fields.actors(ev, "target")
    civilian_only = bool(targets) and fields.kinds(targets) == {"civilians"}
    point = fields.coordinates(ev)
    iso3 = loc.get("country")
    start = date.get("start")
    return {
        "id": ev.get("id"),
        "year": start[:4] if start else None,
        "type_of_violence": violence,
        "side_a": side_a,
        "side_b": side_b,
        "number_of_sources": ev.get("source_count"),
        "source_article": art.get("url") or art.get("id"),
        "source_office": art.get("publisher"),
        "source_date": art.get("published"),
        "source_headline": art.get("title"),
        "where_prec": WHERE_PREC.get(loc.get("precision") or ""),
        "where_coordinates": loc.get("name"),
        "where_description": loc.get("text"),
        "adm_1": loc.get("admin1"),
        "adm_2": admin2(loc),
        "latitude": point[1] if point else None,
        "longitude": point[0] if point else None,
        "geom_wkt": f"POINT ({point[0]} {point[1]})" if point else None,
        "country": tables.country_name(iso3),
        "date_prec": date_prec(date),
        "date_start": start,
        "date_end": date.get("end") or start,
        "deaths_civilians": best if civilian_only and violence == 3 else None,
        "best": best,
        "high": high,
        "low": low,
        "iso3": iso3,
        "plover_type": ev.get("type"),
        "plover_mode": ev.get("mode"),
        "modality": ev.get("modality"),
        "article_id": art.get("id"),
    }


def iter_ucdp(events: Iterable[dict[str, Any]], *, spreadsheet_safe: bool = True) -> Pieces:
    """The header, then a line per event of organised violence (others are skipped); returns
    the rows. ``spreadsheet_safe``: as ``acled.iter_rows``."""
    lines = CsvLines(COLUMNS)
    yield lines.header()
    written = 0
    for ev in events:
        values = row(ev)
        if values is None:
            continue
        if spreadsheet_safe:
            values = {k: defuse(v) for k, v in values.items()}
        yield lines.row(values)
        written += 1
    return written


def to_ucdp(events: Iterable[dict[str, Any]], *, spreadsheet_safe: bool = True) -> str:
    return "".join(iter_ucdp(events, spreadsheet_safe=spreadsheet_safe))
