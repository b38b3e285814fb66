"""Syndicated copies: MinHash over word shingles, LSH banding, verified similarity.

Wire stories reach the store many times with a different headline, byline or footer. Counting
each copy as an independent source would inflate how well attested an event looks, so every
article is signed at ingest and checked against all earlier ones: candidates come from the LSH
bands (``store.near_dups``), and a candidate counts as the original when the signatures'
estimated Jaccard similarity of 5-word shingles reaches ``THRESHOLD``. A copy of a copy points
at the first original.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from datasketch import MinHash, MinHashLSH

from ..store import near_dups

if TYPE_CHECKING:
    from ..store import Store

NUM_PERM = 128
SEED = 1
SHINGLE_WORDS = 5
THRESHOLD = 0.7

_WORDS = re.compile(r"\w+")
# Bands and rows that make the LSH collision probability rise steeply around THRESHOLD.
_LSH = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = int(_LSH.b), int(_LSH.r)
# Drawing the permutations is a third of the cost of signing a short article; draw them once.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    article_id: str
    duplicate_of: str
    similarity: float


def shingles(text: str) -> set[bytes]:
    """Overlapping 5-word sequences of the case- and accent-folded text."""
    words = _WORDS.findall(unicodedata.normalize("NFKC", text).casefold())
    if not words:
        return set()
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()}
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str) -> tuple[bytes, int] | None:
    """The MinHash signature (as bytes) and shingle count, or None for an empty text."""
    grams = shingles(text)
    if not grams:
        return None
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_TEMPLATE.permutations,
                 scheme=_TEMPLATE.scheme)
    mh.update_batch(list(grams))
    return np.asarray(mh.hashvalues, dtype=np.uint64).tobytes(), len(grams)


def band_buckets(sig: bytes) -> list[int]:
    """One signed 64-bit bucket per band; the band number is hashed in, so buckets never
    collide across bands."""
    values = np.frombuffer(sig, dtype=np.uint64)
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return out


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    va, vb = np.frombuffer(a, dtype=np.uint64), np.frombuffer(b, dtype=np.uint64)
    return float(np.count_nonzero(va == vb)) / len(va)


def detect(store: Store, article_ids: Sequence[str]) -> list[NearDuplicate]:
    """Sign the not-yet-signed articles (in order) and record the copies among them.

    Runs inside the caller's write transaction; articles earlier in ``article_ids`` count as
    stored for later ones, so two copies arriving in one batch are linked too.
    """
    found: list[NearDuplicate] = []
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for article_id, text in near_dups.unsigned_articles(store, article_ids):
        signed = signature(text)
        if signed is None:
            continue
        sig, count = signed
        buckets = band_buckets(sig)
        hits = near_dups.bucket_hits(store, buckets)
        hits.pop(article_id, None)
        best: tuple[float, str] | None = None
        if hits:
            for other, other_sig in near_dups.signatures(store, sorted(hits)).items():
                score = similarity(sig, other_sig)
                if score >= THRESHOLD and (best is None or (score, other) > best):
                    best = (score, other)
        if best is not None:
            original = near_dups.roots(store, [best[1]]).get(best[1], best[1])
            near_dups.save_duplicate(store, article_id, original, round(best[0], 4), now)
            found.append(NearDuplicate(article_id, original, round(best[0], 4)))
        near_dups.save_signature(store, article_id, count, sig, buckets)
    return found
