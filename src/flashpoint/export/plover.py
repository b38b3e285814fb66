"""JSON Lines in PLOVER/POLECAT conventions: one event record per line.

Field names follow the PLOVER interchange specification where it names a field (``id``, ``mode``,
``context``, ``quad_code``, ``event_text``, ``cite_info``, actor objects with ``code``/``sector``/
``actor_text``/``identifier_id``) and POLECAT's column names, snake-cased, where it is more
specific (``event_type``, ``event_date``, ``actor``/``recipient``, ``geolocation`` with
``placename``, ``province``, ``geonames_id``, ``raw_placename``, ``feature_type``). Event types
are already PLOVER's (POLECAT's REQUEST included), so they pass through unchanged.

- ``context``: grammatical context from the modality: future → ``future``, threat → ``future``
  (a threatened act lies ahead), hypothetical → ``hypothetical``, negated → ``negation``.
  ``modality`` itself is kept beside it.
- ``quad_code``: PLOVER's quad categories, 1 verbal cooperation, 2 material cooperation,
  3 verbal conflict, 4 material conflict.
- Actor ``code``: ISO 3166 alpha-3 country, or IGO/NGO for those kinds; ``sector`` from the actor
  kind (``actor_kinds.tsv``: MIL, GOV, COP, PRM, REB, PTY, CVL, JRN).
- ``dead``/``injured``: PLOVER's ASSAULT supplementary fields, the best estimates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .. import __version__
from . import fields, tables
from .stream import Pieces

QUAD_CODES = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}
CONTEXTS = {
    "future": "future",
    "threat": "future",
    "hypothetical": "hypothetical",
    "negated": "negation",
}


def _actor(actor: dict[str, Any]) -> dict[str, Any]:
    codes = tables.kind_codes(actor.get("kind"))
    return {
        "code": codes.plover_code or actor.get("country"),
        "sector": codes.plover_sector or None,
        "name": actor.get("name"),
        "country": actor.get("country"),
        "kind": actor.get("kind"),
        "actor_text": actor.get("text"),
        "identifier_id": actor.get("actor_id"),
        "sponsor": actor.get("sponsor"),
    }


def _geolocation(ev: dict[str, Any]) -> dict[str, Any] | None:
    loc = fields.location(ev)
    if not loc:
        return None
    point = fields.coordinates(ev)
    return {
        "placename": loc.get("name"),
        "province": loc.get("admin1"),
        "country": loc.get("country"),
        "latitude": point[1] if point else None,
        "longitude": point[0] if point else None,
        "geonames_id": loc.get("geonameid"),
        "raw_placename": loc.get("text"),
        "feature_type": loc.get("precision"),
    }


def record(ev: dict[str, Any]) -> dict[str, Any]:
    """The PLOVER/POLECAT record for one event dict."""
    date, art = fields.date(ev), fields.article(ev)
    context = CONTEXTS.get(ev.get("modality") or "")
    return {
        "id": ev.get("id"),
        "event_date": date.get("start"),
        "end_date": date.get("end"),
        "time": date.get("time"),
        "date_precision": date.get("precision"),
        "event_type": ev.get("type"),
        "mode": ev.get("mode"),
        "context": [context] if context else [],
        "modality": ev.get("modality"),
        "quad_code": QUAD_CODES.get(ev.get("type") or ""),
        "actor": [_actor(a) for a in fields.actors(ev, "source")],
        "recipient": [_actor(a) for a in fields.actors(ev, "target")],
        "claimant": [_actor(a) for a in fields.actors(ev, "claimant")],
        "geolocation": _geolocation(ev),
        "dead": fields.count(ev, "killed", "best"),
        "injured": fields.count(ev, "injured", "best"),
        "event_text": fields.sentences(ev),
        "confidence": ev.get("confidence"),
        "cite_info": {
            "citation": art.get("id"),
            "url": art.get("url"),
            "title": art.get("title"),
            "publication": art.get("publisher"),
            "publication_date": art.get("published"),
            "language": art.get("language"),
        },
        "coder": f"flashpoint {__version__}",
    }


def iter_plover(events: Iterable[dict[str, Any]]) -> Pieces:
    """One compact JSON object per line, each line ending in ``\\n``; returns the lines."""
    written = 0
    for ev in events:
        yield json.dumps(record(ev), ensure_ascii=False, allow_nan=False) + "\n"
        written += 1
    return written


def to_plover(events: Iterable[dict[str, Any]]) -> str:
    return "".join(iter_plover(events))
