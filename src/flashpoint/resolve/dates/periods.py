"""Calendar arithmetic for date resolution: weeks, months, "the latest Oct. 7 before P".

Weeks are ISO weeks (Monday to Sunday), the convention of most wire services' "last week".
"""

from __future__ import annotations

import calendar
import datetime as dt

DAY = dt.timedelta(days=1)


def week_bounds(d: dt.date) -> tuple[dt.date, dt.date]:
    monday = d - dt.timedelta(days=d.weekday())
    return monday, monday + dt.timedelta(days=6)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def add_months(d: dt.date, n: int) -> dt.date:
    """Same day of month ``n`` months away, clamped to the month's length."""
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def latest_weekday(anchor: dt.date, weekday: int, strict: bool = False) -> dt.date:
    """The most recent ``weekday`` (0 = Monday) on or before ``anchor`` (before, if strict)."""
    back = (anchor.weekday() - weekday) % 7
    if back == 0 and strict:
        back = 7
    return anchor - dt.timedelta(days=back)


def next_weekday(anchor: dt.date, weekday: int) -> dt.date:
    """The first ``weekday`` strictly after ``anchor``."""
    ahead = (weekday - anchor.weekday()) % 7 or 7
    return anchor + dt.timedelta(days=ahead)


def latest_month_day(anchor: dt.date, month: int, day: int) -> dt.date | None:
    """The latest ``month``/``day`` on or before ``anchor``; Feb 29 looks back to a leap year."""
    year = anchor.year if (month, day) <= (anchor.month, anchor.day) else anchor.year - 1
    for y in range(year, year - 8, -1):
        if day <= calendar.monthrange(y, month)[1]:
            return dt.date(y, month, day)
    return None


def latest_day_of_month(anchor: dt.date, day: int) -> dt.date | None:
    """The latest date with this day of month on or before ``anchor`` ("on the 7th")."""
    d = anchor.replace(day=1)
    if day <= anchor.day:
        return anchor.replace(day=day)
    for _ in range(3):
        d = add_months(d, -1)
        if day <= calendar.monthrange(d.year, d.month)[1]:
            return d.replace(day=day)
    return None


def month_part(year: int, month: int, part: str | None) -> tuple[dt.date, dt.date]:
    """Bounds of a month or of its first/middle/last third ("early", "mid", "late")."""
    first, last = month_bounds(year, month)
    if part == "early":
        return first, first.replace(day=10)
    if part == "mid":
        return first.replace(day=11), first.replace(day=20)
    if part == "late":
        return first.replace(day=21), last
    if part == "h1":
        return first, first.replace(day=15)
    if part == "h2":
        return first.replace(day=16), last
    return first, last


_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}


def year_part(year: int, part: str | None) -> tuple[dt.date, dt.date]:
    """Bounds of a year, a third of it, or a (northern-hemisphere, meteorological) season.

    "winter Y" is December Y-1 to February Y: the winter that most of Y's first weeks belong to.
    """
    if part == "early":
        return dt.date(year, 1, 1), dt.date(year, 4, 30)
    if part == "mid":
        return dt.date(year, 5, 1), dt.date(year, 8, 31)
    if part == "late":
        return dt.date(year, 9, 1), dt.date(year, 12, 31)
    if part == "h1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    if part == "h2":
        return dt.date(year, 7, 1), dt.date(year, 12, 31)
    if part == "winter":
        return dt.date(year - 1, 12, 1), month_bounds(year, 2)[1]
    if part in _SEASONS:
        a, b = _SEASONS[part]
        return dt.date(year, a, 1), month_bounds(year, b)[1]
    return year_bounds(year)


def shift(d: dt.date, unit: str, n: int) -> dt.date:
    """``d`` moved by ``n`` units (day, week, month, year, decade)."""
    if unit == "day":
        return d + dt.timedelta(days=n)
    if unit == "week":
        return d + dt.timedelta(days=7 * n)
    if unit == "month":
        return add_months(d, n)
    if unit == "year":
        return add_months(d, 12 * n)
    if unit == "decade":
        return add_months(d, 120 * n)
    raise ValueError(unit)


def unit_bounds(d: dt.date, unit: str) -> tuple[dt.date, dt.date]:
    """The calendar week/month/year/decade containing ``d``."""
    if unit == "week":
        return week_bounds(d)
    if unit == "month":
        return month_bounds(d.year, d.month)
    if unit == "year":
        return year_bounds(d.year)
    if unit == "decade":
        start = d.year - d.year % 10
        return dt.date(start, 1, 1), dt.date(start + 9, 12, 31)
    return d, d
