"""Storage for near-duplicate detection: MinHash signatures, LSH band buckets, copy links.

Band buckets live in an indexed table rather than in memory, so an article ingested today is
checked against everything ingested before, across runs and processes. Each bucket value
already encodes its band number, so one ``IN`` lookup over an article's buckets finds every
earlier article sharing any band. Rows cascade away with their article.

Signatures are stored as base64 text, so the same column type works on every engine. Called
by ``flashpoint.dedup`` inside a store write transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import Store

_CHUNK = 500


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def unsigned_articles(store: Store, article_ids: Sequence[str]) -> list[tuple[str, str]]:
    """``(id, text)`` of those articles that have no signature yet, in the order given."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(article_ids)):
        marks = ", ".join("?" * len(chunk))
        cur = store._execute(
            f"SELECT a.id, a.text FROM articles a LEFT JOIN article_minhash h "
            f"ON h.article_id = a.id WHERE a.id IN ({marks}) AND h.article_id IS NULL",
            chunk,
        )
        found.update((aid, text) for aid, text in cur)
    return [(aid, found[aid]) for aid in dict.fromkeys(article_ids) if aid in found]


def bucket_hits(store: Store, buckets: Sequence[int]) -> dict[str, int]:
    """Stored articles sharing at least one bucket, with how many they share."""
    hits: dict[str, int] = {}
    for chunk in _chunks(list(buckets)):
        marks = ", ".join("?" * len(chunk))
        cur = store._execute(
            f"SELECT article_id, COUNT(*) FROM minhash_bands WHERE bucket IN ({marks}) "
            "GROUP BY article_id",
            chunk,
        )
        for aid, n in cur:
            hits[aid] = hits.get(aid, 0) + int(n)
    return hits


def signatures(store: Store, article_ids: Sequence[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for chunk in _chunks(list(article_ids)):
        marks = ", ".join("?" * len(chunk))
        cur = store._execute(
            f"SELECT article_id, signature FROM article_minhash WHERE article_id IN ({marks})",
            chunk,
        )
        out.update((aid, base64.b64decode(sig)) for aid, sig in cur)
    return out


def save_signature(
    store: Store, article_id: str, shingles: int, signature: bytes, buckets: Sequence[int]
) -> None:
    store._execute(
        "INSERT INTO article_minhash (article_id, shingles, signature) VALUES (?, ?, ?)",
        (article_id, shingles, base64.b64encode(signature).decode("ascii")),
    )
    store._conn.executemany(
        store._dialect.sql(
            "INSERT INTO minhash_bands (bucket, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        ),
        [(b, article_id) for b in buckets],
    )


def save_duplicate(
    store: Store, article_id: str, duplicate_of: str, similarity: float, at: str
) -> None:
    store._execute(
        "INSERT INTO article_duplicates (article_id, duplicate_of, similarity, detected_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
        "duplicate_of = excluded.duplicate_of, similarity = excluded.similarity, "
        "detected_at = excluded.detected_at",
        (article_id, duplicate_of, similarity, at),
    )


def roots(store: Store, article_ids: Sequence[str]) -> dict[str, str]:
    """Article → the original it copies (only for articles that are copies)."""
    out: dict[str, str] = {}
    for chunk in _chunks(list(article_ids)):
        marks = ", ".join("?" * len(chunk))
        cur = store._execute(
            f"SELECT article_id, duplicate_of FROM article_duplicates "
            f"WHERE article_id IN ({marks})",
            chunk,
        )
        out.update((aid, orig) for aid, orig in cur)
    return out


def duplicate_links(store: Store, article_id: str) -> list[dict[str, Any]]:
    """Copy links touching ``article_id``: what it copies and what copies it."""
    cur = store._execute(
        "SELECT article_id, duplicate_of, similarity, detected_at FROM article_duplicates "
        "WHERE article_id = ? OR duplicate_of = ? ORDER BY detected_at, article_id",
        (article_id, article_id),
    )
    return [
        {"article_id": a, "duplicate_of": d, "similarity": round(float(s), 3), "detected_at": t}
        for a, d, s, t in cur
    ]
