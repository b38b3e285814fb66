#!/usr/bin/env python
"""End-to-end throughput against the floor of running spaCy alone, side by side in one run.

Input: the news pages of ``../shared/data/article-extraction-benchmark/html`` whose clean text
runs 300 to 1,200 words (news-article length, mean near 600), repeated until there are
``--articles`` of them, each copy with its own id so every one is extracted and stored.

- end to end: ``LocalEngine`` with ``--workers`` processes (default: all cores) reads the gzipped
  HTML, decodes, cleans, parses, extracts, stores every article into a fresh SQLite file and
  clusters its events with earlier reports, as ``flashpoint ingest --workers N`` does. Workers
  are started (model loaded) and warmed on a few articles before the clock starts; the clock
  stops when the last batch is committed.
- floor: the same model, every component enabled, over the same clean texts (cleaned before
  the clock starts) with ``nlp.pipe(texts, n_process=N)``, the fastest of a few batch sizes.

The two alternate for ``--rounds`` rounds and the medians are compared, so load from other
programs on a shared machine falls on both alike; CPU seconds per article (all processes) are
reported too, as they hardly depend on such load. Peak RSS is the high-water mark (VmHWM) of
each process; the total is the largest sum of resident sizes seen across the process tree.

    python benchmarks/throughput.py [--articles 400] [--workers N] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import MB, RssSampler  # the sibling script's sampler
from spacy.language import Language

from flashpoint.clean import clean
from flashpoint.dedup import link_and_cluster
from flashpoint.engine import LocalEngine, default_workers
from flashpoint.errors import SkipArticle
from flashpoint.nlp import resolve_model_name
from flashpoint.store import Store, open_store
from flashpoint.types import Document, Extraction

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT.parent / "shared" / "data" / "article-extraction-benchmark" / "html"
MIN_WORDS, MAX_WORDS = 300, 1200


def news_pages() -> list[tuple[Path, str, str]]:
    """(path, html, clean text) of the English pages of news-article length."""
    if not HTML.exists():
        sys.exit(f"{HTML} is absent: this benchmark reads the shared HTML pages")
    pages = []
    for path in sorted(HTML.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        try:
            article = clean(Document(str(path), html, "html"))
        except SkipArticle:
            continue
        if MIN_WORDS <= len(article.text.split()) <= MAX_WORDS:
            pages.append((path, html, article.text))
    return pages


def documents(pages: list[tuple[Path, str, str]], n: int) -> Iterator[Document]:
    """The pages read from disk as they are needed, each copy with its own article id.

    The raw bytes go to the workers, which decode them while cleaning.
    """
    for i in range(n):
        path = pages[i % len(pages)][0]
        raw = gzip.decompress(path.read_bytes())
        yield Document(f"{path}#{i // len(pages)}", raw, "html", id=f"bench-{i:06d}")


def write(store: Store, batch: list[Extraction]) -> tuple[int, int]:
    """One ingest transaction, then clustering of its events, as ``flashpoint ingest`` does."""
    result = store.add(batch)
    if result.articles_added:
        link_and_cluster(store, [ex.article.id for ex in batch])
    return result.articles_added, result.events_added


def end_to_end(
    engine: LocalEngine, pages: list[tuple[Path, str, str]], n: int
) -> dict[str, object]:
    db = Path(tempfile.mkdtemp()) / "throughput.db"
    store = open_store(db)
    with RssSampler(0.5, focus=engine.worker_pids) as rss:
        started = time.perf_counter()
        pending: list[Extraction] = []
        stored = events = failed = 0
        for outcome in engine.run_documents(documents(pages, n)):
            if outcome.extraction is None:
                failed += 1
                continue
            pending.append(outcome.extraction)
            if len(pending) >= 64:
                added, found = write(store, pending)
                stored, events = stored + added, events + found
                pending.clear()
        added, found = write(store, pending)
        stored, events = stored + added, events + found
        seconds = time.perf_counter() - started
    store.close()
    return {
        "seconds": round(seconds, 2),
        "articles_per_s": round(n / seconds, 2),
        "cpu_s_per_article": round(rss.cpu_seconds() / n, 4),
        "stored": stored,
        "failed_or_skipped": failed,
        "events": events,
        "peak_rss_total_mb": round(rss.peak_total / MB),
        "peak_rss_parent_mb": round(rss.peak_by_pid.get(os.getpid(), 0) / MB),
        "peak_rss_per_worker_mb": rss.peaks_mb(),
        "load_average": os.getloadavg()[0],
    }


def floor(nlp: Language, texts: list[str], workers: int, batch_size: int) -> dict[str, object]:
    with RssSampler(0.2) as rss:
        started = time.perf_counter()
        docs = nlp.pipe(texts, n_process=workers, batch_size=batch_size)
        tokens = sum(len(doc) for doc in docs)
        seconds = time.perf_counter() - started
    return {
        "batch_size": batch_size,
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(texts) / seconds, 2),
        "cpu_s_per_article": round(rss.cpu_seconds() / len(texts), 4),
        "tokens": tokens,
        "peak_rss_total_mb": round(rss.peak_total / MB),
        "peak_rss_parent_mb": round(rss.peak_by_pid.get(os.getpid(), 0) / MB),
        "peak_rss_per_worker_mb": rss.peaks_mb(),
        "load_average": os.getloadavg()[0],
    }


def _rate(run: dict[str, object], key: str = "articles_per_s") -> float:
    return float(run[key])  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--rounds", type=int, default=3, help="end to end and floor, alternating")
    ap.add_argument("--batch-sizes", default="8,32", help="floor: nlp.pipe batch sizes to try")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "throughput.json")
    args = ap.parse_args()

    pages = news_pages()
    words = [len(text.split()) for _, _, text in pages]
    texts = [pages[i % len(pages)][2] for i in range(args.articles)]
    print(f"{len(pages)} news pages of {MIN_WORDS}-{MAX_WORDS} words (mean "
          f"{sum(words) / len(words):.0f}); {args.articles} articles; {args.workers} workers; "
          f"model {resolve_model_name()}", flush=True)
    # spaCy alone, as shipped: not load_model(), which swaps in Flashpoint's faster
    # attribute ruler
    nlp = spacy.load(resolve_model_name())
    list(nlp.pipe(texts[:4]))  # first-call setup out of the floor's timing
    rounds: list[dict[str, object]] = []
    for r in range(args.rounds):
        # A fresh pool per round, closed before the floor runs, so each side's memory figures
        # cover only its own processes.
        with LocalEngine(args.workers) as engine:
            list(engine.run_documents(documents(pages, 2 * args.workers)))  # warm lazy data
            full = end_to_end(engine, pages, args.articles)
        print(f"round {r + 1}: end to end {full['articles_per_s']} articles/s "
              f"(load {full['load_average']:.1f})", flush=True)
        floors = []
        for batch_size in (int(b) for b in args.batch_sizes.split(",")):
            floors.append(floor(nlp, texts, args.workers, batch_size))
            print(f"round {r + 1}: floor batch_size={batch_size} "
                  f"{floors[-1]['articles_per_s']} articles/s", flush=True)
        best = max(floors, key=_rate)
        rounds.append({"end_to_end": full, "spacy_floor": best,
                       "ratio": round(_rate(full) / _rate(best), 3)})

    e2e = statistics.median(_rate(r["end_to_end"]) for r in rounds)  # type: ignore[arg-type]
    base = statistics.median(_rate(r["spacy_floor"]) for r in rounds)  # type: ignore[arg-type]
    cpu_e2e = statistics.median(
        _rate(r["end_to_end"], "cpu_s_per_article") for r in rounds  # type: ignore[arg-type]
    )
    cpu_base = statistics.median(
        _rate(r["spacy_floor"], "cpu_s_per_article") for r in rounds  # type: ignore[arg-type]
    )
    report = {
        "pages": len(pages),
        "mean_words": round(sum(words) / len(words)),
        "articles": args.articles,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "model": resolve_model_name(),
        "median_end_to_end_articles_per_s": round(e2e, 2),
        "median_floor_articles_per_s": round(base, 2),
        "ratio_end_to_end_over_floor": round(e2e / base, 3),
        "median_cpu_s_per_article": {"end_to_end": cpu_e2e, "floor": cpu_base},
        "ratio_by_cpu_time": round(cpu_base / cpu_e2e, 3),
        "median_ratio_per_round": statistics.median(float(r["ratio"]) for r in rounds),  # type: ignore[arg-type]
        "rounds": rounds,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "rounds"}, indent=2))


if __name__ == "__main__":
    main()
