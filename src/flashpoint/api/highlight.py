"""Where an event's extracted spans fall inside its evidence sentences.

Every span (trigger, actors, place, date, casualty figure, attribution) is an offset into the
article's clean text, and so is each evidence sentence; a span inside a sentence becomes a mark
with sentence-relative offsets. Marks are returned properly nested (a place inside an actor's
phrase stays visible), never crossing, so a client can render them as nested elements without
any HTML parsing of the text itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Order decides which of two crossing spans is kept and whose label leads when two coincide.
KINDS = ("trigger", "actor", "location", "date", "casualties", "attribution")


@dataclass(frozen=True, slots=True)
class Mark:
    """One span to highlight, in article offsets until ``in_sentence`` rebases it."""

    start: int
    end: int
    kind: str
    label: str
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "role": self.role,
            "label": self.label,
        }


def _span(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    start, end = value
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
        return None
    return start, end


def event_marks(event: dict[str, Any]) -> list[Mark]:
    """The spans of ``event`` (a contract dict) worth highlighting, in article offsets."""
    found: list[tuple[tuple[int, int] | None, str, str, str | None]] = []
    found.append(
        (_span(event.get("trigger_span")), "trigger", f"trigger: {event.get('type')}", None)
    )
    for actor in event.get("actors") or []:
        extra = ", ".join(x for x in (actor.get("country"), actor.get("kind")) if x)
        label = f"{actor.get('role')}: {actor.get('name')}" + (f" ({extra})" if extra else "")
        found.append((_span(actor.get("span")), "actor", label, actor.get("role")))
    loc = event.get("location") or {}
    if loc:
        where = ", ".join(x for x in (loc.get("name"), loc.get("country")) if x)
        found.append((_span(loc.get("span")), "location", f"location: {where}", None))
    date = event.get("date") or {}
    if date.get("start"):
        when = (
            date["start"]
            if date.get("end") in (None, date["start"])
            else (f"{date['start']} to {date['end']}")
        )
        found.append((_span(date.get("span")), "date", f"date: {when}", None))
    cas = event.get("casualties") or {}
    figures = [
        f"{what} {count.get('best') if count.get('best') is not None else count.get('low')}"
        for what in ("killed", "injured")
        if (count := cas.get(what))
    ]
    found.append((_span(cas.get("span")), "casualties", ", ".join(figures) or "casualties", None))
    att = event.get("attribution") or {}
    if att.get("kind") not in (None, "unattributed"):
        label = f"{att['kind']}: {att.get('name') or att.get('text') or ''}".rstrip(": ")
        found.append((_span(att.get("span")), "attribution", label, None))
    return [
        Mark(span[0], span[1], kind, label, role)
        for span, kind, label, role in found
        if span is not None
    ]


def in_sentence(
    marks: list[Mark], sentence: str, start: int, article_text: str | None
) -> list[Mark]:
    """``marks`` that fall inside the sentence at article offset ``start``, rebased to it.

    The offsets are trusted only when the article text confirms the sentence sits there; if it
    does not (a sentence stored from another text), a mark is placed where its surface text
    occurs in the sentence, or dropped.
    """
    end = start + len(sentence)
    aligned = article_text is not None and article_text[start:end] == sentence
    placed: list[Mark] = []
    for mark in marks:
        if aligned:
            if start <= mark.start and mark.end <= end:
                placed.append(_rebase(mark, mark.start - start, mark.end - start))
            continue
        if article_text is None:
            continue
        surface = article_text[mark.start : mark.end]
        at = sentence.find(surface) if surface.strip() else -1
        if at >= 0:
            placed.append(_rebase(mark, at, at + len(surface)))
    return nest(placed)


def _rebase(mark: Mark, start: int, end: int) -> Mark:
    return Mark(start, end, mark.kind, mark.label, mark.role)


def nest(marks: list[Mark]) -> list[Mark]:
    """Marks sorted outermost-first, with crossing ones dropped and coinciding ones merged.

    The result is a forest in document order: each mark either contains the next or ends before
    it starts, which is what nested rendering needs.
    """
    rank = {kind: i for i, kind in enumerate(KINDS)}
    by_priority = sorted(marks, key=lambda m: (rank.get(m.kind, len(KINDS)), m.start, m.end))
    kept: list[Mark] = []
    for mark in by_priority:
        twin = next((k for k in kept if (k.start, k.end) == (mark.start, mark.end)), None)
        if twin is not None:
            if mark.label not in twin.label:
                kept[kept.index(twin)] = Mark(
                    twin.start, twin.end, twin.kind, f"{twin.label}; {mark.label}", twin.role
                )
            continue
        if any(_crosses(mark, k) for k in kept):
            continue
        kept.append(mark)
    return sorted(kept, key=lambda m: (m.start, -m.end))


def _crosses(a: Mark, b: Mark) -> bool:
    """Overlapping without one containing the other."""
    overlap = a.start < b.end and b.start < a.end
    nested = (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)
    return overlap and not nested
