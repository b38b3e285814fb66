"""Fused canonical events: what every report of one real-world event says, combined.

A ``ClusterState`` is an order-independent summary of its member mentions (one ``Mention`` per
stored event) that can grow one mention at a time, so linking a new article never re-reads the
cluster's old members, and that serialises to JSON for the ``clusters`` table. ``canonical``
renders it in the event contract's shape: the most precise date and location, actors with how
many mentions name them, and casualty figures fused into low/best/high with every report kept
(who reported what), so a reader can see disagreement instead of one silently chosen number.

It lives in the store because it is the store's record of a cluster (``clusters.state_json``)
and what the store's canonical reads render; ``flashpoint.dedup`` builds and matches states and
imports it from here, so the dependency runs one way: dedup → store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

DATE_RANK = {"day": 0, "range": 1, "week": 2, "month": 3, "year": 4, "unknown": 9}
PLACE_RANK = {"site": 0, "city": 1, "admin2": 2, "admin1": 3, "region": 4, "sea": 5, "country": 6}
# Kept per cluster for text matching; enough to describe an event, bounded for huge clusters.
MAX_TERMS = 48

_LOCATION_FIELDS = ("name", "lat", "lon", "country", "admin1", "precision", "geonameid", "score")
_ACTOR_FIELDS = ("role", "name", "country", "kind", "sponsor", "actor_id")
_Item = dict[str, Any]
# A list of counted items in a state, the other state's list, and the key that identifies one.
_Keyed = tuple[list[_Item], list[_Item], Callable[[_Item], Any]]


@dataclass(slots=True)
class Mention:
    """One stored event as reported by one article: the unit that gets clustered."""

    event_id: str
    article_id: str
    doc: dict[str, Any]
    published: dt.date | None = None
    publisher: str | None = None
    url: str | None = None
    title: str | None = None
    # The article this one is a near-copy of (itself when original): counts as one source.
    root: str = ""
    terms: tuple[str, ...] = ()
    seq: int = 0  # position of the event in its article
    # The earliest day-precise date any event of the article has: how far back the article
    # reaches, which bounds when an undated event it reports can have happened.
    earliest: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.root:
            self.root = self.article_id


def _date_key(d: dict[str, Any]) -> tuple[str, str, str]:
    return (d.get("start") or "", d.get("end") or "", d.get("precision") or "unknown")


def _loc_key(loc: dict[str, Any]) -> tuple[str, str, float, float]:
    return (
        loc.get("name") or "",
        loc.get("precision") or "country",
        round(float(loc.get("lat") or 0.0), 3),
        round(float(loc.get("lon") or 0.0), 3),
    )


def _actor_key(actor: dict[str, Any]) -> tuple[Any, Any]:
    return (actor["role"], actor["name"])


def _attribution_key(attribution: dict[str, Any]) -> tuple[Any, Any]:
    return (attribution["kind"], attribution["name"])


def _count_dict(count: dict[str, Any] | None) -> dict[str, int | None] | None:
    if not count:
        return None
    out = {k: count.get(k) for k in ("low", "best", "high")}
    return out if any(v is not None for v in out.values()) else None


@dataclass(slots=True)
class ClusterState:
    """Everything needed to match against, fuse and display one cluster."""

    id: str
    type: str
    members: list[str] = field(default_factory=list)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    modalities: dict[str, int] = field(default_factory=dict)
    dates: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    casualty_reports: list[dict[str, Any]] = field(default_factory=list)
    attributions: list[dict[str, Any]] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)

    # -- building --------------------------------------------------------------------------

    @classmethod
    def seed(cls, mention: Mention, cluster_id: str | None = None) -> ClusterState:
        state = cls(id=cluster_id or mention.event_id, type=mention.doc["type"])
        state.add(mention)
        return state

    @classmethod
    def from_mentions(cls, cluster_id: str, mentions: Iterable[Mention]) -> ClusterState:
        items = list(mentions)
        if not items:
            raise ValueError("a cluster needs at least one mention")
        state = cls(id=cluster_id, type=items[0].doc["type"])
        for m in items:
            state.add(m)
        return state

    def add(self, m: Mention) -> None:
        """Fold one mention in; adding the same event twice is a no-op."""
        if m.event_id in self.members:
            return
        doc = m.doc
        self.members.append(m.event_id)
        self.articles.setdefault(m.article_id, {
            "publisher": m.publisher,
            "published": m.published.isoformat() if m.published else None,
            "url": m.url,
            "title": m.title,
            "root": m.root,
            "earliest": m.earliest.isoformat() if m.earliest else None,
        })
        if doc.get("mode"):
            self.modes[doc["mode"]] = self.modes.get(doc["mode"], 0) + 1
        modality = doc.get("modality") or "asserted"
        self.modalities[modality] = self.modalities.get(modality, 0) + 1
        date = doc.get("date") or {}
        if date.get("start"):
            self._bump(self.dates, lambda d: _date_key(d) == _date_key(date), {
                "start": date.get("start"),
                "end": date.get("end") or date.get("start"),
                "precision": date.get("precision") or "unknown",
                "time": date.get("time"),
                "text": date.get("text"),
            })
        loc = doc.get("location")
        if loc and loc.get("lat") is not None and loc.get("lon") is not None:
            self._bump(self.locations, lambda x: _loc_key(x) == _loc_key(loc), {
                k: loc.get(k)
                for k in _LOCATION_FIELDS
            })
        for actor in doc.get("actors") or []:
            key = (actor.get("role"), actor.get("name"))
            self._bump(self.actors, lambda a, key=key: _actor_key(a) == key, {
                k: actor.get(k) for k in _ACTOR_FIELDS
            })
        self._add_casualties(m)
        attribution = doc.get("attribution") or {}
        kind, name = attribution.get("kind") or "unattributed", attribution.get("name")
        self._bump(
            self.attributions,
            lambda a: _attribution_key(a) == (kind, name),
            {"kind": kind, "name": name},
        )
        conf = float(doc.get("confidence") or 0.5)
        self.confidence[m.article_id] = max(conf, self.confidence.get(m.article_id, 0.0))
        for term in m.terms:
            self.terms[term] = self.terms.get(term, 0) + 1
        if len(self.terms) > MAX_TERMS:
            kept = sorted(self.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
            self.terms = dict(kept)

    def absorb(self, other: ClusterState) -> None:
        """Fold a whole other cluster in (an automatic or manual merge of two clusters)."""
        for eid in other.members:
            if eid not in self.members:
                self.members.append(eid)
        for aid, meta in other.articles.items():
            self.articles.setdefault(aid, meta)
        for mine, theirs in ((self.modes, other.modes), (self.modalities, other.modalities),
                             (self.terms, other.terms)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        keyed: tuple[_Keyed, ...] = (
            (self.dates, other.dates, _date_key),
            (self.locations, other.locations, _loc_key),
            (self.actors, other.actors, _actor_key),
            (self.attributions, other.attributions, _attribution_key),
        )
        for items, extra, ident in keyed:
            index = {ident(item): item for item in items}
            for item in extra:
                found = index.get(ident(item))
                if found is None:
                    items.append(dict(item))
                else:
                    found["n"] += item["n"]
        seen = {r["event_id"] for r in self.casualty_reports}
        self.casualty_reports.extend(r for r in other.casualty_reports if r["event_id"] not in seen)
        for aid, conf in other.confidence.items():
            self.confidence[aid] = max(conf, self.confidence.get(aid, 0.0))
        if len(self.terms) > MAX_TERMS:
            kept = sorted(self.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
            self.terms = dict(kept)

    @staticmethod
    def _bump(items: list[dict[str, Any]], same: Any, value: dict[str, Any]) -> None:
        for item in items:
            if same(item):
                item["n"] += 1
                return
        items.append({**value, "n": 1})

    def _add_casualties(self, m: Mention) -> None:
        cas = m.doc.get("casualties") or {}
        killed, injured = _count_dict(cas.get("killed")), _count_dict(cas.get("injured"))
        if killed is None and injured is None:
            return
        attribution = (m.doc.get("attribution") or {}).get("name")
        self.casualty_reports.append({
            "event_id": m.event_id,
            "article_id": m.article_id,
            "root": m.root,
            "publisher": m.publisher,
            "published": m.published.isoformat() if m.published else None,
            "attributed_to": attribution,
            "killed": killed,
            "injured": injured,
            "text": cas.get("text"),
        })

    # -- fused fields ----------------------------------------------------------------------

    def best_date(self) -> dict[str, Any] | None:
        """Most precise date; among equally precise ones the most reported, then earliest."""
        if not self.dates:
            return None
        best = min(
            self.dates,
            key=lambda d: (DATE_RANK.get(d["precision"], 9), -d["n"], d["start"] or ""),
        )
        out = {k: best.get(k) for k in ("start", "end", "precision", "time", "text")}
        if out["time"] is None:
            out["time"] = next(
                (d["time"] for d in self.dates if d["start"] == best["start"] and d.get("time")),
                None,
            )
        return out

    def best_location(self) -> dict[str, Any] | None:
        """Most precise location; among equally precise ones the most reported, then surest."""
        if not self.locations:
            return None
        # A country-wide location in the country of one of the actors was most likely read
        # off that actor ("U.S. troops" → United States); prefer any other at equal precision.
        actor_countries = {
            c for a in self.actors for c in (a.get("country"), a.get("sponsor")) if c
        }
        best = min(
            self.locations,
            key=lambda x: (
                PLACE_RANK.get(x.get("precision") or "country", 9),
                x.get("precision") == "country" and x.get("country") in actor_countries,
                -x["n"],
                -(x.get("score") or 0.0),
                x.get("name") or "",
            ),
        )
        return {k: best.get(k) for k in _LOCATION_FIELDS}

    def mode(self) -> str | None:
        return _most_common(self.modes)

    def modality(self) -> str:
        return _most_common(self.modalities) or "asserted"

    def roots(self) -> set[str]:
        """Independent sources: articles with near-copies collapsed onto their original."""
        return {a["root"] or aid for aid, a in self.articles.items()}

    @property
    def source_count(self) -> int:
        return len(self.roots())

    def fused_counts(self, kind: str) -> dict[str, int | None] | None:
        """low/best/high across independent reports: min, lower median of bests, max."""
        per_root: dict[str, dict[str, int | None]] = {}
        for report in self.casualty_reports:
            count = report.get(kind)
            if count is None:
                continue
            prior = per_root.get(report["root"])
            if prior is None or (_value(count) or 0) > (_value(prior) or 0):
                per_root[report["root"]] = count
        if not per_root:
            return None
        bests = sorted(v for c in per_root.values() if (v := _value(c)) is not None)
        lows = [v for c in per_root.values() if (v := _bound(c, "low")) is not None]
        highs = [v for c in per_root.values() if (v := _bound(c, "high")) is not None]
        return {
            "low": min(lows) if lows else None,
            "best": bests[(len(bests) - 1) // 2] if bests else None,
            "high": max(highs) if highs else None,
        }

    def fused_confidence(self) -> float:
        """Noisy-OR over independent sources: each adds evidence, copies add none."""
        by_root: dict[str, float] = {}
        for aid, conf in self.confidence.items():
            root = self.articles.get(aid, {}).get("root") or aid
            by_root[root] = max(conf, by_root.get(root, 0.0))
        miss = 1.0
        for conf in by_root.values():
            miss *= 1.0 - min(max(conf, 0.0), 0.99)
        return round(min(0.99, 1.0 - miss), 3)

    def canonical(self) -> dict[str, Any]:
        """The fused event in the contract's field names, plus cluster bookkeeping."""
        actors = sorted(self.actors, key=lambda a: (-a["n"], a["role"], a["name"]))
        attributions = sorted(
            self.attributions, key=lambda a: (a["kind"] == "unattributed", -a["n"], a["name"] or "")
        )
        top = attributions[0] if attributions else {"kind": "unattributed", "name": None}
        return {
            "id": self.id,
            "cluster_id": self.id,
            "type": self.type,
            "mode": self.mode(),
            "modality": self.modality(),
            "actors": [
                {**{k: a.get(k) for k in _ACTOR_FIELDS}, "mentions": a["n"]}
                for a in actors
            ],
            "date": self.best_date() or {
                "start": None, "end": None, "precision": "unknown", "time": None, "text": None,
            },
            "location": self.best_location(),
            "casualties": {
                "killed": self.fused_counts("killed"),
                "injured": self.fused_counts("injured"),
                "reports": list(self.casualty_reports),
            },
            "attribution": {"kind": top["kind"], "name": top["name"]},
            "attributions": [
                {"kind": a["kind"], "name": a["name"], "mentions": a["n"]} for a in attributions
            ],
            "confidence": self.fused_confidence(),
            "mention_count": len(self.members),
            "article_count": len(self.articles),
            "source_count": self.source_count,
        }

    # -- persistence -----------------------------------------------------------------------

    def to_json(self) -> str:
        payload = {name: getattr(self, name) for name in self.__slots__}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> ClusterState:
        return cls(**json.loads(text))


def _value(count: dict[str, int | None]) -> int | None:
    best = count.get("best")
    if best is not None:
        return best
    return count.get("low") if count.get("low") is not None else count.get("high")


def _bound(count: dict[str, int | None], side: str) -> int | None:
    """A report's lower or upper figure, falling back to its best estimate."""
    value = count.get(side)
    return value if value is not None else _value(count)


def _most_common(counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
