"""One event with everything a reader needs to judge it: every report of it (mentions) with
the evidence sentences and the extracted spans marked in them, the source articles, and the
events it is linked to.
"""

from __future__ import annotations

from typing import Any

from ..store import Store
from ..store import web as web_queries
from .highlight import event_marks, in_sentence

_ARTICLE_FIELDS = ("id", "url", "title", "publisher", "published", "language")


class ArticleTexts:
    """Article texts loaded once per request, since several mentions may share an article."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[str, dict[str, Any] | None] = {}

    def get(self, article_id: str) -> dict[str, Any] | None:
        if article_id not in self._cache:
            self._cache[article_id] = self._store.get_article(article_id)
        return self._cache[article_id]

    def text(self, article_id: str) -> str | None:
        record = self.get(article_id)
        return str(record["text"]) if record else None


def summary(event: dict[str, Any]) -> dict[str, Any]:
    """A one-line view of an event for lists of related events."""
    date = event.get("date") or {}
    loc = event.get("location") or {}
    return {
        "id": event["id"],
        "type": event.get("type"),
        "mode": event.get("mode"),
        "modality": event.get("modality"),
        "date": date.get("start"),
        "place": loc.get("name"),
        "country": loc.get("country"),
        "source": [a["name"] for a in event.get("actors") or [] if a.get("role") == "source"],
        "target": [a["name"] for a in event.get("actors") or [] if a.get("role") == "target"],
        "article_id": (event.get("article") or {}).get("id"),
    }


def mention(event: dict[str, Any], texts: ArticleTexts) -> dict[str, Any]:
    """One report of the event: its article and evidence, spans marked in each sentence."""
    own = (event.get("article") or {}).get("id")
    marks = event_marks(event)
    evidence = []
    for ev in event.get("evidence") or []:
        article_id = ev.get("article_id") or own
        # Spans index the reporting article's text; evidence quoted from another article
        # (merged reports) gets no marks rather than misplaced ones.
        text = texts.text(article_id) if article_id and article_id == own else None
        placed = in_sentence(marks, ev["sentence"], ev["start"], text) if text else []
        evidence.append({**ev, "article_id": article_id, "marks": [m.to_dict() for m in placed]})
    return {
        "event_id": event["id"],
        "article": event.get("article"),
        "trigger": event.get("trigger"),
        "evidence": evidence,
    }


def event_detail(store: Store, event: dict[str, Any]) -> dict[str, Any]:
    """``event`` (as ``Store.get_event`` returns it) plus ``mentions``, ``sources`` and
    ``related_events``."""
    texts = ArticleTexts(store)
    members = [event]
    for other_id in web_queries.cluster_ids(store, event["id"]):
        if other_id != event["id"] and (other := store.get_event(other_id)) is not None:
            members.append(other)
    mentions = [mention(m, texts) for m in members]

    source_ids: list[str] = []
    for m in mentions:
        for aid in [(m["article"] or {}).get("id"), *(e["article_id"] for e in m["evidence"])]:
            if aid and aid not in source_ids:
                source_ids.append(aid)
    sources = []
    for aid in source_ids:
        record = texts.get(aid)
        if record is not None:
            sources.append({k: record.get(k) for k in _ARTICLE_FIELDS})

    links = [(r["event_id"], r["relation"], "out") for r in event.get("related") or []]
    links += [(eid, rel, "in") for eid, rel in web_queries.referrers(store, event["id"])]
    links += [(m["id"], "same_as", "cluster") for m in members[1:]]
    related = []
    seen: set[tuple[str, str, str]] = set()
    for other_id, relation, direction in links:
        if (other_id, relation, direction) in seen or other_id == event["id"]:
            continue
        seen.add((other_id, relation, direction))
        other = store.get_event(other_id)
        related.append(
            {
                "event_id": other_id,
                "relation": relation,
                "direction": direction,
                "event": summary(other) if other is not None else None,
            }
        )
    return {**event, "mentions": mentions, "sources": sources, "related_events": related}
