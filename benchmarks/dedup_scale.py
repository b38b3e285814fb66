"""Cross-article deduplication at scale: is linking near-linear in the number of events?

Synthetic reports of synthetic incidents (ground truth known) are stored in a fresh SQLite file
in publication order, in ingest-sized batches, and ``link_and_cluster`` runs after every batch
exactly as ``flashpoint ingest`` calls it. Reports copy an incident's fields with the noise real
extraction has: missing or day-shifted dates, places at site, city, province or country level
or none, dropped actors and means, differing death tolls; a third of articles also mention an
older incident in passing, and a few are syndicated copies of an earlier article.

Prints (and with ``--out`` writes) per size: link wall and CPU time (CPU time is what the
scaling figures use, as it does not depend on other load on the machine), candidate pairs
scored per event (the work blocking bounds), the CPU cost per event relative to the smallest
size and the fitted exponent, B-cubed precision/recall against the synthetic truth, and how
many planted copies were found. ``--constant-density`` grows the time span with the size (a
longer archive) instead of packing more events into the same three years.

    python benchmarks/dedup_scale.py --sizes 10000 50000 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flashpoint.dedup import link_and_cluster
from flashpoint.dedup.evaluate import bcubed
from flashpoint.store import open_store
from flashpoint.types import Article

TYPES = [("ASSAULT", 50), ("PROTEST", 14), ("COERCE", 8), ("THREATEN", 8), ("MOBILIZE", 6),
         ("ACCUSE", 6), ("SANCTION", 4), ("AID", 4)]
MODES = ["airstrike", "missile", "rocket", "drone", "shelling", "firearms", "explosive"]
KINDS = ["military", "militia", "rebel", "terrorist", "police", "government", "party"]
SYLLABLES = ["ka", "ra", "mi", "zan", "tor", "bel", "dus", "hal", "qir", "sen", "vo", "lun",
             "dar", "pek", "sul", "nor", "ib", "ost", "yar", "gen"]
FILLER = [
    "officials", "said", "the", "situation", "remained", "tense", "as", "residents", "gathered",
    "near", "the", "market", "while", "aid", "groups", "called", "for", "calm", "and", "reporters",
    "waited", "for", "further", "details", "from", "the", "ministry", "about", "the", "response",
    "planned", "for", "the", "coming", "days",
]
START = dt.date(2021, 1, 1)


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


@dataclass(slots=True)
class World:
    countries: list[tuple[str, float, float]]
    places: list[tuple[str, str, float, float]]  # name, country, lat, lon
    actors: list[tuple[str, str, str]]  # name, kind, country


def make_world(rng: random.Random) -> World:
    countries = [(word(rng, 1).upper()[:3].ljust(3, "X"), rng.uniform(-40, 55),
                  rng.uniform(-100, 120)) for _ in range(40)]
    places = []
    for _ in range(1500):
        code, lat, lon = rng.choice(countries)
        places.append((word(rng, 2), code, lat + rng.uniform(-4, 4), lon + rng.uniform(-4, 4)))
    actors = [(f"{word(rng, 2)} {rng.choice(['Brigade', 'Front', 'Army', 'Police', 'Movement'])}",
               rng.choice(KINDS), rng.choice(countries)[0]) for _ in range(600)]
    return World(countries, places, actors)


@dataclass(slots=True)
class Incident:
    id: int
    type: str
    mode: str | None
    day: dt.date
    place: tuple[str, str, float, float]
    source: tuple[str, str, str]
    target: tuple[str, str, str]
    killed: int | None


def incidents(rng: random.Random, world: World, span_days: int) -> Iterator[Incident]:
    names, weights = zip(*TYPES, strict=True)
    n = 0
    while True:
        kind = rng.choices(names, weights)[0]
        yield Incident(
            n, kind, rng.choice(MODES) if kind == "ASSAULT" else None,
            START + dt.timedelta(days=rng.randrange(span_days)), rng.choice(world.places),
            rng.choice(world.actors), rng.choice(world.actors),
            rng.randrange(1, 60) if kind == "ASSAULT" and rng.random() < 0.7 else None,
        )
        n += 1


def event_doc(rng: random.Random, world: World, inc: Incident, eid: str, aid: str,
              *, passing: bool) -> dict[str, Any]:
    """One report of ``inc`` with extraction-like noise; ``passing``: a background mention."""
    r = rng.random()
    date = None
    if not passing and r < 0.65:
        day = inc.day + dt.timedelta(days=rng.choice([0, 0, 0, 0, 0, 0, 0, 0, -1, 1]))
        date = {"start": day.isoformat(), "end": day.isoformat(), "precision": "day"}
    elif not passing and r < 0.75:
        monday = inc.day - dt.timedelta(days=inc.day.weekday())
        date = {"start": monday.isoformat(),
                "end": (monday + dt.timedelta(days=6)).isoformat(), "precision": "week"}
    name, code, lat, lon = inc.place
    r = rng.random()
    if r < 0.45:
        location = {"name": name, "lat": lat, "lon": lon, "country": code, "precision": "site"}
    elif r < 0.65:
        location = {"name": name, "lat": lat + rng.uniform(-0.08, 0.08),
                    "lon": lon + rng.uniform(-0.08, 0.08), "country": code, "precision": "city"}
    elif r < 0.8:
        location = {"name": f"{name} province", "lat": lat + rng.uniform(-0.8, 0.8),
                    "lon": lon + rng.uniform(-0.8, 0.8), "country": code, "precision": "admin1"}
    elif r < 0.9:
        centre = next(c for c in world.countries if c[0] == code)
        location = {"name": code, "lat": centre[1], "lon": centre[2], "country": code,
                    "precision": "country"}
    else:
        location = None
    actors = []
    if rng.random() < 0.8:
        actors.append({"role": "source", "name": inc.source[0], "kind": inc.source[1],
                       "country": inc.source[2], "text": inc.source[0], "span": [0, 1]})
    if rng.random() < 0.7:
        actors.append({"role": "target", "name": inc.target[0], "kind": inc.target[1],
                       "country": inc.target[2], "text": inc.target[0], "span": [0, 1]})
    killed = None
    if inc.killed and rng.random() < 0.6:
        k = max(1, round(inc.killed * rng.uniform(0.8, 1.2)))
        killed = {"low": k, "best": k, "high": k}
    sentence = (f"{inc.source[0]} {inc.type.lower()} against {inc.target[0]} near {name} in "
                f"{code}" + (f", killing {killed['best']}." if killed else "."))
    return {
        "id": eid, "type": inc.type, "mode": inc.mode if rng.random() < 0.8 else None,
        "modality": "asserted", "actors": actors,
        "date": date or {"start": None, "end": None, "precision": "unknown"},
        "location": location,
        "casualties": {"killed": killed, "injured": None, "text": None, "span": None},
        "attribution": {"kind": "unattributed", "text": None, "name": None, "span": None},
        "related": [],
        "evidence": [{"article_id": aid, "start": 0, "end": len(sentence), "sentence": sentence}],
        "confidence": round(rng.uniform(0.5, 0.9), 3),
        "trigger": inc.type.lower(), "trigger_span": [0, 1],
    }


@dataclass(slots=True)
class Corpus:
    articles: list[tuple[Article, list[dict[str, Any]]]]
    truth: dict[str, int]
    copies: int


def make_corpus(n_events: int, seed: int, span_days: int) -> Corpus:
    rng = random.Random(seed)
    world = make_world(rng)
    pool: list[Incident] = []
    source = incidents(rng, world, span_days)
    drafts: list[tuple[dt.date, list[tuple[Incident, bool]]]] = []
    count = 0
    while count < n_events:
        inc = next(source)
        pool.append(inc)
        for _ in range(min(8, 1 + int(rng.expovariate(0.8)))):
            published = inc.day + dt.timedelta(days=rng.randrange(0, 3))
            items = [(inc, False)]
            if rng.random() < 0.3 and len(pool) > 1:
                items.append((rng.choice(pool[-200:]), True))
            drafts.append((published, items))
            count += len(items)
    drafts.sort(key=lambda d: d[0])
    truth: dict[str, int] = {}
    articles: list[tuple[Article, list[dict[str, Any]]]] = []
    copies = 0
    for i, (published, items) in enumerate(drafts):
        aid = f"a{i:07d}"
        if articles and rng.random() < 0.03:
            original, docs = rng.choice(articles[-300:])
            copies += 1
            text = f"Reprinted from a wire service.\n\n{original.text}\n\nAll rights reserved."
            moved = []
            for j, doc in enumerate(docs):
                eid = f"{aid}-{j}"
                truth[eid] = truth[doc["id"]]
                moved.append({**doc, "id": eid, "evidence": [
                    {**doc["evidence"][0], "article_id": aid}]})
            articles.append((Article(aid, text, publisher=f"outlet{rng.randrange(50)}",
                                     published=original.published), moved))
            continue
        docs = []
        for j, (inc, passing) in enumerate(items):
            eid = f"{aid}-{j}"
            truth[eid] = inc.id
            docs.append(event_doc(rng, world, inc, eid, aid, passing=passing))
        body = [d["evidence"][0]["sentence"] for d in docs]
        body.append(" ".join(rng.choice(FILLER) for _ in range(rng.randrange(60, 140))) + ".")
        articles.append((Article(aid, "\n\n".join(body), publisher=f"outlet{rng.randrange(50)}",
                                 published=published), docs))
    return Corpus(articles, truth, copies)


def run(n_events: int, batch: int, seed: int, span_days: int, workdir: Path) -> dict[str, Any]:
    corpus = make_corpus(n_events, seed, span_days)
    events = sum(len(d) for _, d in corpus.articles)
    path = workdir / f"dedup-{n_events}.db"
    add_s = link_s = link_cpu = 0.0
    found = compared = 0
    with open_store(path) as store:
        for i in range(0, len(corpus.articles), batch):
            chunk = corpus.articles[i : i + batch]
            t0 = time.perf_counter()
            store.add_records(chunk)
            t1, c1 = time.perf_counter(), time.process_time()
            linked = link_and_cluster(store, [a.id for a, _ in chunk])
            link_s += time.perf_counter() - t1
            link_cpu += time.process_time() - c1
            add_s += t1 - t0
            found += linked.duplicates
            compared += linked.compared
        predicted = dict(store._execute("SELECT id, cluster_id FROM events").fetchall())
        clusters = store._execute("SELECT COUNT(*) FROM clusters").fetchone()[0]
    truth = {k: str(v) for k, v in corpus.truth.items()}
    return {
        "events": events,
        "articles": len(corpus.articles),
        "incidents": len(set(corpus.truth.values())),
        "clusters": clusters,
        "store_add_s": round(add_s, 2),
        "span_days": span_days,
        "link_s": round(link_s, 2),
        "link_cpu_s": round(link_cpu, 2),
        "events_per_cpu_s": round(events / link_cpu, 1),
        "cpu_ms_per_1k_events": round(1000 * link_cpu / events * 1000, 1),
        "pairs_scored_per_event": round(compared / events, 2),
        "copies_planted": corpus.copies,
        "copies_found": found,
        "bcubed": bcubed(predicted, truth),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--batch", type=int, default=64, help="articles per ingest batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--span-days", type=int, default=3 * 365,
                        help="days the incidents spread over (fixed: density grows with size)")
    parser.add_argument("--constant-density", action="store_true",
                        help="scale the span with the size instead (span-days at the largest)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            span = args.span_days
            if args.constant_density:
                span = max(7, round(args.span_days * size / max(args.sizes)))
            result = run(size, args.batch, args.seed, span, Path(tmp))
            results.append(result)
            base = results[0]
            cost = result["link_cpu_s"] / base["link_cpu_s"]
            scale = result["events"] / base["events"]
            growth = cost / scale
            exponent = math.log(cost) / math.log(scale) if result is not base else 1.0
            result["cost_per_event_vs_smallest"] = round(growth, 2)
            result["scaling_exponent"] = round(exponent, 2)
            print(json.dumps(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
