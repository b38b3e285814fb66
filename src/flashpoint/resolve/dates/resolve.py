"""What date expressions mean, given the publication date P and the words around them.

Semantics (documented here because consumers depend on them):

* Weekday ("on Tuesday", "Saturday's attack") → the most recent such day on or before P
  (P itself when P is that weekday); "last Tuesday" → strictly before P; "next Tuesday" → after.
* "Oct. 7" / "7 October" without a year → the latest Oct 7 on or before P. A bare month ("in
  October") → the latest October that has begun by P; "last October" → before P's month.
* yesterday / last night → P-1; today, tonight, this morning → P; overnight → range P-1..P.
* "last week" → the previous ISO week (Mon-Sun), precision week; "this week" → P's week;
  "earlier this week/month/year" ends at P, "later this ..." starts at P. Same for month/year.
  "(over) the weekend" → the latest Saturday-Sunday that has begun by P (range).
* "the past three days" → range P-3..P; "the past week/month/year" → that precision, ending P.
* "N days ago" → P-N (day); "N weeks/months/years ago" → the calendar unit containing it.
* Vague counts: "days" means 2-9 days, "weeks" 2-8 weeks, "months" 2-11 months, "years"
  2-9 years. So "days ago" → P-9..P-2 (precision week), "recent weeks" → P-8w..P (month),
  "days after <date>" → date+2..date+9 (week).
* "since X" → range X.start..P. "between X and Y", "from X to Y", "X-Y", "X to Y" → range
  X.start..Y.end, with a year-less X read relative to Y ("Dec. 28 to Jan. 3, 2024").
* "the following day", "N days later", "that day" → relative to the nearest earlier day- or
  week-precision date in the text (up to 1,500 characters back); unknown when there is none.
  "N days after/before <date>" → relative to the date written right after.
* Times ("6.30 p.m. local time", "18:30 GMT", "noon") → ``time`` "HH:MM" as written (the zone
  is not converted); a time joined to a day ("Saturday at 6.30 p.m.") sets both.
* Without P, expressions relative to P and year-less dates have precision "unknown"; absolute
  ones still resolve, and "since <absolute>" keeps its start with an unknown end.
* "early/mid/late January" keep precision month with the first/middle/last third as bounds;
  "early 2024" likewise keeps precision year; seasons and decades are ranges.

When context changes the meaning ("since", "between ... and ...", "N days after ...") the
returned span and text grow to cover those words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ...types import DateInfo, DatePrecision, Span
from . import periods as pd
from .fallback import fallback_period
from .grammar import (
    Ago,
    Atom,
    Day,
    Decade,
    Expr,
    Month,
    Ref,
    RelDay,
    Rolling,
    Season,
    Time,
    Unit,
    Weekday,
    Year,
    atoms,
)


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    precision: DatePrecision


# Vague plural counts: "days" = 2..9 days, and the precision such a spread deserves.
VAGUE: dict[str, tuple[int, int]] = {"day": (2, 9), "week": (2, 8), "month": (2, 11),
                                     "year": (2, 9), "decade": (2, 9)}
_VAGUE_PRECISION: dict[str, DatePrecision] = {"day": "week", "week": "month", "month": "year",
                                              "year": "range", "decade": "range"}
_UNIT_PRECISION: dict[str, DatePrecision] = {"day": "day", "week": "week", "month": "month",
                                             "year": "year"}
REFERENCE_WINDOW = 1500
_CHUNK, _OVERLAP = 300, 40
_CONTEXT = 60


def _unit_precision(unit: str) -> DatePrecision:
    return _UNIT_PRECISION.get(unit, "range")


def _floating(expr: Expr) -> bool:
    """Expressions that pick the latest match before an anchor (P, or the end of a range)."""
    return (isinstance(expr, Day | Month) and expr.year is None) or isinstance(expr, Weekday)


def period(expr: Expr, published: dt.date | None, anchor: dt.date | None = None) -> Period | None:
    """The period ``expr`` denotes; None when it cannot be placed (unknown), including when it
    falls outside the calendar ("9999 years ago")."""
    try:
        return _period(expr, published, anchor)
    except (ValueError, OverflowError):
        return None


def _period(expr: Expr, published: dt.date | None, anchor: dt.date | None) -> Period | None:
    anchor = anchor or published
    if isinstance(expr, Day):
        return _day(expr, anchor)
    if isinstance(expr, Month):
        return _month(expr, anchor, published)
    if isinstance(expr, Year):
        if expr.year2 is not None:
            return Period(dt.date(expr.year, 1, 1), dt.date(expr.year2, 12, 31), "range")
        s, e = pd.year_part(expr.year, expr.part)
        return Period(s, e, "year" if expr.part in (None, "early", "mid", "late", "h1", "h2")
                      else "range")
    if isinstance(expr, Decade):
        offset = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}.get(expr.part or "", (0, 9))
        return Period(dt.date(expr.year + offset[0], 1, 1),
                      dt.date(expr.year + offset[1], 12, 31), "range")
    if isinstance(expr, Weekday):
        if anchor is None:
            return None
        if expr.dem == "next":
            d = pd.next_weekday(anchor, expr.weekday)
        else:
            d = pd.latest_weekday(anchor, expr.weekday, strict=expr.dem == "last")
        return Period(d, d, "day")
    if published is None:
        return None
    if isinstance(expr, RelDay):
        s = published + dt.timedelta(days=expr.offset)
        return Period(s, s + dt.timedelta(days=expr.length), "day" if expr.length == 0 else "range")
    if isinstance(expr, Unit):
        return _unit(expr, published)
    if isinstance(expr, Rolling):
        return _rolling(expr, published)
    if isinstance(expr, Ago):
        return _ago(expr, published)
    if isinstance(expr, Season):
        return _season(expr, published)
    return None  # Ref and Time need more than P


def _season(expr: Season, p: dt.date) -> Period:
    """"last summer" ended before P, "next summer" starts after P, "this summer" is P's year's
    (for winter from September on: the coming one)."""
    if expr.dem == "this":
        year = p.year + 1 if expr.season == "winter" and p.month >= 9 else p.year
    elif expr.dem == "last":
        year = next(y for y in range(p.year, p.year - 3, -1)
                    if pd.year_part(y, expr.season)[1] < p)
    else:
        year = next(y for y in range(p.year, p.year + 3) if pd.year_part(y, expr.season)[0] > p)
    s, e = pd.year_part(year, expr.season)
    return Period(s, e, "range")


def _day(expr: Day, anchor: dt.date | None) -> Period | None:
    try:
        if expr.year is not None and expr.month is not None:
            start = dt.date(expr.year, expr.month, expr.day)
        elif anchor is None:
            return None
        elif expr.month is None:
            found = pd.latest_day_of_month(anchor, expr.day)
            return Period(found, found, "day") if found else None
        else:
            found = pd.latest_month_day(anchor, expr.month, expr.day)
            if found is None:
                return None
            start = found
        if expr.day2 is None:
            return Period(start, start, "day")
        return Period(start, start.replace(day=expr.day2), "range")
    except ValueError:  # "Feb. 30"
        return None


def _month(expr: Month, anchor: dt.date | None, published: dt.date | None) -> Period | None:
    if expr.year is not None:
        year = expr.year
    elif expr.year_offset is not None:
        if published is None:
            return None
        year = published.year + expr.year_offset
    elif anchor is None:
        return None
    elif expr.dem == "last":
        year = anchor.year if expr.month < anchor.month else anchor.year - 1
    elif expr.dem == "this":
        year = anchor.year
    elif expr.dem == "next":
        year = anchor.year if expr.month > anchor.month else anchor.year + 1
    else:
        year = anchor.year if expr.month <= anchor.month else anchor.year - 1
    s, e = pd.month_part(year, expr.month, expr.part)
    return Period(s, e, "month")


def _unit(expr: Unit, p: dt.date) -> Period:
    if expr.unit == "weekend":
        if expr.offset > 0:
            sat = pd.next_weekday(p, 5)
        else:
            sat = pd.latest_weekday(p, 5)
            if expr.offset < 0 and p.weekday() >= 5:
                sat -= dt.timedelta(days=7)
        return Period(sat, sat + pd.DAY, "range")
    s, e = pd.unit_bounds(pd.shift(p, expr.unit, expr.offset), expr.unit)
    if expr.part == "earlier":
        e = max(s, min(e, p))
    elif expr.part == "later":
        s = min(e, max(s, p))
    return Period(s, e, _unit_precision(expr.unit))


def _rolling(expr: Rolling, p: dt.date) -> Period:
    if expr.unit == "hour":
        days = max(1, -(-(expr.n or 24) // 24))
        s, e = (p, p + dt.timedelta(days=days)) if expr.future else (p - dt.timedelta(days=days), p)
        return Period(s, e, "range")
    if expr.n is None:
        n, precision = VAGUE.get(expr.unit, (2, 9))[1], _VAGUE_PRECISION.get(expr.unit, "range")
    else:
        n = expr.n
        precision = _unit_precision(expr.unit) if n == 1 and expr.unit != "day" else "range"
    if expr.future:
        return Period(p, pd.shift(p, expr.unit, n), precision)
    return Period(pd.shift(p, expr.unit, -n), p, precision)


def _ago(expr: Ago, p: dt.date) -> Period:
    if expr.unit == "hour":
        d = p - dt.timedelta(days=(expr.n or 0) // 24)
        return Period(d, d, "day")
    if expr.n is None:
        lo, hi = VAGUE.get(expr.unit, (2, 9))
        s, e = pd.shift(p, expr.unit, -hi), pd.shift(p, expr.unit, -lo)
        if expr.unit != "day":
            s, e = pd.unit_bounds(s, expr.unit)[0], pd.unit_bounds(e, expr.unit)[1]
        return Period(s, e, _VAGUE_PRECISION.get(expr.unit, "range"))
    ref = pd.shift(p, expr.unit, -expr.n)
    if expr.unit == "day":
        return Period(ref, ref, "day")
    s, e = pd.unit_bounds(ref, expr.unit)
    return Period(s, e, _unit_precision(expr.unit))


def relative_to(expr: Ref, ref: Period) -> Period | None:
    """``expr`` ("the following day", "three days after") counted from ``ref``."""
    try:
        return _relative_to(expr, ref)
    except (ValueError, OverflowError):
        return None


def _relative_to(expr: Ref, ref: Period) -> Period | None:
    unit, n = expr.unit, expr.n
    if unit == "hour":
        if n is None or abs(n) < 24:
            return ref
        unit, n = "day", n // 24
    if n is None:
        lo, hi = VAGUE.get(unit, (2, 9))
        if expr.sign > 0:
            s, e = pd.shift(ref.start, unit, lo), pd.shift(ref.end, unit, hi)
        else:
            s, e = pd.shift(ref.start, unit, -hi), pd.shift(ref.end, unit, -lo)
        return Period(s, e, _VAGUE_PRECISION.get(unit, "range"))
    if unit == "day":
        if n == 0:
            return ref
        if ref.precision not in ("day", "week"):
            return None
        return Period(pd.shift(ref.start, "day", n), pd.shift(ref.end, "day", n), ref.precision)
    s, e = pd.unit_bounds(pd.shift(ref.start, unit, n), unit)
    return Period(s, e, _unit_precision(unit))


def reference_before(text: str, pos: int, published: dt.date | None) -> Period | None:
    """The nearest day- or week-precision date written before ``pos``.

    Searched backwards in overlapping chunks, since the reference is usually in the same or the
    previous sentence and a full 1,500-character scan would dominate the cost of a call.
    """
    limit = max(0, pos - REFERENCE_WINDOW)
    hi = pos
    while hi > limit:
        lo = max(limit, hi - _CHUNK)
        if lo > limit:
            space = text.find(" ", lo, hi)
            lo = space + 1 if space >= 0 else lo
        found: Period | None = None
        for a in atoms(text, lo, hi):
            if isinstance(a.expr, Time | Ref):
                continue
            p = period(a.expr, published)
            if p is not None and p.precision in ("day", "week"):
                found = p
        if found is not None:
            return found
        if lo <= limit:
            break
        hi = min(pos, lo + _OVERLAP)  # an atom cut by the chunk edge is seen whole next time
    return None


# ---- grouping atoms with their context -----------------------------------------------------

_TIME_GLUE = re.compile(
    r"\s*(?:(?:,|\(|\)|-|–|—|at|on|around|about|approximately|roughly|shortly|just|after|before|"
    r"by|of|from|in\s+the|local\s+time)\s*)*", re.IGNORECASE)
_WEEKDAY_GLUE = re.compile(r"\s*,?\s*\(?\s*(?:the\s+)?", re.IGNORECASE)
_RANGE_GLUE = re.compile(r"\s*(?:-|–|—|to|through|thru|until|till|and)\s*", re.IGNORECASE)
_NEXT_GLUE = re.compile(r"\s*(?:(?:the|an?|its|that|this)\s+)?", re.IGNORECASE)
_PREFIX = re.compile(r"\b(since|between|from)\s+(?:(?:the|an?)\s+)?$", re.IGNORECASE)


@dataclass(slots=True)
class Group:
    """Atoms that make one date: a day with its time, the two ends of a range, and so on."""

    atoms: list[Atom]
    start: int
    end: int
    prefix: str | None = None
    prefix_start: int | None = None
    is_range: bool = False
    extra: list[Atom] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return (self.prefix_start if self.prefix_start is not None else self.start, self.end)


def _is_time(a: Atom) -> bool:
    return isinstance(a.expr, Time)


def _joins(text: str, g: Group, b: Atom) -> bool:
    gap = text[g.end:b.start]
    if "\n" in gap or len(gap) > 40:
        return False
    last = g.atoms[-1]
    has_time = any(_is_time(a) for a in g.atoms)
    has_date = any(not _is_time(a) for a in g.atoms)
    if _is_time(b):
        if has_time:  # "6.30 p.m. local time (1530 GMT)": the first time stands
            return re.fullmatch(r"\s*\(?\s*", gap) is not None
        return _TIME_GLUE.fullmatch(gap) is not None
    if not has_date:
        return _TIME_GLUE.fullmatch(gap) is not None
    if g.is_range:
        return False
    if isinstance(last.expr, Weekday) and isinstance(b.expr, Day) and b.expr.month is not None:
        return _WEEKDAY_GLUE.fullmatch(gap) is not None
    if isinstance(last.expr, Ref) and last.expr.needs_next and not isinstance(b.expr, Ref):
        return _NEXT_GLUE.fullmatch(gap) is not None
    if isinstance(last.expr, Ref | Time) or isinstance(b.expr, Ref):
        return False
    m = _RANGE_GLUE.fullmatch(gap)
    if m is None or (gap.strip().lower() == "and" and g.prefix != "between"):
        return False
    g.is_range = True
    return True


def group_atoms(text: str, found: list[Atom], lo: int) -> list[Group]:
    groups: list[Group] = []
    i = 0
    while i < len(found):
        a = found[i]
        g = Group([a], a.start, a.end)
        m = _PREFIX.search(text, max(lo, a.start - 24), a.start)
        if m is not None:
            g.prefix, g.prefix_start = m.group(1).lower(), m.start()
        i += 1
        while i < len(found) and _joins(text, g, found[i]):
            g.atoms.append(found[i])
            g.end = found[i].end
            i += 1
        if g.prefix in ("between", "from") and not g.is_range:
            g.prefix = g.prefix_start = None
        groups.append(g)
    return groups


def evaluate(text: str, g: Group, published: dt.date | None) -> DateInfo:
    """The DateInfo a group stands for (precision "unknown" when it cannot be placed)."""
    times = [a.expr for a in g.atoms if isinstance(a.expr, Time)]
    time = times[0].text if times else None
    dates = [a for a in g.atoms if not isinstance(a.expr, Time)]
    s, e = g.span
    result: Period | None = None
    if dates:
        result = _date_of(text, g, dates, published)
        if result is not None and g.prefix == "since":
            result = Period(result.start, published or result.start, "range")
            if published is None:
                return DateInfo(result.start, None, "range", time, text[s:e], (s, e))
    if result is None:
        return DateInfo(None, None, "unknown", time, text[s:e], (s, e))
    return DateInfo(result.start, result.end, result.precision, time, text[s:e], (s, e))


def _date_of(text: str, g: Group, dates: list[Atom], published: dt.date | None) -> Period | None:
    if g.is_range and len(dates) == 2:
        a, b = dates
        pb = _single(text, b, published)
        if pb is None:
            return None
        pa = period(a.expr, published, pb.start if _floating(a.expr) else None)
        if pa is None:
            return None
        return Period(min(pa.start, pb.start), max(pa.end, pb.end), "range")
    first = dates[0]
    if isinstance(first.expr, Ref) and first.expr.needs_next:
        if len(dates) < 2:
            return None  # "days after multiple missiles targeted ...": anchored to an event
        target = _single(text, dates[1], published)
        return relative_to(first.expr, target) if target else None
    return _single(text, dates[-1], published)


def _single(text: str, a: Atom, published: dt.date | None) -> Period | None:
    if isinstance(a.expr, Ref):
        if a.expr.needs_next:
            return None
        ref = reference_before(text, a.start, published)
        if ref is None and a.expr.n == -1 and published is not None:
            # "the previous week" with no date before it: the week before publication
            ref = Period(published, published, "day")
        return relative_to(a.expr, ref) if ref else None
    return period(a.expr, published)


def groups_in(text: str, start: int, end: int, published: dt.date | None) -> list[Group]:
    return group_atoms(text, list(atoms(text, start, end)), start)


def _window(text: str, span: Span) -> tuple[int, int]:
    """Where to look for context: ±60 characters within the paragraph, cut at word breaks."""
    s, e = span
    lo = max(0, s - _CONTEXT, text.rfind("\n", 0, s) + 1)
    if lo > 0 and not text[lo - 1].isspace():
        nxt = text.find(" ", lo, s)
        lo = nxt + 1 if nxt >= 0 else s
    nl = text.find("\n", e)
    hi = min(len(text), e + _CONTEXT, nl if nl >= 0 else len(text))
    if hi < len(text) and not text[hi].isspace():
        prev = text.rfind(" ", e, hi)
        hi = prev if prev >= 0 else e
    return lo, hi


def resolve_span(text: str, span: Span, published: dt.date | None) -> DateInfo | None:
    s, e = span
    if not 0 <= s < e <= len(text):
        return None
    lo, hi = _window(text, span)
    hits = [g for g in groups_in(text, lo, hi, published) if g.start < e and s < g.end]
    if not hits:
        fb = fallback_period(text[s:e], published)
        if fb is None:
            return None
        start, end, precision = fb
        return DateInfo(start, end, precision, None, text[s:e], (s, e))
    infos = [(g, evaluate(text, g, published)) for g in hits]
    dated = [(g, i) for g, i in infos if not (i.start is None and i.time)]
    if not dated:
        return infos[0][1]
    _, main = max(dated, key=lambda gi: min(e, gi[0].end) - max(s, gi[0].start))
    if main.time is None:
        for _, other in infos:
            if other.time:
                return DateInfo(main.start, main.end, main.precision, other.time, main.text,
                                main.span)
    return main
