"""Measure clustering against a labelled multi-outlet set with B-cubed precision and recall.

The set (``tests/data/dedup``) is real reports plus ``labels.yaml``, which marks each phrase
that reports a known incident. Extracted events are aligned to those phrases by trigger
position, so the gold standard never depends on what the extractor happened to find; events
aligned to no phrase (generic or background references) are left out of the score, and gold
phrases no event aligns to are counted as extraction misses.

B-cubed (Bagga and Baldwin, 1998): for each item, precision is the share of its predicted
cluster that shares its gold label, recall the share of its gold class found in its predicted
cluster; both are averaged over items.

    python -m flashpoint.dedup.evaluate tests/data/dedup
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Errors, FlashpointError


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 over the items labelled in both mappings."""
    items = [i for i in gold if i in predicted]
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "items": 0}
    by_pred: dict[str, set[str]] = {}
    by_gold: dict[str, set[str]] = {}
    for item in items:
        by_pred.setdefault(predicted[item], set()).add(item)
        by_gold.setdefault(gold[item], set()).add(item)
    p = r = 0.0
    for item in items:
        cluster, klass = by_pred[predicted[item]], by_gold[gold[item]]
        shared = len(cluster & klass)
        p += shared / len(cluster)
        r += shared / len(klass)
    p, r = p / len(items), r / len(items)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
            "items": len(items)}


@dataclass(slots=True)
class LabelledReport:
    file: str
    publisher: str
    published: dt.date
    text: str
    mentions: list[tuple[str, str]] = field(default_factory=list)


def load_labelled(directory: Path) -> tuple[dict[str, str], list[LabelledReport]]:
    """Incident descriptions and the reports (with text), oldest first."""
    labels_path = directory / "labels.yaml"
    try:
        data = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FlashpointError(Errors.E050.format(path=labels_path, detail=exc)) from exc
    reports = []
    for entry in data["reports"]:
        published = entry["published"]
        if not isinstance(published, dt.date):
            published = dt.date.fromisoformat(str(published))
        text = (directory / "reports" / entry["file"]).read_text(encoding="utf-8")
        reports.append(LabelledReport(
            file=entry["file"],
            publisher=entry["publisher"],
            published=published,
            text=text,
            mentions=[(str(i), str(q)) for i, q in entry.get("mentions") or []],
        ))
    reports.sort(key=lambda r: (r.published, r.file))
    return dict(data["incidents"]), reports


def align(
    text: str, events: Sequence[Mapping[str, Any]], mentions: Sequence[tuple[str, str]]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Event id → incident for events whose trigger lies in a labelled phrase; unmatched phrases.

    Raises ``ValueError`` when a phrase is not in ``text`` (a broken label file).
    """
    spans: list[tuple[int, int, str, str]] = []
    for incident, quote in mentions:
        at = text.find(quote)
        if at < 0:
            raise ValueError(f"labelled phrase not in the article text: {quote!r}")
        spans.append((at, at + len(quote), incident, quote))
    labelled: dict[str, str] = {}
    found: set[str] = set()
    for ev in events:
        trigger = ev.get("trigger_span")
        if not trigger:
            continue
        start, end = trigger
        inside = [s for s in spans if s[0] <= start and end <= s[1]]
        if inside:
            best = min(inside, key=lambda s: s[1] - s[0])
            labelled[ev["id"]] = best[2]
            found.add(best[3])
    missed = [(i, q) for i, q in mentions if q not in found]
    return labelled, missed


@dataclass(slots=True)
class Evaluation:
    scores: dict[str, float]
    gold: dict[str, str]
    predicted: dict[str, str]
    article_of: dict[str, str]
    report_of: dict[str, str]
    missed: list[tuple[str, str, str]]
    unlabelled_events: int

    def clusters_of(self, incident: str) -> Counter[str]:
        """Predicted clusters holding this incident's events, by how many reports each has."""
        per: dict[str, set[str]] = {}
        for eid, label in self.gold.items():
            if label == incident:
                per.setdefault(self.predicted[eid], set()).add(self.report_of[eid])
        return Counter({cid: len(reports) for cid, reports in per.items()})

    def report_scores(self) -> dict[str, float]:
        """B-cubed over (report, incident) pairs: does each report's account of an incident
        land in that incident's cluster? Insensitive to how many events one report yields."""
        votes: dict[str, Counter[str]] = {}
        for eid, incident in self.gold.items():
            item = f"{self.report_of[eid]}|{incident}"
            votes.setdefault(item, Counter())[self.predicted[eid]] += 1
        size = Counter(self.predicted[e] for e in self.gold)
        predicted = {item: _top(c, size) for item, c in votes.items()}
        gold = {item: item.rsplit("|", 1)[1] for item in votes}
        return bcubed(predicted, gold)

    def summary(self) -> dict[str, Any]:
        return {
            "bcubed": self.scores,
            "bcubed_reports": self.report_scores(),
            "aligned_events": len(self.gold),
            "unlabelled_events": self.unlabelled_events,
            "missed_gold_mentions": len(self.missed),
            "incidents": {
                inc: dict(self.clusters_of(inc).most_common())
                for inc in sorted(set(self.gold.values()))
            },
        }


def evaluate(directory: Path, pipeline: Any, store: Any, *, batch: int = 4) -> Evaluation:
    """Extract every report with ``pipeline``, ingest into ``store`` in chronological batches
    (linking after each, as ingest does) and score the resulting clusters."""
    from .link import link_and_cluster

    _, reports = load_labelled(directory)
    gold: dict[str, str] = {}
    article_of: dict[str, str] = {}
    report_of: dict[str, str] = {}
    missed: list[tuple[str, str, str]] = []
    unlabelled = 0
    pending: list[Any] = []
    for i, report in enumerate(reports):
        ex = pipeline.extract_text(
            report.text, published=report.published,
            url=f"https://flashpoint.invalid/dedup/{report.file}", source=report.file,
        )
        ex.article.publisher = report.publisher
        docs = [e.to_dict() for e in ex.events]
        labelled, not_found = align(ex.article.text, docs, report.mentions)
        gold.update(labelled)
        unlabelled += len(docs) - len(labelled)
        for ev in docs:
            article_of[ev["id"]] = ex.article.id
            report_of[ev["id"]] = report.file
        missed.extend((report.file, inc, q) for inc, q in not_found)
        pending.append(ex)
        if len(pending) == batch or i == len(reports) - 1:
            store.add(pending)
            link_and_cluster(store, [e.article.id for e in pending])
            pending = []
    predicted = {}
    for eid in gold:
        record = store.get_event(eid)
        if record is not None:
            predicted[eid] = record["cluster_id"]
    return Evaluation(bcubed(predicted, gold), gold, predicted, article_of, report_of, missed,
                      unlabelled)


def _top(counts: Counter[str], size: Counter[str]) -> str:
    """The cluster holding most of an item's events; ties go to the bigger cluster."""
    return max(counts, key=lambda cid: (counts[cid], size[cid], cid))


def main(argv: Sequence[str] | None = None) -> int:
    from ..pipeline import Pipeline
    from ..store import open_store

    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args[0] if args else "tests/data/dedup")
    with open_store(":memory:") as store:
        result = evaluate(directory, Pipeline(), store)
    sys.stdout.write(json.dumps(result.summary(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
