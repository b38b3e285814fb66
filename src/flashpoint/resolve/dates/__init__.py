"""Date and time resolution: text spans to ``DateInfo`` relative to the publication date.

``resolve_date`` reads a span that spaCy (or anyone) marked as a date or time, looking about
sixty characters either side for words that change its meaning ("since", "between ... and",
"last", "earlier this", "days after"). ``find_dates`` is the same recogniser used as a finder,
so the pipeline does not depend on NER alone. ``merge_date_time`` joins a day with a time found
separately. Semantics are listed in ``resolve``'s docstring; the recogniser is ``grammar``.
"""

from __future__ import annotations

import datetime as dt

from ...types import DateInfo, Span
from .resolve import evaluate, groups_in, resolve_span


def _as_date(published: dt.date | None) -> dt.date | None:
    return published.date() if isinstance(published, dt.datetime) else published


def resolve_date(text: str, span: Span, published: dt.date | None) -> DateInfo | None:
    """The date or time the expression at ``span`` of ``text`` denotes.

    None when the span holds no date expression (durations like "three days", ages, "annual").
    A DateInfo with precision "unknown" means a date expression that cannot be placed: relative
    to P with P missing, or to an event rather than a date ("days after the attack"). A bare
    time comes back with ``start`` None and ``time`` set, for ``merge_date_time``.
    """
    return resolve_span(text, span, _as_date(published))


def find_dates(
    text: str, start: int, end: int, published: dt.date | None = None
) -> list[tuple[Span, DateInfo]]:
    """Every date/time expression in ``text[start:end]`` (a sentence), resolved against
    ``published`` (without it, relative expressions come back as precision "unknown")."""
    p = _as_date(published)
    out: list[tuple[Span, DateInfo]] = []
    for g in groups_in(text, start, end, p):
        info = evaluate(text, g, p)
        assert info.span is not None
        out.append((info.span, info))
    return out


def merge_date_time(date: DateInfo | None, time: DateInfo | None) -> DateInfo | None:
    """``date`` with the clock time of ``time`` when it has none of its own.

    The result keeps the date's text and span: the two are often far apart ("said Saturday that
    at approximately 6.30 p.m. ..."), and the day is what locates the event.
    """
    if date is None:
        return time
    if time is None or time.time is None or date.time is not None:
        return date
    return DateInfo(date.start, date.end, date.precision, time.time, date.text, date.span)


__all__ = ["find_dates", "merge_date_time", "resolve_date"]
