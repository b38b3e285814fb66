"""Incremental event clustering with blocking, so cost grows with the data, not its square.

Each new mention is compared only with clusters that share its event type, an ISO week of its
date window, and at least one blocking key (its place's country, an actor, or a salient word);
the backend returns the best-keyed few (``max_candidates``) of those. The mention joins the
best-scoring compatible cluster (``compare.compare``) or starts its own. Manual decisions win
over scores: a must-link (from a user's merge) joins its partner's cluster, a cannot-link (from
a user's split) bars a cluster outright. A near-copy of an article joins its original's
clusters directly: the same text cannot report a different event.

A greedy pass alone leaves one event split in two when an early report matched neither of two
clusters well enough; so whenever a cluster grows, it is compared with its own candidates and
absorbs any that now pass the same test (``merges``: absorbed id → surviving id).

The ``Backend`` holds the persisted side (the store, or anything with the same methods); the
``Clusterer`` keeps the states it touched so a batch is written back once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..store.fused import ClusterState, Mention
from .compare import MERGE_SCORE, SAME_ARTICLE_EXTRA, Profile, compare, profile


class Backend(Protocol):
    def candidates(self, keys: list[str], weeks: range, limit: int) -> list[str]: ...

    def states(self, ids: Iterable[str]) -> dict[str, ClusterState]: ...

    def reindex(self, cluster_id: str, keys: list[str], weeks: range) -> None: ...

    def cannot(self, event_id: str) -> set[str]: ...

    def cannot_any(self, event_ids: list[str]) -> set[str]: ...

    def drop(self, cluster_id: str) -> None: ...

    def must(self, event_id: str) -> set[str]: ...

    def cluster_of(self, event_id: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Assignment:
    event_id: str
    article_id: str
    cluster_id: str
    how: str  # seed | match | duplicate | manual
    score: int | None = None


class Clusterer:
    """Assigns mentions one at a time; ``dirty`` lists the clusters to write back."""

    def __init__(
        self,
        backend: Backend,
        *,
        threshold: int = MERGE_SCORE,
        max_candidates: int = 64,
    ) -> None:
        self.backend = backend
        self.threshold = threshold
        self.max_candidates = max_candidates
        self.states: dict[str, ClusterState] = {}
        self.dirty: set[str] = set()
        self.assignments: list[Assignment] = []
        self.merges: list[tuple[str, str, int]] = []
        self.compared = 0  # pairs scored: the work blocking keeps near-linear
        # Document frequency of salient words, for choosing the rarest as blocking keys.
        self.term_counts: dict[str, int] = {}
        self._alias: dict[str, str] = {}
        self._profiles: dict[str, Profile] = {}
        self._where: dict[str, str] = {}

    def rarity(self, term: str) -> int:
        return self.term_counts.get(term, 0)

    def final(self, cluster_id: str) -> str:
        """The cluster an id now lives in, following automatic merges."""
        while cluster_id in self._alias:
            cluster_id = self._alias[cluster_id]
        return cluster_id

    def assign(self, mention: Mention, copy_of: str | None = None) -> Assignment:
        """Place ``mention``; ``copy_of``: the matching event of the article it copies."""
        for partner in sorted(self.backend.must(mention.event_id)):
            target = self._cluster_of(partner)
            if target is not None:
                return self._join(target, mention, "manual", None)
        if copy_of is not None:
            target = self._cluster_of(copy_of)
            barred = self.backend.cannot(mention.event_id)
            if target is not None and not (self._members(target) & barred):
                return self._join(target, mention, "duplicate", None)
        single = ClusterState.seed(mention)
        mine = profile(single)
        if mine.clusterable:
            best = self._best(mine, mention)
            if best is not None:
                return self._join(best[1], mention, "match", best[0])
        return self._start(single, mine, mention)

    # -- internals ---------------------------------------------------------------------------

    def _cluster_of(self, event_id: str) -> str | None:
        found = self._where.get(event_id) or self.backend.cluster_of(event_id)
        return self.final(found) if found else None

    def _state(self, cluster_id: str) -> ClusterState | None:
        if cluster_id not in self.states:
            self.states.update(self.backend.states([cluster_id]))
        return self.states.get(cluster_id)

    def _members(self, cluster_id: str) -> set[str]:
        state = self._state(cluster_id)
        return set(state.members) if state else set()

    def _profile(self, cluster_id: str) -> Profile:
        cluster_id = self.final(cluster_id)
        prof = self._profiles.get(cluster_id)
        if prof is None:
            state = self.states[cluster_id]
            prof = self._profiles[cluster_id] = profile(state)
        return prof

    def _candidates(self, prof: Profile) -> list[str]:
        ids = [self.final(c) for c in
               self.backend.candidates(prof.probe_keys(self.rarity), prof.weeks,
                                       self.max_candidates)]
        ids = list(dict.fromkeys(ids))
        missing = [cid for cid in ids if cid not in self.states]
        if missing:
            self.states.update(self.backend.states(missing))
        return [cid for cid in ids if cid in self.states]

    def _needed(self, a: Profile, b: Profile) -> int:
        return self.threshold + (SAME_ARTICLE_EXTRA if a.articles & b.articles else 0)

    def _best(self, mine: Profile, mention: Mention) -> tuple[int, str] | None:
        barred = self.backend.cannot(mention.event_id)
        best: tuple[int, int, str] | None = None
        for cid in self._candidates(mine):
            state = self.states[cid]
            if barred and barred.intersection(state.members):
                continue
            theirs = self._profile(cid)
            match = compare(mine, theirs)
            self.compared += 1
            if not match.merges(self._needed(mine, theirs)):
                continue
            rank = (match.score, len(state.members), cid)
            if best is None or rank[:2] > best[:2] or (rank[:2] == best[:2] and cid < best[2]):
                best = rank
        return (best[0], best[2]) if best else None

    def _consolidate(self, cluster_id: str) -> str:
        """Absorb candidate clusters that match ``cluster_id`` now that it has grown."""
        for _ in range(4):  # each pass merges at most one; a few suffice in practice
            mine = self._profile(cluster_id)
            if not mine.clusterable:
                return cluster_id
            for other in self._candidates(mine):
                if other == cluster_id:
                    continue
                theirs = self._profile(other)
                match = compare(mine, theirs)
                self.compared += 1
                if not match.merges(self._needed(mine, theirs)) or self._barred(cluster_id, other):
                    continue
                cluster_id = self._merge(cluster_id, other, match.score)
                break
            else:
                return cluster_id
        return cluster_id

    def _barred(self, a: str, b: str) -> bool:
        small, large = sorted((self.states[a], self.states[b]), key=lambda s: len(s.members))
        return bool(self.backend.cannot_any(small.members) & set(large.members))

    def _merge(self, a: str, b: str, score: int) -> str:
        keep, gone = sorted((a, b), key=lambda c: (-len(self.states[c].members), c))
        self.states[keep].absorb(self.states.pop(gone))
        self._profiles.pop(gone, None)
        self.dirty.discard(gone)
        self._alias[gone] = keep
        self.merges.append((gone, keep, score))
        self.backend.drop(gone)
        self._touch(self.states[keep])
        return keep

    def _join(self, cluster_id: str, mention: Mention, how: str, score: int | None) -> Assignment:
        state = self._state(cluster_id)
        if state is None:  # the partner's cluster vanished: start afresh
            single = ClusterState.seed(mention)
            return self._start(single, profile(single), mention)
        state.add(mention)
        self._touch(state)
        self._record(mention, cluster_id, how, score)
        final = self._consolidate(cluster_id)
        return Assignment(mention.event_id, mention.article_id, final, how, score)

    def _start(self, state: ClusterState, prof: Profile, mention: Mention) -> Assignment:
        self.states[state.id] = state
        self._touch(state, prof)
        return self._record(mention, state.id, "seed", None)

    def _touch(self, state: ClusterState, prof: Profile | None = None) -> None:
        prof = prof or profile(state)
        self._profiles[state.id] = prof
        self.dirty.add(state.id)
        keys = prof.index_keys(self.rarity) if prof.clusterable else []
        self.backend.reindex(state.id, keys, prof.weeks if keys else range(0))

    def _record(
        self, mention: Mention, cluster_id: str, how: str, score: int | None
    ) -> Assignment:
        self._where[mention.event_id] = cluster_id
        done = Assignment(mention.event_id, mention.article_id, cluster_id, how, score)
        self.assignments.append(done)
        return done
