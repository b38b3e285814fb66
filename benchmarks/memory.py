#!/usr/bin/env python
"""Memory of a long ingest: resident memory of the parent and each worker, sampled as it runs.

A long run can leak in ways a short one cannot show: spaCy's string store keeps every new token
it meets, and caches in the resolvers grow with the names they see. So the corpus must keep
bringing new words: it cycles through the real articles in ``../shared/data`` (the benchmark's
HTML pages, the WikiEvents and TR-News texts) and gives every copy its own id and a byline of
made-up names, so each article adds strings no earlier one had, roughly as a real news feed does.
Everything goes through ``LocalEngine`` into a SQLite file, as ``flashpoint ingest`` does.

    python benchmarks/memory.py --articles 100000 [--workers 2] [--recycle-after N]

Prints a line per sample and writes the trace and summary to ``out/memory.json``. Peaks are
the kernel's high-water marks (VmHWM) of each process, so nothing between samples is missed.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flashpoint.engine import LocalEngine, default_workers
from flashpoint.store import open_store
from flashpoint.types import Document, Extraction

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
MB = 1024 * 1024


# -- resident memory of a process tree --------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in bytes (empty when it is gone)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return {}
    return out


def _cpu_ticks(pid: int) -> int | None:
    """User plus system CPU time of ``pid`` so far, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[11]) + int(fields[12])


def descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class RssSampler:
    """Samples this process and all its descendants every ``interval`` seconds in a thread.

    Also totals their CPU time (processes that started after the sampler count from zero), a
    figure that, unlike wall time, hardly moves when other programs share the machine.
    """

    interval: float = 1.0
    # The processes to list one by one (workers); None: every descendant.
    focus: Callable[[], list[int]] | None = None
    peak_total: int = 0
    peak_by_pid: dict[int, int] = field(default_factory=dict)
    listed: set[int] = field(default_factory=set)
    samples: list[dict[str, object]] = field(default_factory=list)
    progress: int = 0
    _cpu_first: dict[int, int] = field(default_factory=dict)
    _cpu_last: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> dict[str, object]:
        me = os.getpid()
        rss: dict[int, int] = {}
        first = not self.samples
        for pid in [me, *descendants(me)]:
            ticks = _cpu_ticks(pid)
            if ticks is not None:
                self._cpu_first.setdefault(pid, ticks if first else 0)
                self._cpu_last[pid] = ticks
            status = _status(pid)
            if status:
                rss[pid] = status.get("VmRSS", 0)
                self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), status.get("VmHWM", 0))
        total = sum(rss.values())
        self.peak_total = max(self.peak_total, total)
        listed = set(self.focus()) if self.focus is not None else set(rss) - {me}
        self.listed |= listed
        row: dict[str, object] = {
            "t": round(time.perf_counter(), 2),
            "done": self.progress,
            "parent_mb": round(rss.get(me, 0) / MB, 1),
            "children_mb": sorted(round(v / MB, 1) for p, v in rss.items() if p in listed),
            "total_mb": round(total / MB, 1),
        }
        self.samples.append(row)
        return row

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    def cpu_seconds(self) -> float:
        ticks = sum(last - self._cpu_first[pid] for pid, last in self._cpu_last.items())
        return ticks / os.sysconf("SC_CLK_TCK")

    def peaks_mb(self) -> list[float]:
        """High-water marks of the listed processes (workers) ever seen, largest first."""
        return sorted(
            (round(v / MB, 1) for p, v in self.peak_by_pid.items() if p in self.listed),
            reverse=True,
        )


# -- a corpus that keeps bringing new words ----------------------------------------------------

_SYLLABLES = ("ka", "lo", "mir", "du", "tesh", "va", "ro", "pel", "kin", "tar", "vosk", "ze",
              "nu", "bra", "hal", "ost", "qui", "fen", "dor", "sa", "lim", "ugo", "rev", "pa")


def made_up_name(n: int) -> str:
    """A distinct pronounceable capitalised word for every ``n``."""
    parts = []
    n += len(_SYLLABLES) ** 2  # at least three syllables
    while n:
        n, r = divmod(n, len(_SYLLABLES))
        parts.append(_SYLLABLES[r])
    return "".join(parts).capitalize()


