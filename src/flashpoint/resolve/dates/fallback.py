"""Last resort for absolute dates the fast grammar does not know ("24-Jan-2024", "JAN 24").

``dateparser`` covers many more written forms, but costs about a millisecond a call (and a
quarter of a second for its first), and guesses wildly on non-dates ("17 27" → 1927), so it
only sees spans that carry both a month name and a digit, or a numeric d/m/y shape, and its
answer must be a plausible year.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ...types import DatePrecision
from . import periods as pd

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_NUMERIC = re.compile(r"\b\d{1,4}([/.-])\d{1,2}\1\d{2,4}\b")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=32)
def _parser(published: dt.date | None) -> DateDataParser:
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime(published.year, published.month, published.day)
    return DateDataParser(languages=["en"], settings=settings)


def fallback_period(
    text: str, published: dt.date | None
) -> tuple[dt.date, dt.date, DatePrecision] | None:
    """(start, end, precision) for an absolute date written in an unusual form, else None."""
    if len(text) > 40 or not (
        (_MONTH.search(text) and _DIGIT.search(text)) or _NUMERIC.search(text)
    ):
        return None
    try:
        data = _parser(published).get_date_data(text.strip())
    except (ValueError, OverflowError, TypeError):
        return None
    when = data.date_obj
    if when is None or not 1800 <= when.year <= 2100:
        return None
    day = when.date()
    if data.period == "month":
        s, e = pd.month_bounds(day.year, day.month)
        return s, e, "month"
    if data.period == "year":
        s, e = pd.year_bounds(day.year)
        return s, e, "year"
    if data.period == "week":
        s, e = pd.week_bounds(day)
        return s, e, "week"
    return day, day, "day"
