"""Convert WikiEvents (KAIROS ontology) into the Flashpoint gold format.

WikiEvents' ``text`` glues sentences together without spaces, so the converter rebuilds the
text from its sentence strings, one paragraph per sentence, and re-bases every token offset.
Types and roles are mapped by ``data/eval/kairos_plover.yaml``; unmapped types are dropped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    path = resources.files("flashpoint").joinpath("data/eval/kairos_plover.yaml")
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def convert_doc(raw: dict[str, Any]) -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = mapping()["types"]
    roles: dict[str, str] = mapping()["roles"]
    sent_starts: list[int] = []
    parts: list[str] = []
    pos = 0
    tok_offsets: list[tuple[int, int]] = []
    sent_spans: list[tuple[int, int]] = []
    for toks, stext in raw["sentences"]:
        base = toks[0][1]
        sent_starts.append(pos)
        for _, s, e in toks:
            tok_offsets.append((pos + s - base, pos + e - base))
        sent_spans.append((pos, pos + len(stext)))
        parts.append(stext)
        pos += len(stext) + 2
    text = "\n\n".join(parts)
    entities = {m["id"]: m for m in raw["entity_mentions"]}

    def char_span(start_tok: int, end_tok: int) -> tuple[int, int]:
        return tok_offsets[start_tok][0], tok_offsets[end_tok - 1][1]

    events = []
    for ev in raw["event_mentions"]:
        mapped = types.get(ev["event_type"])
        if mapped is None:
            continue
        t0, t1 = char_span(ev["trigger"]["start"], ev["trigger"]["end"])
        sent = sent_spans[ev["trigger"]["sent_idx"]]
        actors = []
        location = None
        for arg in ev["arguments"]:
            role = roles.get(arg["role"])
            ent = entities.get(arg["entity_id"])
            if role is None or ent is None:
                continue
            s, e = char_span(ent["start"], ent["end"])
            if role in {"source", "target"}:
                actors.append({"role": role, "start": s, "end": e, "text": text[s:e]})
            elif role == "place" and location is None:
                location = {"start": s, "end": e, "text": text[s:e]}
        events.append(
            {
                "type": mapped["type"],
                "mode": mapped.get("mode"),
                "trigger": {"start": t0, "end": t1, "text": text[t0:t1]},
                "evidence": {"start": sent[0], "end": sent[1]},
                "actors": actors,
                "location": location,
                "kairos_type": ev["event_type"],
            }
        )
    return {
        "id": f"wikievents:{raw['doc_id']}",
        "text": text,
        "published": None,
        "source": "wikievents",
        "events": events,
    }


def convert(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [convert_doc(json.loads(line)) for line in fh if line.strip()]
