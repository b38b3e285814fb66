"""Scoring against coder-style event records: one short description, one event, its ACLED code.

The record sets (``benchmarks/gold/acled-style-*.jsonl``) were written by the project, each
before any system output on it was seen: ``dev`` is for tuning, ``test`` is held out. A record
holds the description, its publication date, the ACLED event type and sub-event type (or a
``negative`` kind: disaster, accident, sport, other) and the coder's date, country,
fatalities and actor1.

As coders read a description, the first asserted event of the output stands for the record.
Its ACLED code comes from the export table (``export.tables.acled_type``), so this measures what
an ACLED export would say, not only the PLOVER type.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Errors, FlashpointError
from ..export.tables import acled_type
from ..types import Event


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str
    published: str | None
    event_type: str | None
    sub_event_type: str | None
    negative: str | None
    date: str | None
    country: str | None
    fatalities: int | None


def read_records(path: Path, limit: int | None = None) -> list[Record]:
    out: list[Record] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(
                Record(
                    id=str(d["id"]),
                    text=str(d["text"]),
                    published=d.get("published"),
                    event_type=d.get("event_type"),
                    sub_event_type=d.get("sub_event_type"),
                    negative=d.get("negative"),
                    date=d.get("date"),
                    country=d.get("country"),
                    fatalities=d.get("fatalities"),
                )
            )
        except (ValueError, KeyError, TypeError) as err:
            raise FlashpointError(Errors.E060.format(path=path, line=n, detail=err)) from err
    return out[:limit] if limit else out


def first_asserted(events: Sequence[Event]) -> Event | None:
    asserted = [e for e in events if e.modality == "asserted"]
    if not asserted:
        return None
    return min(asserted, key=lambda e: (e.trigger_span or (10**9, 0))[0])


def code_of(event: Event) -> tuple[str, str]:
    """(ACLED event_type, sub_event_type) an export would give ``event``."""
    kinds: set[str] = {a.kind for a in event.actors if a.role == "target" and a.kind}
    got = acled_type(event.type, event.mode, kinds)
    return got.event_type, got.sub_event_type


def _weighted_f1(pairs: list[tuple[str, str]]) -> float:
    """Support-weighted F1 over the gold classes (as published ACLED-subtype figures are)."""
    gold = Counter(g for g, _ in pairs)
    pred = Counter(p for _, p in pairs)
    hit = Counter(g for g, p in pairs if g == p)
    total = sum(gold.values())
    f1 = 0.0
    for cls, support in gold.items():
        prec = hit[cls] / pred[cls] if pred[cls] else 0.0
        rec = hit[cls] / support
        f1 += support * (2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return f1 / total if total else 0.0


def score_records(records: Sequence[Record], preds: dict[str, list[Event]]) -> dict[str, Any]:
    positives = [r for r in records if r.sub_event_type]
    negatives = [r for r in records if not r.sub_event_type]
    six: list[tuple[str, str]] = []
    subs: list[tuple[str, str]] = []
    per_sub: dict[str, Counter[str]] = defaultdict(Counter)
    no_event = date_ok = date_n = fat_ok = fat_n = country_ok = 0
    for r in positives:
        ev = first_asserted(preds.get(r.id, []))
        if ev is None:
            no_event += 1
            got = ("(none)", "(none)")
        else:
            got = code_of(ev)
        six.append((str(r.event_type), got[0]))
        subs.append((str(r.sub_event_type), got[1]))
        per_sub[str(r.sub_event_type)][got[1]] += 1
        if r.date:
            date_n += 1
            start = ev.date.start if ev and ev.date else None
            date_ok += bool(start and start.isoformat() == r.date)
        if r.fatalities:
            fat_n += 1
            killed = ev.casualties.killed if ev else None
            fat_ok += bool(killed is not None and killed.low == r.fatalities)
        if r.country:
            country_ok += bool(ev and ev.location and ev.location.country == r.country)
    violent = Counter(
        r.negative or "other"
        for r in negatives
        if any(e.type == "ASSAULT" for e in preds.get(r.id, []))
    )
    neg_kinds = Counter(r.negative or "other" for r in negatives)
    n = len(positives) or 1
    return {
        "records": len(records),
        "positives": len(positives),
        "acc_6_types": round(sum(g == p for g, p in six) / n, 3),
        "acc_25_subtypes": round(sum(g == p for g, p in subs) / n, 3),
        "weighted_f1_25": round(_weighted_f1(subs), 3),
        "no_event": round(no_event / n, 3),
        "date_exact": round(date_ok / date_n, 3) if date_n else None,
        "fatalities_exact": round(fat_ok / fat_n, 3) if fat_n else None,
        "country": round(country_ok / n, 3),
        "negatives": {
            kind: {"records": total, "with_assault": violent[kind]}
            for kind, total in sorted(neg_kinds.items())
        },
        "disaster_accident_violent_rate": round(
            (violent["disaster"] + violent["accident"])
            / max(neg_kinds["disaster"] + neg_kinds["accident"], 1),
            3,
        ),
        "per_subtype": {
            sub: {
                "gold": sum(c.values()),
                "right": c[sub],
                "top_wrong": [k for k, _ in (c - Counter({sub: c[sub]})).most_common(2)],
            }
            for sub, c in sorted(per_sub.items())
        },
    }
