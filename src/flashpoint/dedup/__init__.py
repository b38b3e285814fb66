"""Cross-article deduplication: near-copies of articles and clusters of event reports.

    from flashpoint.dedup import link_and_cluster
    store.add(extractions)
    link_and_cluster(store, [ex.article.id for ex in extractions])
    store.query_clusters(EventFilter(country="IRQ"))   # one fused event per real-world event

``near_duplicates`` finds syndicated copies with MinHash LSH (bands persisted in the store, so it
works across runs); ``compare`` scores whether two reports describe one event; ``cluster``
assigns each new report to the best-matching cluster found by blocking; ``fuse`` keeps each
cluster's fused fields; ``link`` runs all of it inside one store transaction and implements the
manual split and merge.

The orchestration names are loaded lazily: ``flashpoint.store`` imports ``fuse`` to render
clusters, and ``link`` imports the store, so importing them here eagerly would be circular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import link

        return getattr(link, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