def base_texts() -> list[tuple[str, str, str]]:
    """(kind, name, content) for each real article available: HTML pages, then plain texts."""
    items: list[tuple[str, str, str]] = []
    html = DATA / "article-extraction-benchmark" / "html"
    for page in sorted(html.glob("*.html.gz")):
        html_text = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        items.append(("html", page.name, html_text))
    wiki = DATA / "wikievents" / "dev.jsonl"
    if wiki.exists():
        for line in wiki.open(encoding="utf-8"):
            d = json.loads(line)
            items.append(("text", d["doc_id"], "\n\n".join(s[1] for s in d["sentences"])))
    tr = DATA / "geoparsing" / "TR-News.xml"
    if tr.exists():
        for i, art in enumerate(ET.parse(tr).getroot().iter("article")):
            items.append(("text", f"trnews-{i}", art.findtext("text") or ""))
    if not items:
        sys.exit(f"no articles under {DATA}: this benchmark needs ../shared/data")
    return items


def corpus(n: int) -> Iterator[Document]:
    """``n`` Documents cycling over the real articles, each with its own id and new names."""
    texts = base_texts()
    for i, (kind, name, content) in zip(range(n), itertools.cycle(texts), strict=False):
        names = [made_up_name(8 * i + k) for k in range(8)]
        byline = (
            f"Reporting by {names[0]} {names[1]} and {names[2]} {names[3]} in {names[4]}; "
            f"editing by {names[5]} {names[6]} for {names[7]} News."
        )
        if kind == "html":
            content = content.replace("</body>", f"<p>{byline}</p></body>", 1)
        else:
            content = f"{content}\n\n{byline}"
        yield Document(
            source=f"synthetic:{i}:{name}", content=content, content_type=kind,  # type: ignore[arg-type]
            id=f"synthetic-{i:07d}",
        )


# -- the run ------------------------------------------------------------------------------------


def slope_per_10k(samples: list[dict[str, object]], after: int) -> float | None:
    """Least-squares growth of the mean worker RSS, MB per 10,000 articles, after ``after``."""
    points = [
        (float(s["done"]), sum(s["children_mb"]) / len(s["children_mb"]))  # type: ignore[arg-type]
        for s in samples
        if int(s["done"]) >= after and s["children_mb"]  # type: ignore[call-overload]
    ]
    if len(points) < 3:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    var = sum((x - mx) ** 2 for x, _ in points)
    if not var:
        return None
    return round(sum((x - mx) * (y - my) for x, y in points) / var * 10_000, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--recycle-after", type=int, default=None,
                    help="replace each worker after this many articles (default: never)")
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    ap.add_argument("--batch-size", type=int, default=64, help="articles per transaction")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "memory.json")
    args = ap.parse_args()

    db = Path(tempfile.mkdtemp()) / "memory.db"
    store = open_store(db)
    stored = events = 0
    pending: list[Extraction] = []
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    with LocalEngine(args.workers, recycle_after=args.recycle_after) as engine, RssSampler(
        args.interval, focus=engine.worker_pids
    ) as rss:
        last = 0
        for outcome in engine.run_documents(corpus(args.articles)):
            rss.progress += 1
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
            if outcome.extraction is not None:
                pending.append(outcome.extraction)
            if len(pending) >= args.batch_size:
                result = store.add(pending)
                stored, events = stored + result.articles_added, events + result.events_added
                pending.clear()
            if len(rss.samples) != last:
                last = len(rss.samples)
                row = rss.samples[-1]
                elapsed = time.perf_counter() - started
                print(f"{rss.progress:>7} articles {elapsed:>7.0f} s  parent {row['parent_mb']} MB"
                      f"  workers {row['children_mb']} MB", flush=True)
        if pending:
            result = store.add(pending)
            stored, events = stored + result.articles_added, events + result.events_added
    seconds = time.perf_counter() - started
    store.close()
    db_mb = sum(p.stat().st_size for p in db.parent.iterdir()) / MB

    parent = os.getpid()
    samples = rss.samples
    growth = None
    if args.recycle_after is None:
        growth = slope_per_10k(samples, args.articles // 2)
    summary = {
        "articles": args.articles,
        "workers": args.workers,
        "recycle_after": args.recycle_after,
        "statuses": statuses,
        "stored": stored,
        "events": events,
        "seconds": round(seconds, 1),
        "articles_per_s": round(args.articles / seconds, 2),
        "peak_worker_mb": rss.peaks_mb(),
        "peak_parent_mb": round(rss.peak_by_pid.get(parent, 0) / MB, 1),
        "peak_total_mb": round(rss.peak_total / MB, 1),
        "worker_growth_mb_per_10k_second_half": growth,
        "database_mb": round(db_mb, 1),
        "load_average": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "samples": samples}, indent=1) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
