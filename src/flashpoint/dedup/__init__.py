"""Cross-article deduplication: near-copies of articles and clusters of event reports.

    from flashpoint.dedup import link_and_cluster
    with store.transaction():                          # one commit for both, or neither
        store.add(extractions)
        link_and_cluster(store, [ex.article.id for ex in extractions])
    store.query_clusters(EventFilter(country="IRQ"))   # one fused event per real-world event

``near_duplicates`` finds syndicated copies with MinHash LSH (bands persisted in the store, so it
works across runs); ``compare`` scores whether two reports describe one event; ``cluster``
assigns each new report to the best-matching cluster found by blocking; the fused state of a
cluster (``store.fused``) is the store's record; ``link`` runs all of it inside one store
transaction and implements the manual split and merge.

The dependency runs one way: this package uses the store's public API (``Store.transaction``
and the cluster and near-copy tables of ``store.clusters`` and ``store.near_dups``); the store
never imports it.
"""

from __future__ import annotations

from .link import (
    LinkResult,
    link_and_cluster,
    link_pending,
    merge_clusters,
    recluster,
    split_event,
)

__all__ = [
    "LinkResult",
    "link_and_cluster",
    "link_pending",
    "merge_clusters",
    "recluster",
    "split_event",
]
