"""The typed data passed between pipeline stages.

Each stage takes one of these and returns the next: ``Document`` (raw bytes or text as read) →
``Article`` (clean text plus metadata; every span in the system indexes into ``Article.text``) →
``Event`` (with resolved ``Actor``, ``DateInfo``, ``Location``, ``Casualties``, ``Attribution``).
Plain dataclasses, so they pickle cheaply to worker processes and serialise to the JSON contract
(``shared/contract/event-json.md``) through ``to_dict``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Span = tuple[int, int]
"""``[start, end)`` character offsets into ``Article.text``."""

EventType = Literal[
    "ASSAULT", "COERCE", "THREATEN", "REQUEST", "ACCUSE", "PROTEST", "MOBILIZE", "SANCTION",
    "REJECT", "CONSULT", "AGREE", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
]
Modality = Literal["asserted", "negated", "future", "hypothetical", "threat", "denied"]
ActorRole = Literal["source", "target", "claimant"]
ActorKind = Literal[
    "state", "military", "government", "police", "militia", "rebel", "terrorist", "party",
    "igo", "ngo", "civilians", "person", "media", "other",
]
DatePrecision = Literal["day", "week", "month", "year", "range", "unknown"]
PlacePrecision = Literal["site", "city", "admin2", "admin1", "region", "country", "sea"]
AttributionKind = Literal["statement", "claim", "report", "unattributed"]
Relation = Literal["response_to", "part_of", "same_as"]


@dataclass(slots=True)
class Document:
    """One input item before cleaning: what was read, and where from."""

    source: str
    content: bytes | str
    content_type: Literal["html", "text"] = "text"
    id: str | None = None
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    language: str | None = None


@dataclass(slots=True)
class Article:
    """Clean article text with its metadata. All spans index into ``text``."""

    id: str
    text: str
    source: str = ""
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    language: str | None = None
    # Where the headline sits in ``text``, if the cleaner kept it there.
    title_span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "text_chars": len(self.text),
        }


@dataclass(slots=True)
class Actor:
    role: ActorRole
    text: str
    name: str
    country: str | None
    kind: ActorKind
    span: Span
    # Extra, contract-compatible: who backs the actor ("Iranian-backed" → IRN), registry id.
    sponsor: str | None = None
    actor_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "text": self.text,
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "span": list(self.span),
            "sponsor": self.sponsor,
            "actor_id": self.actor_id,
        }


@dataclass(slots=True)
class DateInfo:
    start: dt.date | None
    end: dt.date | None
    precision: DatePrecision
    time: str | None = None
    text: str | None = None
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "precision": self.precision,
            "time": self.time,
            "text": self.text,
            "span": list(self.span) if self.span else None,
        }


# The ``feature`` of a location that stands in for a name the gazetteer lacks (the place it is
# in, or the area the article's places share), and of one built on a landmark's namesake.
STAND_IN = "context"
LANDMARK = "landmark"


@dataclass(slots=True)
class Location:
    text: str
    name: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None
    precision: PlacePrecision
    geonameid: int | None = None
    span: Span | None = None
    score: float = 1.0
    feature: str | None = None  # gazetteer feature class, e.g. "city", "airbase", "sea"

    @property
    def stand_in(self) -> bool:
        """Placed by context, not by its own name: weak evidence for anything built on it."""
        return self.feature == STAND_IN

    @property
    def basis(self) -> str:
        """How the place was found: ``name``, ``landmark`` or ``context``."""
        return self.feature if self.feature in (LANDMARK, STAND_IN) else "name"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "name": self.name,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "country": self.country,
            "admin1": self.admin1,
            "precision": self.precision,
            "geonameid": self.geonameid,
            "span": list(self.span) if self.span else None,
            "score": round(self.score, 3),
            "basis": self.basis,
        }


@dataclass(slots=True)
class Count:
    """A reported figure as a range: "nearly 25,500" → low None, best 25500, high 25500."""

    low: int | None
    best: int | None
    high: int | None

    def to_dict(self) -> dict[str, int | None]:
        return {"low": self.low, "best": self.best, "high": self.high}


@dataclass(slots=True)
class Casualties:
    killed: Count | None = None
    injured: Count | None = None
    text: str | None = None
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "killed": self.killed.to_dict() if self.killed else None,
            "injured": self.injured.to_dict() if self.injured else None,
            "text": self.text,
            "span": list(self.span) if self.span else None,
        }


@dataclass(slots=True)
class Attribution:
    kind: AttributionKind
    text: str | None = None
    name: str | None = None
    span: Span | None = None
    country: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "name": self.name,
            "span": list(self.span) if self.span else None,
            "country": self.country,
        }


@dataclass(slots=True)
class Related:
    event_id: str
    relation: Relation

    def to_dict(self) -> dict[str, str]:
        return {"event_id": self.event_id, "relation": self.relation}


@dataclass(slots=True)
class Evidence:
    article_id: str
    start: int
    end: int
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
        }


@dataclass(slots=True)
class Quote:
    """Direct speech with its speaker, both located in the clean text."""

    text: str
    span: Span
    speaker: str | None
    speaker_name: str | None
    speaker_span: Span | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "span": list(self.span),
            "speaker": self.speaker,
            "speaker_name": self.speaker_name,
            "speaker_span": list(self.speaker_span) if self.speaker_span else None,
        }


@dataclass(slots=True)
class Event:
    id: str
    type: EventType
    mode: str | None
    modality: Modality
    actors: list[Actor] = field(default_factory=list)
    date: DateInfo | None = None
    location: Location | None = None
    casualties: Casualties = field(default_factory=Casualties)
    attribution: Attribution = field(default_factory=lambda: Attribution("unattributed"))
    related: list[Related] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 0.5
    # Extra, contract-compatible fields.
    trigger: str = ""
    trigger_span: Span | None = None
    instruments: list[str] = field(default_factory=list)
    intercepted: bool | None = None
    damage: str | None = None

    def actors_in(self, role: ActorRole) -> list[Actor]:
        return [a for a in self.actors if a.role == role]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "mode": self.mode,
            "modality": self.modality,
            "actors": [a.to_dict() for a in self.actors],
            "date": self.date.to_dict() if self.date else _UNKNOWN_DATE,
            "location": self.location.to_dict() if self.location else None,
            "casualties": self.casualties.to_dict(),
            "attribution": self.attribution.to_dict(),
            "related": [r.to_dict() for r in self.related],
            "evidence": [e.to_dict() for e in self.evidence],
            "confidence": round(self.confidence, 3),
            "trigger": self.trigger,
            "trigger_span": list(self.trigger_span) if self.trigger_span else None,
            "instruments": list(self.instruments),
            "intercepted": self.intercepted,
            "damage": self.damage,
        }


_UNKNOWN_DATE: dict[str, Any] = {
    "start": None, "end": None, "precision": "unknown", "time": None, "text": None, "span": None,
}


@dataclass(slots=True)
class Extraction:
    """What the pipeline returns for one article: the contract's top-level object."""

    article: Article
    events: list[Event]
    quotes: list[Quote] = field(default_factory=list)

    def to_dict(self, quotes: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "article": self.article.to_dict(),
            "events": [e.to_dict() for e in self.events],
        }
        if quotes:
            out["quotes"] = [q.to_dict() for q in self.quotes]
        return out
