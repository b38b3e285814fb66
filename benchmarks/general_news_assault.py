#!/usr/bin/env python
"""Share of ASSAULT events that are false on general (mostly non-conflict) news.

Runs the pipeline over the 181 pages of ``../shared/data/article-extraction-benchmark`` and looks
up each ASSAULT event's first evidence sentence in ``benchmarks/gold/general-news-assault.jsonl``
(the trigger lexicon's candidates on those pages, labelled violent / not by hand before the
coder's output was seen). Events whose sentence is not in the labelled set are counted apart.

    python benchmarks/general_news_assault.py [--coder 0|1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from flashpoint.config import Settings
    from flashpoint.pipeline import Pipeline
    from flashpoint.types import Document

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coder", type=int, default=1)
    args = ap.parse_args()
    pages = ROOT.parent / "shared" / "data" / "article-extraction-benchmark" / "html"
    if not pages.exists():
        sys.exit(f"{pages} is absent")
    labels = {}
    for line in (ROOT / "benchmarks" / "gold" / "general-news-assault.jsonl").open():
        row = json.loads(line)
        labels[(row["page"], " ".join(row["sentence"].split()))] = row["label"]
    docs = []
    for p in sorted(pages.glob("*.html.gz")):
        with gzip.open(p, "rt", encoding="utf-8", errors="replace") as fh:
            docs.append(Document(source=p.name, content=fh.read(), content_type="html"))
    pipe = Pipeline(Settings.from_env(coder=bool(args.coder)))
    counts = {"violent": 0, "not": 0, "unlabelled": 0}
    unlabelled = []
    for out in pipe.run_documents(docs):
        if out.extraction is None:
            continue
        for e in out.extraction.events:
            if e.type != "ASSAULT":
                continue
            sent = " ".join(e.evidence[0].sentence.split()) if e.evidence else ""
            label = labels.get((out.source, sent))
            counts[label or "unlabelled"] += 1
            if label is None:
                unlabelled.append(sent[:120])
    labelled = counts["violent"] + counts["not"]
    share = round(counts["not"] / max(labelled, 1), 3)
    print(json.dumps({"coder": bool(args.coder), **counts, "false_share_of_labelled": share}))
    for s in unlabelled:
        print("  unlabelled:", s)


if __name__ == "__main__":
    main()
