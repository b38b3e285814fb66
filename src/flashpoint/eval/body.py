"""Body-extraction accuracy on the ScrapingHub article-extraction benchmark.

Scored the way that benchmark scores (so figures compare with its published table): each text
becomes a bag of word 4-gram shingles; per document, true/false positives and false negatives
are counted over the bags and normalised to sum to one; precision and recall are averaged over
documents and F1 is taken from the two means. We add the per-document F1 distribution (mean,
share of documents at F1 ≥ 0.9) and the same figures for single words (n = 1), which forgive
small ordering differences.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ..clean import clean
from ..errors import FlashpointError
from ..ingest.decode import decode_bytes
from ..types import Article, Document

_TOKEN = re.compile(r"\w+")
GOOD_F1 = 0.9


def shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def match(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of two texts' shingle bags."""
    gold, got = shingles(true, n), shingles(pred, n)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fn) if tp + fn else 0.0


def summarise(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Benchmark means (documents with nothing predicted do not count towards precision)."""
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    doc_f1 = []
    for c in counts:
        dp, dr = _precision(*c), _recall(*c)
        doc_f1.append(2 * dp * dr / (dp + dr) if dp + dr else 0.0)
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "doc_f1_mean": round(statistics.mean(doc_f1), 4) if doc_f1 else 0.0,
        "share_f1_ge_0.9": round(sum(f >= GOOD_F1 for f in doc_f1) / len(doc_f1), 4)
        if doc_f1
        else 0.0,
    }


def article_body(article: Article) -> str:
    """The cleaned text without the headline paragraph (the benchmark's bodies have none)."""
    if article.title_span is None:
        return article.text
    return article.text[article.title_span[1] :].lstrip("\n")


def evaluate_body(data_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """Score ``flashpoint.clean`` on ``data_dir`` (ground-truth.json + html/*.html.gz)."""
    truth: dict[str, dict[str, Any]] = json.loads(
        (data_dir / "ground-truth.json").read_text("utf-8")
    )
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    counts4: list[tuple[float, float, float]] = []
    counts1: list[tuple[float, float, float]] = []
    failures: Counter[str] = Counter()
    per_doc: list[tuple[float, str]] = []
    started = time.perf_counter()
    for item in ids:
        path = data_dir / "html" / f"{item}.html.gz"
        try:
            html = decode_bytes(gzip.decompress(path.read_bytes()), str(path))
            article = clean(
                Document(source=str(path), content=html, content_type="html"), english_only=False
            )
            predicted = article_body(article)
        except FlashpointError as err:
            failures[err.code] += 1
            predicted = ""
        gold = str(truth[item].get("articleBody") or "")
        counts4.append(match(gold, predicted, 4))
        counts1.append(match(gold, predicted, 1))
        p, r = _precision(*counts4[-1]), _recall(*counts4[-1])
        per_doc.append((2 * p * r / (p + r) if p + r else 0.0, item))
    seconds = time.perf_counter() - started
    report: dict[str, Any] = {"docs": len(ids), **summarise(counts4)}
    report["tokens"] = summarise(counts1)
    report["failures"] = sum(failures.values())
    report["failure_codes"] = dict(failures)
    report["seconds"] = round(seconds, 2)
    report["seconds_per_doc"] = round(seconds / len(ids), 4) if ids else 0.0
    report["worst"] = [{"id": i, "f1": round(f, 3)} for f, i in sorted(per_doc)[:5]]
    return report
