"""The gold format: JSONL, one annotated article per line.

```
{"id": str, "text": str, "published": "YYYY-MM-DD" | null, "source": str,
 "events": [{"type": "ASSAULT", "mode": str | null,
             "trigger": {"start": int, "end": int, "text": str},
             "evidence": {"start": int, "end": int},          # the sentence that reports it
             "actors": [{"role": "source"|"target", "start": int, "end": int, "text": str,
                         "name": str | null}],
             "location": {"start", "end", "text", "lat", "lon", "country"} | null,
             "date": {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "precision": str} | null,
             "casualties": {"killed": {"low","best","high"} | null, "injured": ...} | null}],
 "places": [{"start", "end", "text", "lat", "lon", "country"}],     # optional, toponym gold
 "dates": [{"start", "end", "text", "value_start", "value_end", "precision"}]  # optional
}
```

All offsets are ``[start, end)`` characters into ``text``; the evaluator feeds ``text`` to the
pipeline unchanged (no cleaning), so predicted spans and gold spans share one coordinate system.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Errors, FlashpointError


@dataclass(slots=True)
class GoldArg:
    role: str
    start: int
    end: int
    text: str
    name: str | None = None


@dataclass(slots=True)
class GoldEvent:
    type: str
    mode: str | None
    trigger: tuple[int, int]
    evidence: tuple[int, int]
    actors: list[GoldArg] = field(default_factory=list)
    location: dict[str, Any] | None = None
    date: dict[str, Any] | None = None
    casualties: dict[str, Any] | None = None


@dataclass(slots=True)
class GoldDoc:
    id: str
    text: str
    published: str | None
    source: str
    events: list[GoldEvent]
    places: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)


def _span(obj: dict[str, Any], text: str, where: str) -> tuple[int, int]:
    s, e = int(obj["start"]), int(obj["end"])
    if not 0 <= s <= e <= len(text):
        raise ValueError(f"{where}: span [{s}, {e}) outside text of {len(text)} chars")
    return s, e


def parse_doc(raw: dict[str, Any]) -> GoldDoc:
    text = raw["text"]
    events = []
    for i, ev in enumerate(raw.get("events", [])):
        trig = _span(ev["trigger"], text, f"event {i} trigger")
        evid = _span(ev.get("evidence") or ev["trigger"], text, f"event {i} evidence")
        actors = [
            GoldArg(
                a["role"], *_span(a, text, f"event {i} actor"), a.get("text", ""), a.get("name")
            )
            for a in ev.get("actors", [])
        ]
        events.append(
            GoldEvent(
                ev["type"].upper(),
                ev.get("mode"),
                trig,
                evid,
                actors,
                ev.get("location"),
                ev.get("date"),
                ev.get("casualties"),
            )
        )
    return GoldDoc(
        id=str(raw["id"]),
        text=text,
        published=raw.get("published"),
        source=raw.get("source", ""),
        events=events,
        places=list(raw.get("places", [])),
        dates=list(raw.get("dates", [])),
    )


def read_gold(path: Path) -> Iterator[GoldDoc]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield parse_doc(json.loads(line))
            except (ValueError, KeyError, TypeError) as err:
                raise FlashpointError(Errors.E060.format(path=path, line=n, detail=err)) from err


def write_gold(docs: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            parse_doc(d)  # validate before writing
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
