"""Link newly stored articles into event clusters, and let a user undo or force a merge.

``link_and_cluster(store, article_ids)`` runs after each ``Store.add`` batch, inside the same
``Store.transaction`` (``engine.writer``, for ingest and watch): it signs the articles for
near-duplicate detection, detaches events whose article was re-extracted since they were
clustered, assigns every pending event (oldest publication first, so an original precedes its
copies) and writes the touched clusters back. Called alone it is its own transaction.

``split_event`` and ``merge_clusters`` rebuild the affected clusters from their members, record
a constraint so later linking (or a full ``recluster``) honours the user, and log the action in
``cluster_audit``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Errors, FlashpointError
from ..store import clusters as sql
from ..store import near_dups
from ..store.fused import ClusterState, Mention
from . import near_duplicates
from .cluster import Clusterer
from .compare import Profile, profile, salient_terms

if TYPE_CHECKING:
    from ..store import Store

# Articles per transaction when linking a whole store.
CHUNK = 256


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What one linking call did; results add up over a run."""

    articles: int = 0
    duplicates: int = 0
    mentions: int = 0
    joined: int = 0
    new_clusters: int = 0
    repaired: int = 0
    compared: int = 0  # candidate pairs scored

    def __add__(self, other: LinkResult) -> LinkResult:
        return LinkResult(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(),
                                                   strict=True)))

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class _SqlBackend:
    """The clusterer's view of the store (inside the caller's transaction)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def candidates(self, keys: list[str], weeks: range, limit: int) -> list[str]:
        return sql.candidates(self.store, keys, weeks, limit)

    def states(self, ids: Iterable[str]) -> dict[str, ClusterState]:
        return sql.states(self.store, ids)

    def reindex(self, cluster_id: str, keys: list[str], weeks: range) -> None:
        sql.replace_keys(self.store, cluster_id, keys, weeks)

    def cannot(self, event_id: str) -> set[str]:
        return sql.linked(self.store, event_id, "cannot")

    def cannot_any(self, event_ids: list[str]) -> set[str]:
        return sql.linked_any(self.store, event_ids, "cannot")

    def drop(self, cluster_id: str) -> None:
        sql.delete_cluster(self.store, cluster_id)

    def must(self, event_id: str) -> set[str]:
        return sql.linked(self.store, event_id, "must")

    def cluster_of(self, event_id: str) -> str | None:
        return sql.cluster_of(self.store, event_id)


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def mention(
    row: sql.MentionRow, roots: dict[str, str], earliest: dict[str, str] | None = None
) -> Mention:
    doc: dict[str, Any] = json.loads(row.event_json)
    published = _day(row.published)
    return Mention(
        event_id=row.event_id,
        article_id=row.article_id,
        doc=doc,
        published=published,
        publisher=row.publisher,
        url=row.url,
        title=row.title,
        root=roots.get(row.article_id, row.article_id),
        terms=salient_terms(ev.get("sentence") or "" for ev in doc.get("evidence") or []),
        seq=row.seq,
        earliest=_day((earliest or {}).get(row.article_id)),
    )


def _mentions(store: Store, rows: Sequence[sql.MentionRow]) -> list[Mention]:
    ids = sorted({r.article_id for r in rows})
    roots, earliest = near_dups.roots(store, ids), sql.earliest_dates(store, ids)
    return [mention(r, roots, earliest) for r in rows]


def cluster_row(state: ClusterState, prof: Profile, at: str) -> tuple[Any, ...]:
    fused = state.canonical()
    date, loc = fused["date"], fused["location"] or {}
    killed = fused["casualties"]["killed"] or {}
    injured = fused["casualties"]["injured"] or {}

    def day(ordinal: int | None) -> str | None:
        return dt.date.fromordinal(ordinal).isoformat() if ordinal else None

    return (
        state.id, state.type, day(prof.lo), day(prof.hi),
        date.get("start"), date.get("end") or date.get("start"), date.get("precision") or "unknown",
        loc.get("name"), loc.get("lat"), loc.get("lon"), loc.get("country"), loc.get("precision"),
        killed.get("low"), killed.get("best"), killed.get("high"),
        injured.get("low"), injured.get("best"), injured.get("high"),
        fused["mention_count"], fused["article_count"], fused["source_count"],
        fused["confidence"], state.to_json(), at,
    )


def _copy_counterparts(store: Store, mentions: Sequence[Mention]) -> dict[str, str]:
    """Event of a near-copy → the event of its original reporting the same thing.

    Same type, same trigger word and same first evidence sentence: the copy's text produced
    the same extraction.
    """
    copies = [m for m in mentions if m.root != m.article_id]
    if not copies:
        return {}
    originals = sql.mentions_of_articles(store, sorted({m.root for m in copies}))
    index: dict[tuple[str, str, str, str], str] = {}
    for row in originals:
        doc = json.loads(row.event_json)
        index.setdefault((row.article_id, *_signature(doc)), row.event_id)
    out: dict[str, str] = {}
    for m in copies:
        match = index.get((m.root, *_signature(m.doc)))
        if match is not None:
            out[m.event_id] = match
    return out


def _signature(doc: dict[str, Any]) -> tuple[str, str, str]:
    evidence = doc.get("evidence") or [{}]
    return (doc.get("type") or "", (doc.get("trigger") or "").casefold(),
            " ".join((evidence[0].get("sentence") or "").split()))


def _order(mentions: list[Mention], article_ids: Sequence[str]) -> list[Mention]:
    rank = {aid: i for i, aid in enumerate(article_ids)}
    return sorted(mentions, key=lambda m: (
        m.published or dt.date.max, rank.get(m.article_id, len(rank)), m.article_id,
        m.seq, m.event_id,
    ))


def link_and_cluster(store: Store, article_ids: Iterable[str]) -> LinkResult:
    """Detect near-copies among and cluster the events of these (just stored) articles.

    Idempotent: events already in a valid cluster are left where they are, so calling it again
    for the same articles, or for articles that ``Store.add`` skipped, changes nothing.
    """
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return LinkResult()
    with store.transaction():
        return _link(store, ids)


def _link(store: Store, ids: list[str]) -> LinkResult:
    at = sql.now()
    published = sql.published(store, ids)
    rank = {aid: i for i, aid in enumerate(ids)}
    # Oldest first, so an original is signed (and clustered) before any copy of it.
    ids = sorted(ids, key=lambda aid: (published.get(aid) or "9999", rank[aid]))
    copies = near_duplicates.detect(store, ids)
    repaired = _repair(store, ids, at)
    mentions = _order(_mentions(store, sql.pending_mentions(store, ids)), ids)
    counterparts = _copy_counterparts(store, mentions)
    engine = Clusterer(_SqlBackend(store))
    engine.term_counts = sql.term_counts(store, sorted({t for m in mentions for t in m.terms}))
    for m in mentions:
        engine.assign(m, counterparts.get(m.event_id))
    _write_back(store, engine, mentions, at)
    joined = sum(1 for a in engine.assignments if a.how != "seed")
    return LinkResult(
        articles=len(ids),
        duplicates=len(copies),
        mentions=len(mentions),
        joined=joined,
        new_clusters=len(engine.assignments) - joined,
        repaired=repaired,
        compared=engine.compared,
    )


def _write_back(store: Store, engine: Clusterer, mentions: Sequence[Mention], at: str) -> None:
    for gone, keep, score in engine.merges:
        final = engine.final(keep)
        sql.absorb(store, gone, final)
        sql.audit(store, "auto-merge", at, from_cluster=gone, to_cluster=final,
                  detail=f"score {score}")
    rows = []
    for cid in sorted(engine.dirty):
        state = engine.states[cid]
        rows.append(cluster_row(state, profile(state), at))
    sql.save_clusters(store, rows)
    sql.save_members(store, [
        (a.event_id, engine.final(a.cluster_id), a.article_id, a.how, a.score, at)
        for a in engine.assignments
    ])
    sql.point_events(store, [(a.event_id, engine.final(a.cluster_id)) for a in engine.assignments])
    seen: dict[str, int] = {}
    for m in mentions:
        for term in m.terms:
            seen[term] = seen.get(term, 0) + 1
    sql.bump_terms(store, seen)


def _repair(store: Store, article_ids: Sequence[str], at: str) -> int:
    """Drop memberships of events re-extracted (or deleted) since they were clustered."""
    stale = sql.stale_members(store, article_ids)
    count = 0
    for cid, gone in sorted(stale.items()):
        keep = [e for e in sql.member_ids(store, cid) if e not in set(gone)]
        sql.delete_members(store, gone)
        count += len(gone)
        _rebuild(store, cid, keep, at)
        sql.audit(store, "repair", at, from_cluster=cid, detail=f"dropped {len(gone)} stale")
    return count


def _rebuild(store: Store, old_id: str, member_ids: Sequence[str], at: str) -> str | None:
    """Rewrite cluster ``old_id`` to hold exactly ``member_ids``; return its (new) id.

    The id stays unless its seed event left, in which case the earliest remaining member
    names the cluster (so a cluster id is always one of its own events).
    """
    rows = sql.mentions_by_id(store, list(member_ids))
    if not rows:
        sql.delete_cluster(store, old_id)
        return None
    ids = [r.event_id for r in rows]
    new_id = old_id if old_id in ids else ids[0]
    state = ClusterState.from_mentions(new_id, _mentions(store, rows))
    prof = profile(state)
    if new_id != old_id:
        sql.delete_cluster(store, old_id)
        sql.audit(store, "rename", at, from_cluster=old_id, to_cluster=new_id)
    sql.save_clusters(store, [cluster_row(state, prof, at)])
    counts = sql.term_counts(store, sorted(prof.terms))
    keys = prof.index_keys(lambda term: counts.get(term, 0)) if prof.clusterable else []
    sql.replace_keys(store, new_id, keys, prof.weeks if keys else range(0))
    sql.move_members(store, ids, new_id)
    sql.point_events(store, [(e, new_id) for e in ids])
    return new_id


# -- manual decisions --------------------------------------------------------------------------


def split_event(store: Store, event_id: str, *, note: str | None = None) -> dict[str, Any]:
    """Move ``event_id`` into a cluster of its own and bar it from its former companions."""
    with store.transaction():
        at = sql.now()
        cid = sql.cluster_of(store, event_id)
        if cid is None:
            raise FlashpointError(Errors.E045.format(id=event_id))
        members = sql.member_ids(store, cid)
        if len(members) < 2:
            raise FlashpointError(Errors.E046.format(id=event_id))
        rest = [e for e in members if e != event_id]
        kept = _rebuild(store, cid, rest, at)
        sql.save_members(store, [(event_id, event_id, sql.article_of(store, event_id), "manual",
                                  None, at)])
        _rebuild(store, event_id, [event_id], at)
        sql.add_constraints(store, ((event_id, other) for other in rest), "cannot", at)
        sql.drop_constraints(store, ((event_id, other) for other in rest), "must")
        sql.audit(store, "split", at, event_id=event_id, from_cluster=cid, to_cluster=event_id,
                  detail=note)
    return {"event_id": event_id, "from_cluster": cid, "cluster_id": event_id,
            "remaining_cluster": kept}


def merge_clusters(store: Store, a: str, b: str, *, note: str | None = None) -> dict[str, Any]:
    """Merge the cluster of ``b`` into that of ``a`` and keep them merged."""
    with store.transaction():
        at = sql.now()
        ca, cb = sql.require_cluster(store, a), sql.require_cluster(store, b)
        if ca == cb:
            return {"cluster_id": ca, "merged": None}
        first, second = sql.member_ids(store, ca), sql.member_ids(store, cb)
        sql.move_members(store, second, ca)
        kept = _rebuild(store, ca, [*first, *second], at)
        sql.delete_cluster(store, cb)
        sql.drop_constraints(store, ((x, y) for x in first for y in second), "cannot")
        sql.add_constraints(store, [(ca, cb)], "must", at)
        sql.audit(store, "merge", at, from_cluster=cb, to_cluster=kept, detail=note)
    return {"cluster_id": kept, "merged": cb}


# -- whole store -------------------------------------------------------------------------------


def link_pending(store: Store, *, chunk: int = CHUNK) -> LinkResult:
    """Link every article not linked yet (a store filled before linking existed, say)."""
    with store.transaction():
        ids = sql.pending_articles(store)
    total = LinkResult()
    for i in range(0, len(ids), chunk):
        total += link_and_cluster(store, ids[i : i + chunk])
    return total


def recluster(store: Store, *, chunk: int = CHUNK) -> LinkResult:
    """Forget all automatic clustering and link everything again (after an extractor upgrade).

    Near-copy links, manual split/merge constraints and the audit trail are kept.
    """
    with store.transaction():
        sql.reset_all(store)
        sql.audit(store, "recluster", sql.now())
    return link_pending(store, chunk=chunk)
