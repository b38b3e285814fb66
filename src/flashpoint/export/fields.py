"""Read fields out of event dicts the same way for every export format.

Input events are contract dicts, optionally carrying ``article`` metadata (as the store returns
them, or as ``event_records`` builds them from extractions). Missing parts read as None so an
export never fails on a sparse event.
"""

from __future__ import annotations

import math
from typing import Any


def article(ev: dict[str, Any]) -> dict[str, Any]:
    """Article metadata; from the evidence's article id when the event carries none."""
    meta = ev.get("article")
    if isinstance(meta, dict):
        return meta
    evidence = ev.get("evidence") or []
    return {"id": evidence[0].get("article_id")} if evidence else {}


def actors(ev: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [a for a in ev.get("actors") or [] if a.get("role") == role]


def names(group: list[dict[str, Any]]) -> str:
    """Distinct canonical names in order, ``; ``-joined (ACLED's separator)."""
    seen: list[str] = []
    for a in group:
        name = a.get("name") or a.get("text")
        if name and name not in seen:
            seen.append(name)
    return "; ".join(seen)


def kinds(group: list[dict[str, Any]]) -> set[str]:
    return {a["kind"] for a in group if a.get("kind")}


def date(ev: dict[str, Any]) -> dict[str, Any]:
    return ev.get("date") or {}


def location(ev: dict[str, Any]) -> dict[str, Any]:
    return ev.get("location") or {}


def coordinates(ev: dict[str, Any]) -> tuple[float, float] | None:
    """``(lon, lat)`` when the event has a usable point, else None."""
    loc = location(ev)
    lat, lon = loc.get("lat"), loc.get("lon")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return None
    if isinstance(lat, bool) or isinstance(lon, bool):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (float(lon), float(lat))


def count(ev: dict[str, Any], what: str, key: str) -> int | None:
    """``casualties[what][key]``, e.g. ``count(ev, "killed", "best")``."""
    figures = (ev.get("casualties") or {}).get(what) or {}
    value = figures.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def sentences(ev: dict[str, Any]) -> list[str]:
    return [e["sentence"] for e in ev.get("evidence") or [] if e.get("sentence")]


def summary(ev: dict[str, Any]) -> dict[str, Any]:
    """A flat, scalar-only view of an event for tables and map popups."""
    d, loc, art = date(ev), location(ev), article(ev)
    attribution = ev.get("attribution") or {}
    return {
        "id": ev.get("id"),
        "type": ev.get("type"),
        "mode": ev.get("mode"),
        "modality": ev.get("modality"),
        "date_start": d.get("start"),
        "date_end": d.get("end"),
        "date_precision": d.get("precision"),
        "time": d.get("time"),
        "location": loc.get("name"),
        "country": loc.get("country"),
        "admin1": loc.get("admin1"),
        "location_precision": loc.get("precision"),
        "geonameid": loc.get("geonameid"),
        "sources": names(actors(ev, "source")),
        "targets": names(actors(ev, "target")),
        "claimants": names(actors(ev, "claimant")),
        "killed_low": count(ev, "killed", "low"),
        "killed": count(ev, "killed", "best"),
        "killed_high": count(ev, "killed", "high"),
        "injured_low": count(ev, "injured", "low"),
        "injured": count(ev, "injured", "best"),
        "injured_high": count(ev, "injured", "high"),
        "attribution": attribution.get("kind"),
        "attributed_to": attribution.get("name"),
        "confidence": ev.get("confidence"),
        "source_count": ev.get("source_count"),
        "evidence": " ".join(sentences(ev)),
        "article_id": art.get("id"),
        "url": art.get("url"),
        "title": art.get("title"),
        "publisher": art.get("publisher"),
        "published": art.get("published"),
    }
