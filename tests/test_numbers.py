"""Reported quantities (``parse_count``) and casualty figures (``find_casualties``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashpoint.extract.casualties import CasualtyFigure, find_casualties
from flashpoint.extract.numbers import _COUNT_RE, count_starts, match_count, parse_count
from flashpoint.types import Count

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLE = SHARED / "examples" / "anadolu-2024-01-24-us-strikes-iraq.txt"


def c(low: int | None, best: int | None, high: int | None) -> Count:
    return Count(low, best, high)


# ---- parse_count ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25,500", c(25500, 25500, 25500)),
        ("nearly 25,500", c(None, 25500, 25500)),
        ("over 1,200", c(1200, 1200, None)),
        ("more than 1,200", c(1200, 1200, None)),
        ("at least 5", c(5, 5, None)),
        ("up to 30", c(None, 30, 30)),
        ("as many as 30", c(None, 30, 30)),
        ("fewer than 10", c(None, None, 10)),
        ("about 40", c(None, 40, None)),
        ("around 40", c(None, 40, None)),
        ("approximately 40", c(None, 40, None)),
        ("an estimated 500", c(None, 500, None)),
        ("between 10 and 20", c(10, 15, 20)),
        ("10 to 20", c(10, 15, 20)),
        ("10-20", c(10, 15, 20)),
        ("10–20", c(10, 15, 20)),
        ("two or three", c(2, 2, 3)),
        ("two", c(2, 2, 2)),
        ("Twenty-three", c(23, 23, 23)),
        ("two hundred and fifty", c(250, 250, 250)),
        ("one thousand two hundred", c(1200, 1200, 1200)),
        ("a dozen", c(None, 12, None)),
        ("two dozen", c(None, 24, None)),
        ("half a dozen", c(None, 6, None)),
        ("more than a dozen", c(12, 12, None)),
        ("dozens", c(24, 36, 99)),
        ("dozens of", c(24, 36, 99)),
        ("scores", c(40, 60, 199)),
        ("hundreds", c(200, 300, 999)),
        ("thousands", c(2000, 3000, 9999)),
        ("tens of thousands", c(20000, 30000, 99999)),
        ("hundreds of thousands", c(200000, 300000, 999999)),
        ("a few hundred", c(200, 300, 500)),
        ("1.2 million", c(1200000, 1200000, 1200000)),
        ("a handful", c(2, 4, 6)),
        ("several", c(3, 5, 9)),
        ("a few", c(2, 3, 5)),
        ("a number of", c(2, None, None)),
        ("a couple of", c(2, 2, 3)),
        ("one", c(1, 1, 1)),
        ("a", c(1, 1, 1)),
        ("an", c(1, 1, 1)),
        ("no", c(0, 0, 0)),
        ("none", c(0, 0, 0)),
        ("1,200-plus", c(1200, 1200, None)),
        ("40 or more", c(40, 40, None)),
        ("40 or so", c(None, 40, None)),
        ("a total of 12", c(12, 12, 12)),
    ],
)
def test_parse_count(text: str, expected: Count) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["19-year-old", "6.30", "hello", "1 or 100", "2023-24",
                                  "at least no", "", "people"])
def test_parse_count_rejects(text: str) -> None:
    assert parse_count(text) is None


def test_count_starts_finds_every_start() -> None:
    """The word-level shortcut must find every position where the full pattern matches."""
    texts = ["Over 1,200 people, about a dozen more, 10-20 others and tens of thousands; "
             "between 3 and 5, nearly a hundred, 2.5 million, none, both, Twenty-three."]
    if EXAMPLE.exists():
        texts.append(EXAMPLE.read_text(encoding="utf-8"))
    for text in texts:
        brute = [i for i in range(len(text)) if match_count(text, i) is not None
                 or _COUNT_RE.match(text, i) is not None]
        assert count_starts(text) == brute


def test_match_count_reports_its_span() -> None:
    text = "killed nearly 25,500 people"
    m = match_count(text, 7)
    assert m is not None and text[m.span[0]:m.span[1]] == "nearly 25,500" and m.core == "25,500"


# ---- find_casualties ------------------------------------------------------------------------


def figures(text: str) -> list[tuple[str, Count, str]]:
    return [(f.kind, f.count, f.text) for f in find_casualties(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("An airstrike killed at least 12 people, including three children, in Rafah.",
         [("killed", c(12, 12, None), "killed at least 12 people")]),
        ("12 people were killed and 30 wounded.",
         [("killed", c(12, 12, 12), "12 people were killed"),
          ("injured", c(30, 30, 30), "30 wounded")]),
        ("The blast left 5 dead.", [("killed", c(5, 5, 5), "left 5 dead")]),
        ("Militants stormed the village, killing 3 civilians and wounding 10.",
         [("killed", c(3, 3, 3), "killing 3 civilians"),
          ("injured", c(10, 10, 10), "wounding 10")]),
        ("The death toll rose to 40 on Sunday.",
         [("killed", c(40, 40, 40), "death toll rose to 40")]),
        ("The death toll surpassed 25,000.",
         [("killed", c(25000, 25000, None), "death toll surpassed 25,000")]),
        ("3 soldiers were wounded in the attack.",
         [("injured", c(3, 3, 3), "3 soldiers were wounded")]),
        ("At least 5 people, including two children, were killed.",
         [("killed", c(5, 5, None), "At least 5 people, including two children, were killed")]),
        ("At least 106 protesters in 21 cities have been killed.",
         [("killed", c(106, 106, None), "At least 106 protesters in 21 cities have been killed")]),
        ("Four people died and 12 were hurt.",
         [("killed", c(4, 4, 4), "Four people died"), ("injured", c(12, 12, 12), "12 were hurt")]),
        ("The clashes claimed the lives of 14 protesters.",
         [("killed", c(14, 14, 14), "claimed the lives of 14 protesters")]),
        ("A 19-year-old Palestinian was killed by Israeli fire.",
         [("killed", c(1, 1, 1), "A 19-year-old Palestinian was killed")]),
        ("Dozens of people were injured.",
         [("injured", c(24, 36, 99), "Dozens of people were injured")]),
        ("12 people were killed or wounded.",
         [("casualties", c(12, 12, 12), "12 people were killed or wounded")]),
        ("There were no casualties.", [("casualties", c(0, 0, 0), "no casualties")]),
        ("No one was hurt in the attack.", [("casualties", c(0, 0, 0), "No one was hurt")]),
        ("Nobody was killed.", [("killed", c(0, 0, 0), "Nobody was killed")]),
        ("No injuries were reported.", [("injured", c(0, 0, 0), "No injuries")]),
    ],
)
def test_casualty_patterns(text: str, expected: list[tuple[str, Count, str]]) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "There were no immediate reports of casualties.",  # unknown, not zero
        "In 2014 militants were killed in the raid.",  # a year
        "It happened on Oct. 7 when rockets were fired.",
        "A 19-year-old man was arrested.",
        "The US carried out strikes against three facilities.",
        "The talks lasted two days.",
        "The attack, which cost $5 million, was condemned.",
        "Two rockets hit the base.",
        "An airstrike killed the commander.",  # no number
        "The 30 minutes of shelling left the town dark.",
    ],
)
def test_not_casualty_figures(text: str) -> None:
    assert figures(text) == []


def test_ages_times_and_dates_are_not_counts() -> None:
    text = "Troops killed 19-year-old Ahmed at 5 p.m. on Oct. 7, 2023, and wounded 2 near Jenin."
    assert figures(text) == [("injured", c(2, 2, 2), "wounded 2")]


def test_figure_spans() -> None:
    text = "Officials said the strike has killed nearly 25,500 people since the war began."
    (fig,) = find_casualties(text, 0, len(text))
    assert isinstance(fig, CasualtyFigure)
    assert text[fig.number_span[0]:fig.number_span[1]] == "nearly 25,500"
    assert text[fig.trigger_span[0]:fig.trigger_span[1]] == fig.trigger == "killed"
    assert text[fig.span[0]:fig.span[1]] == fig.text == "killed nearly 25,500 people"


def test_sentence_bounds_are_respected() -> None:
    text = "Five people were killed. Ten were wounded."
    first = find_casualties(text, 0, 24)
    assert [(f.kind, f.count.best) for f in first] == [("killed", 5)]
    assert all(f.span[1] <= 24 for f in first)


def test_example_article() -> None:
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} is absent (the shared corpora live in ../shared beside the repo)")
    text = EXAMPLE.read_text(encoding="utf-8")
    got = [(f.kind, f.count, f.text) for f in find_casualties(text, 0, len(text))]
    assert got == [
        ("killed", c(None, 25500, 25500), "killed nearly 25,500 people"),
        ("killed", c(1200, 1200, None), "over 1,200 people are believed to have been killed"),
    ]


def test_wikievents_sentences() -> None:
    path = SHARED / "data" / "wikievents" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpora live in ../shared beside the repo)")
    found: dict[str, tuple[str, int | None]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        for f in find_casualties(text, 0, len(text)):
            assert text[f.span[0]:f.span[1]] == f.text
            found[f.text] = (f.kind, f.count.best)
    assert found["Three other Russian military personnel were wounded"] == ("injured", 3)
    assert found["killed 23 Afghan soldiers"] == ("killed", 23)
    assert found["Twenty insurgents were killed"] == ("killed", 20)


# ---- properties -----------------------------------------------------------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def ordered(count: Count) -> bool:
    values = [v for v in (count.low, count.best, count.high) if v is not None]
    return values == sorted(values)


QUALIFIERS = {"": "exact", "at least ": "low", "more than ": "low", "over ": "low",
              "nearly ": "high", "up to ": "high", "about ": "best", "around ": "best",
              "fewer than ": "high_only"}


@settings(max_examples=400, deadline=None)
@given(n=st.integers(0, 10_000_000), style=st.sampled_from(["comma", "plain", "words"]),
       qualifier=st.sampled_from(sorted(QUALIFIERS)))
def test_parse_count_round_trips(n: int, style: str, qualifier: str) -> None:
    if style == "words" and n > 99:
        n %= 100
    written = words(n) if style == "words" else f"{n:,}" if style == "comma" else str(n)
    count = parse_count(qualifier + written)
    assert count is not None, qualifier + written
    assert ordered(count)
    kind = QUALIFIERS[qualifier]
    if kind == "exact":
        assert count == Count(n, n, n)
    elif kind == "low":
        assert count.low == count.best == n and count.high is None
    elif kind == "high":
        assert count.best == count.high == n and count.low is None
    elif kind == "best":
        assert count == Count(None, n, None)
    else:
        assert count == Count(None, None, n)


@settings(max_examples=200, deadline=None)
@given(a=st.integers(0, 100_000), gap=st.integers(1, 100_000),
       form=st.sampled_from(["between {a} and {b}", "{a} to {b}", "{a}-{b}", "from {a} to {b}"]))
def test_ranges(a: int, gap: int, form: str) -> None:
    b = a + gap
    count = parse_count(form.format(a=f"{a:,}", b=f"{b:,}"))
    assert count is not None and count.low == a and count.high == b
    assert count.best is not None and a <= count.best <= b


NOUNS = ["people", "civilians", "Palestinian civilians", "U.S. soldiers", "members of the family",
         "others", "Afghan troops"]
FRAMES = [
    ("{q}{n} {noun} were killed", "killed"),
    ("{q}{n} {noun} have been wounded", "injured"),
    ("the attack killed {q}{n} {noun}", "killed"),
    ("the raid left {q}{n} {noun} dead", "killed"),
    ("injuring {q}{n} {noun}", "injured"),
    ("the death toll rose to {q}{n}", "killed"),
]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 5_000_000), frame=st.sampled_from(FRAMES), noun=st.sampled_from(NOUNS),
       qualifier=st.sampled_from(["", "at least ", "nearly ", "more than ", "about "]),
       before=st.sampled_from(["", "Officials said on Tuesday that ", "In Gaza, "]),
       after=st.sampled_from(["", " on Oct. 7.", ", the ministry said.", " in 2023."]))
def test_casualty_spans_and_counts(n: int, frame: tuple[str, str], noun: str, qualifier: str,
                                   before: str, after: str) -> None:
    template, kind = frame
    text = before + template.format(q=qualifier, n=f"{n:,}", noun=noun) + after
    found = find_casualties(text, 0, len(text))
    for f in found:
        assert text[f.span[0]:f.span[1]] == f.text
        assert f.span[0] <= f.number_span[0] < f.number_span[1] <= f.span[1]
        assert f.span[0] <= f.trigger_span[0] < f.trigger_span[1] <= f.span[1]
        assert text[f.trigger_span[0]:f.trigger_span[1]] == f.trigger
        assert ordered(f.count)
    assert [(f.kind, f.count.best) for f in found] == [(kind, n)], text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["killed ", "were ", "wounded ", "at least ", "12 ", "1,200 ", "two ", "people ", "a ",
     "dozens ", "no one ", "death toll ", "rose to ", "Oct. ", "7 ", "2023 ", ", ", ". ", "-"]),
    max_size=20).map("".join))
def test_spans_always_slice_the_text(text: str) -> None:
    for f in find_casualties(text, 0, len(text)):
        assert text[f.span[0]:f.span[1]] == f.text
        assert text[f.number_span[0]:f.number_span[1]].strip()
        assert ordered(f.count)
