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

Texts under a licence that forbids copying them into the repository are stored by reference:
instead of ``"text"`` a record carries ``"text_ref"``, resolved against the shared data folder
(``flashpoint.eval.shared_data_dir()``) when the file is read:

* ``{"corpus": "geoparsing/TR-News.xml", "index": 17}``: the ``<text>`` of the 18th
  ``<article>`` in document order (any ``.xml`` corpus of that layout works), exactly as the XML
  parser returns it;
* ``{"corpus": "article-extraction-benchmark", "id": "<sha id>"}``: ``articleBody`` of that id
  in ``ground-truth.json``, exactly.

An optional ``"sha1"`` (hex digest of the UTF-8 text) pins the corpus version, so offsets never
silently point into a different text. A malformed or dangling reference is an invalid record; a
record whose corpus is absent is skipped with warning W060, so the rest of the file still runs.
"""

from __future__ import annotations

import hashlib
import json
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import Errors, FlashpointError, Warnings

BODY_CORPUS = "article-extraction-benchmark"


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


@lru_cache(maxsize=8)
def _xml_texts(path: Path) -> tuple[str, ...]:
    root = ET.parse(path).getroot()
    return tuple(art.findtext("text") or "" for art in root.iter("article"))


@lru_cache(maxsize=2)
def _bodies(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: str(rec.get("articleBody") or "") for key, rec in data.items()}


def resolve_text_ref(raw: dict[str, Any], data_dir: Path) -> str | None:
    """The text a record's ``text_ref`` names, or None when its corpus is not in ``data_dir``.

    Raises ValueError for a reference that can never resolve (unknown corpus kind, a path that
    leaves the data folder, an index or id the corpus lacks, a sha1 that does not match).
    """
    ref = raw["text_ref"]
    corpus = str(ref["corpus"])
    rel = PurePosixPath(corpus)
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"text_ref corpus {corpus!r} must be a path inside the data folder")
    if corpus == BODY_CORPUS:
        file = data_dir / corpus / "ground-truth.json"
        if not file.is_file():
            return None
        key = str(ref["id"])
        bodies = _bodies(file.resolve())
        if key not in bodies:
            raise ValueError(f"text_ref id {key!r} is not in {file}")
        text = bodies[key]
    elif rel.suffix == ".xml":
        file = data_dir / corpus
        if not file.is_file():
            return None
        index = int(ref["index"])
        try:
            texts = _xml_texts(file.resolve())
        except ET.ParseError as err:
            raise ValueError(f"text_ref corpus {file} is not well-formed XML: {err}") from err
        if not 0 <= index < len(texts):
            raise ValueError(f"text_ref index {index} outside {corpus} ({len(texts)} articles)")
        text = texts[index]
    else:
        raise ValueError(
            f"text_ref corpus {corpus!r} is not supported "
            f"(an .xml geoparsing corpus or {BODY_CORPUS})"
        )
    want = ref.get("sha1")
    if want and hashlib.sha1(text.encode("utf-8")).hexdigest() != want:
        raise ValueError(f"text_ref {corpus} {ref.get('index', ref.get('id'))}: sha1 differs")
    return text


def _data_dir(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return data_dir
    from . import shared_data_dir  # late: the package imports this module

    return shared_data_dir()


def _with_text(raw: dict[str, Any], data_dir: Path) -> dict[str, Any] | None:
    """The record with ``text`` filled from its reference (None: corpus absent)."""
    if "text" in raw or "text_ref" not in raw:
        return raw
    text = resolve_text_ref(raw, data_dir)
    return None if text is None else {**raw, "text": text}


def read_gold(path: Path, data_dir: Path | None = None) -> Iterator[GoldDoc]:
    """Gold documents of a JSONL file; ``data_dir`` (default: the shared data) fills text refs."""
    data_dir = _data_dir(data_dir)
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                full = _with_text(raw, data_dir)
                if full is None:
                    warnings.warn(
                        Warnings.W060.format(
                            id=raw.get("id"),
                            line=n,
                            path=path,
                            corpus=raw["text_ref"]["corpus"],
                            data_dir=data_dir,
                        ),
                        stacklevel=2,
                    )
                    continue
                yield parse_doc(full)
            except (ValueError, KeyError, TypeError) as err:
                raise FlashpointError(Errors.E060.format(path=path, line=n, detail=err)) from err


def write_gold(docs: list[dict[str, Any]], path: Path, data_dir: Path | None = None) -> None:
    """Write records as given (references stay references), each validated against its text."""
    data_dir = _data_dir(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            full = _with_text(d, data_dir)
            if full is None:
                raise ValueError(f"cannot validate {d.get('id')}: its text_ref corpus is absent")
            parse_doc(full)  # validate before writing
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
