#!/usr/bin/env python
"""Gazetteer costs: data size, index build and load time, memory, lookup and resolution speed.

Lookups run over the gold toponyms of the geoparsing corpora (``../shared/data/geoparsing``), or
over the curated names when the corpora are absent. Run: ``python benchmarks/gazetteer.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flashpoint.eval.geoparsing import read_corpus
from flashpoint.resolve.places import Gazetteer, resolve_places
from flashpoint.resolve.places.gazetteer import places_data_dir

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "data" / "geoparsing"

# VmHWM, not ru_maxrss: on Linux the latter carries the forking parent's peak across exec.
_CHILD = """
import re, sys, time
t = time.perf_counter()
from flashpoint.resolve.places import Gazetteer
gz = Gazetteer.open(cache_dir=__import__("pathlib").Path(sys.argv[1]))
gz.lookup("Baghdad")
took = time.perf_counter() - t
hwm = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())
print(took, hwm.group(1) if hwm else "nan")
"""


def fresh_process_load(cache_dir: Path) -> tuple[float, float]:
    """(seconds, peak RSS MB) for a new process to import, open the index and look up a name."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(cache_dir)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    figures: dict[str, float | int | str] = {}
    data = places_data_dir()
    for name in ("places.tsv.gz", "demonyms.tsv", "curated.yaml"):
        figures[f"size_{name}_MB"] = round((data / name).stat().st_size / 1e6, 2)

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        t0 = time.perf_counter()
        Gazetteer.open(cache_dir=cache)
        figures["index_build_s"] = round(time.perf_counter() - t0, 2)
        figures["index_file_MB"] = round(sum(p.stat().st_size for p in cache.glob("*.sqlite"))
                                         / 1e6, 1)
        t0 = time.perf_counter()
        gz = Gazetteer.open(cache_dir=cache)
        figures["open_built_index_ms"] = round(1000 * (time.perf_counter() - t0), 1)
        load_s, rss = fresh_process_load(cache)
        figures["fresh_process_import_open_lookup_s"] = round(load_s, 3)
        figures["fresh_process_peak_rss_MB"] = round(rss, 1)

        articles = []
        for name in ("lgl.xml", "TR-News.xml", "GeoVirus.xml"):
            if (CORPORA / name).exists():
                articles += read_corpus(CORPORA / name)
        phrases = [t.phrase for a in articles for t in a.toponyms]
        if not phrases:
            phrases = [p.name for p in gz.get_many(range(1, 2000))]
        figures["lookup_names"] = len(phrases)
        distinct = list(dict.fromkeys(phrases))
        figures["lookup_distinct_names"] = len(distinct)
        times = []
        for phrase in distinct:  # a fresh Gazetteer: none of these is in its per-name cache
            t0 = time.perf_counter()
            gz.lookup(phrase)
            times.append(time.perf_counter() - t0)
        figures["lookup_uncached_mean_ms"] = round(1000 * statistics.fmean(times), 3)
        figures["lookup_uncached_p99_ms"] = round(1000 * sorted(times)[int(0.99 * len(times))], 3)
        t0 = time.perf_counter()
        for phrase in phrases:
            gz.lookup(phrase)
        figures["lookup_all_cached_mean_ms"] = round(
            1000 * (time.perf_counter() - t0) / len(phrases), 4)
        if articles:
            fresh = Gazetteer.open(cache_dir=cache)  # empty caches: resolution pays its lookups
            t0 = time.perf_counter()
            for a in articles:
                resolve_places(a.text, [(t.start, t.end) for t in a.toponyms], gazetteer=fresh)
            elapsed = time.perf_counter() - t0
            figures["resolve_ms_per_toponym"] = round(1000 * elapsed / len(phrases), 3)
            figures["resolve_ms_per_article"] = round(1000 * elapsed / len(articles), 2)
        figures["benchmark_peak_rss_MB"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
