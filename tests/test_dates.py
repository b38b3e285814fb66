"""Date and time resolution: fixed cases against a known publication date, and properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashpoint.resolve.dates import fallback, find_dates, grammar, merge_date_time, resolve_date
from flashpoint.types import DateInfo

P = dt.date(2024, 1, 24)  # a Wednesday
D = dt.date
EXAMPLE = (Path(__file__).resolve().parents[1].parent / "shared" / "examples"
           / "anadolu-2024-01-24-us-strikes-iraq.txt")
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def at(text: str, sub: str | None = None, published: dt.date | None = P) -> DateInfo | None:
    """Resolve the first occurrence of ``sub`` (default: all of ``text``) in ``text``."""
    sub = text if sub is None else sub
    i = text.index(sub)
    return resolve_date(text, (i, i + len(sub)), published)


def span_of(info: DateInfo | None) -> tuple[dt.date | None, dt.date | None, str]:
    assert info is not None
    return info.start, info.end, info.precision


# ---- the brief's reference cases ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sub", "expected"),
    [
        ("The US carried out strikes on Tuesday against", "Tuesday", (D(2024, 1, 23),) * 2
         + ("day",)),
        ("missiles targeted the base on Saturday, which", "Saturday", (D(2024, 1, 20),) * 2
         + ("day",)),
        ("the Oct. 7 offensive by Hamas", "Oct. 7", (D(2023, 10, 7),) * 2 + ("day",)),
        ("Tensions have escalated since an Oct. 7 cross-border incursion", "Oct. 7",
         (D(2023, 10, 7), P, "range")),
        ("on Wednesday", "Wednesday", (P, P, "day")),  # P itself is a Wednesday
        ("yesterday", None, (D(2024, 1, 23),) * 2 + ("day",)),
        ("last week", None, (D(2024, 1, 15), D(2024, 1, 21), "week")),
        ("this week", None, (D(2024, 1, 22), D(2024, 1, 28), "week")),
        ("earlier this month", None, (D(2024, 1, 1), P, "month")),
        ("this month", None, (D(2024, 1, 1), D(2024, 1, 31), "month")),
        ("last month", None, (D(2023, 12, 1), D(2023, 12, 31), "month")),
        ("attacks in 2022 rose", "2022", (D(2022, 1, 1), D(2022, 12, 31), "year")),
        ("since 2014", "2014", (D(2014, 1, 1), P, "range")),
        ("between Jan. 5 and Jan. 9", "Jan. 5", (D(2024, 1, 5), D(2024, 1, 9), "range")),
        ("from Dec. 28 to Jan. 3", "Jan. 3", (D(2023, 12, 28), D(2024, 1, 3), "range")),
        ("Jan. 5-7", None, (D(2024, 1, 5), D(2024, 1, 7), "range")),
        ("January 24,2024", None, (P, P, "day")),
        ("24 January 2024", None, (P, P, "day")),
        ("7 October", None, (D(2023, 10, 7),) * 2 + ("day",)),
        ("last Tuesday", None, (D(2024, 1, 23),) * 2 + ("day",)),
        ("last Wednesday", None, (D(2024, 1, 17),) * 2 + ("day",)),
        ("next Tuesday", None, (D(2024, 1, 30),) * 2 + ("day",)),
        ("two days ago", None, (D(2024, 1, 22),) * 2 + ("day",)),
        ("days ago", None, (D(2024, 1, 15), D(2024, 1, 22), "week")),
        ("three days after the Oct. 7 attack", "three days", (D(2023, 10, 10),) * 2 + ("day",)),
        ("overnight", None, (D(2024, 1, 23), P, "range")),
        ("over the weekend", None, (D(2024, 1, 20), D(2024, 1, 21), "range")),
        ("the past three days", None, (D(2024, 1, 21), P, "range")),
        ("late January", None, (D(2024, 1, 21), D(2024, 1, 31), "month")),
        ("in May", "May", (D(2023, 5, 1), D(2023, 5, 31), "month")),
        ("the 1990s", None, (D(1990, 1, 1), D(1999, 12, 31), "range")),
        ("2005-2006", None, (D(2005, 1, 1), D(2006, 12, 31), "range")),
        ("Christmas Day", None, (D(2023, 12, 25),) * 2 + ("day",)),
        ("On Monday, Jan. 22, troops", "Monday", (D(2024, 1, 22),) * 2 + ("day",)),
        ("a year ago", None, (D(2023, 1, 1), D(2023, 12, 31), "year")),
        ("2024-01-20", None, (D(2024, 1, 20),) * 2 + ("day",)),
        ("24-Jan-2024", None, (P, P, "day")),  # dateparser fallback
    ],
)
def test_reference_cases(text: str, sub: str | None, expected: tuple[object, ...]) -> None:
    assert span_of(at(text, sub)) == expected


def test_local_time_is_read_as_a_bare_time() -> None:
    info = at("said Saturday that at approximately 6.30 p.m. local time, multiple", "6.30 p.m.")
    assert info is not None
    assert (info.start, info.precision, info.time) == (None, "unknown", "18:30")
    assert info.text == "6.30 p.m. local time"


@pytest.mark.parametrize(
    ("text", "time"),
    [("18:30 GMT", "18:30"), ("noon", "12:00"), ("midnight", "00:00"), ("3pm", "15:00"),
     ("10 a.m.", "10:00"), ("12 a.m.", "00:00"), ("12 p.m.", "12:00"), ("1530 GMT", "15:30"),
     ("9:02 a.m.", "09:02")],
)
def test_times(text: str, time: str) -> None:
    info = at(text)
    assert info is not None and info.time == time


def test_time_joined_to_a_day() -> None:
    info = at("The blast hit at 18:30 GMT on Sunday near the port", "18:30 GMT")
    assert span_of(info) == (D(2024, 1, 21), D(2024, 1, 21), "day")
    assert info is not None and info.time == "18:30" and info.text == "18:30 GMT on Sunday"


def test_context_extends_the_span() -> None:
    text = "Tensions rose since an Oct. 7 incursion."
    info = at(text, "Oct. 7")
    assert info is not None and info.text == "since an Oct. 7"
    assert info.span is not None and text[info.span[0]:info.span[1]] == info.text


def test_days_after_an_event_is_unknown() -> None:
    info = at("The strikes came days after missiles hit the base", "days")
    assert info is not None and (info.start, info.precision) == (None, "unknown")


def test_following_day_uses_the_previous_date() -> None:
    text = "The strike happened on Jan. 20. The following day, more came."
    assert span_of(at(text, "The following day")) == (D(2024, 1, 21), D(2024, 1, 21), "day")
    orphan = at("The following day, more came.", "The following day")
    assert orphan is not None and orphan.precision == "unknown"


@pytest.mark.parametrize(("text", "sub"), [
    ("three days", None), ("30 minutes", None), ("annual", None), ("43-year-old", None),
    ("years", None), ("the day", None), ("29", None), ("about 2000 people", "2000"),
    ("You may go", "may"), ("March on the capital", "March"), ("Jan Egeland said", "Jan"),
])
def test_non_dates_give_none(text: str, sub: str | None) -> None:
    assert at(text, sub) is None


def test_out_of_calendar_is_unknown_not_an_error() -> None:
    info = at("9999 years ago")
    assert info is not None and info.precision == "unknown"


def test_without_publication_date() -> None:
    for rel in ("Tuesday", "yesterday", "last week", "Oct. 7", "two days ago"):
        info = at(rel, published=None)
        assert info is not None and (info.start, info.precision) == (None, "unknown"), rel
    assert span_of(at("January 24, 2024", published=None)) == (P, P, "day")
    since = at("since Oct. 7, 2023", "Oct. 7, 2023", published=None)
    assert since is not None and (since.start, since.end, since.precision) == (
        D(2023, 10, 7), None, "range")


def test_published_may_be_a_datetime() -> None:
    info = at("on Tuesday", "Tuesday", published=dt.datetime(2024, 1, 24, 15, 0))
    assert span_of(info) == (D(2024, 1, 23), D(2024, 1, 23), "day")


def test_merge_date_time() -> None:
    day = DateInfo(D(2024, 1, 20), D(2024, 1, 20), "day", None, "Saturday", (10, 18))
    time = DateInfo(None, None, "unknown", "18:30", "6.30 p.m.", (40, 49))
    merged = merge_date_time(day, time)
    assert merged == DateInfo(D(2024, 1, 20), D(2024, 1, 20), "day", "18:30", "Saturday", (10, 18))
    assert merge_date_time(None, time) is time
    assert merge_date_time(day, None) is day
    timed = DateInfo(D(2024, 1, 20), D(2024, 1, 20), "day", "09:00", "x", (0, 1))
    assert merge_date_time(timed, time) is timed  # an own time is kept


def test_common_forms_never_reach_dateparser() -> None:
    before = fallback._parser.cache_info()
    for text in ("Tuesday", "Oct. 7", "January 24, 2024", "last week", "6.30 p.m.", "2023",
                 "yesterday", "since Oct. 7", "two days ago", "earlier this month"):
        at(text, published=D(1999, 3, 3))  # a date no other test uses, so the cache is cold
    assert fallback._parser.cache_info().misses == before.misses


def test_example_article() -> None:
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} is absent (the shared corpora live in ../shared beside the repo)")
    text = EXAMPLE.read_text(encoding="utf-8")
    found = {info.text: info for _, info in find_dates(text, 0, len(text), P)}
    assert found["Tuesday"].start == D(2024, 1, 23)
    assert found["Saturday"].start == D(2024, 1, 20)
    assert found["6.30 p.m. local time"].time == "18:30"
    assert span_of(found["since an Oct. 7"]) == (D(2023, 10, 7), P, "range")
    assert found["January 24,2024"].start == P
    for span, info in find_dates(text, 0, len(text), P):
        assert text[span[0]:span[1]] == info.text and info.span == span


def test_fast_scan_matches_full_scan() -> None:
    """The candidate-position shortcut must find exactly what the full regex scan finds."""
    texts = ["Since Oct. 7, 2023, more than 25,000 people; the next day at 6.30 p.m. local time "
             "(1530 GMT), two days ago, in mid-2019, the early 1990s, Christmas Eve, last spring, "
             "a week later, over the weekend, the first half of 2020, on the 17th, 24 January."]
    if EXAMPLE.exists():
        texts.append(EXAMPLE.read_text(encoding="utf-8"))
    wiki = DATA / "wikievents" / "dev.jsonl"
    if wiki.exists():
        import json

        texts += [json.loads(line)["text"] for line in wiki.read_text().splitlines()[:20]]
    for text in texts:
        fast = [m.span() for m in grammar.matches(text, 0, len(text))]
        full = [m.span() for m in grammar.PATTERN.finditer(text) if m.end() > m.start()]
        assert fast == full


# ---- properties -----------------------------------------------------------------------------

dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@settings(max_examples=300, deadline=None)
@given(published=dates, weekday=st.integers(0, 6),
       prefix=st.sampled_from(["", "on ", "early ", "late ", "By "]),
       suffix=st.sampled_from(["", "'s", " morning", " night", ","]),
       filler=st.sampled_from(["Troops attacked the town ", "", "Officials said that "]))
def test_weekday_within_the_week_before_publication(
    published: dt.date, weekday: int, prefix: str, suffix: str, filler: str
) -> None:
    text = f"{filler}{prefix}{WEEKDAYS[weekday]}{suffix} and left."
    info = at(text, WEEKDAYS[weekday], published)
    assert info is not None and info.start is not None and info.precision == "day"
    assert info.start == info.end
    assert info.start.weekday() == weekday
    assert published - dt.timedelta(days=6) <= info.start <= published


@settings(max_examples=300, deadline=None)
@given(published=dates, month=st.integers(1, 12), day=st.integers(1, 31),
       style=st.integers(0, 4))
def test_month_day_within_the_past_year(published: dt.date, month: int, day: int,
                                        style: int) -> None:
    if day > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]:
        return
    full = D(2000, month, 1).strftime("%B")
    abbr = full[:3] + ("." if len(full) > 4 else "")
    written = [f"{abbr} {day}", f"{full} {day}", f"{day} {full}", f"{full} {day}th",
               f"{day}th of {full}"][style]
    info = at(f"The attack on {written} killed", written, published)
    assert info is not None and info.start is not None and info.precision == "day"
    assert (info.start.month, info.start.day) == (month, day)
    assert info.start <= published
    if (month, day) != (2, 29):
        assert published - info.start < dt.timedelta(days=366)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    [*"abc 0123456789.,:-/(", "Oct. ", "Tuesday", "last ", "week", "since ", " p.m.", "2023",
     "days ", "ago", "May ", "between ", " and ", "the following day", "12:30"]),
    max_size=25).map("".join))
def test_find_dates_spans_slice_the_text(text: str) -> None:
    for span, info in find_dates(text, 0, len(text), P):
        assert 0 <= span[0] < span[1] <= len(text)
        assert text[span[0]:span[1]] == info.text
        if info.start is not None and info.end is not None:
            assert info.start <= info.end
