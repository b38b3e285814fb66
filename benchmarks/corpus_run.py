"""Run the whole pipeline over real news in ../shared/data and summarise what it found.

Inputs: the benchmark's HTML pages (through ingest + clean, as a user would feed them), the
WikiEvents articles and the TR-News articles (as JSONL records). Writes one JSON line per article
(events in compact form) for reading by hand, and prints counts per outcome and event type.

    python benchmarks/corpus_run.py --out out/corpus-run.jsonl [--limit N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from flashpoint.eval import shared_data_dir
from flashpoint.pipeline import Pipeline


def jsonl_records(data: Path, limit: int) -> Path:
    """WikiEvents and TR-News texts as a JSONL file the ingest stage reads like any user file."""
    recs = []
    wiki = data / "wikievents" / "dev.jsonl"
    if wiki.exists():
        for line in wiki.open(encoding="utf-8"):
            d = json.loads(line)
            text = "\n\n".join(s[1] for s in d["sentences"])
            recs.append({"id": f"wikievents:{d['doc_id']}", "text": text})
    tr = data / "geoparsing" / "TR-News.xml"
    if tr.exists():
        for i, art in enumerate(ET.parse(tr).getroot().iter("article")):
            text = art.findtext("text") or ""
            recs.append({"id": f"trnews:{i}", "text": text, "title": art.findtext("title")})
    out = Path(tempfile.mkdtemp()) / "records.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for r in recs[:limit]:
            fh.write(json.dumps(r) + "\n")
    return out


def compact(e: dict) -> dict:
    return {
        "type": e["type"],
        "mode": e["mode"],
        "modality": e["modality"],
        "actors": [f"{a['role']}:{a['name']}" for a in e["actors"]],
        "location": e["location"]["name"] if e["location"] else None,
        "date": e["date"]["start"],
        "killed": (e["casualties"]["killed"] or {}).get("best"),
        "evidence": e["evidence"][0]["sentence"][:200] if e["evidence"] else "",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("out/corpus-run.jsonl"))
    ap.add_argument("--limit", type=int, default=10_000)
    args = ap.parse_args()
    data = shared_data_dir()
    inputs = []
    html = data / "article-extraction-benchmark" / "html"
    if html.exists():
        inputs.append(str(html))
    inputs.append(str(jsonl_records(data, args.limit)))
    pipe = Pipeline()
    outcomes: Counter[str] = Counter()
    types: Counter[str] = Counter()
    n_events = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as fh:
        for o in pipe.run(inputs):
            outcomes[o.status if o.extraction is None else "extracted"] += 1
            if o.extraction is None:
                outcomes[f"  {o.status} {o.code}"] += 1
                continue
            d = o.extraction.to_dict()
            n_events += len(d["events"])
            types.update(e["type"] for e in d["events"])
            fh.write(
                json.dumps(
                    {
                        "source": o.source,
                        "id": d["article"]["id"],
                        "title": d["article"]["title"],
                        "events": [compact(e) for e in d["events"]],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    secs = time.perf_counter() - t0
    print(f"outcomes: {dict(outcomes)}")
    print(f"events: {n_events}  by type: {dict(types.most_common())}")
    items = sum(v for k, v in outcomes.items() if not k.startswith(" "))
    print(f"time: {secs:.1f} s for {items} items")


if __name__ == "__main__":
    main()
