"""Reported quantities ("nearly 25,500", "dozens", "between 10 and 20") as ``Count`` ranges.

Casualty reports rarely give one exact number, so a figure becomes ``low``/``best``/``high``
(any of which may be unknown) following UCDP-style coding. The conventions, so that consumers
can rely on them:

* exact figure ("25,500", "twenty-three", "1.2 million", "a total of 12"): low = best = high.
* "at least N", "no fewer than N", "N or more", "N+": low = best = N, high unknown.
* "more than N", "over N", "in excess of N", "upwards of N": also low = best = N. Round figures
  are thresholds, so N+1 would claim a precision the source does not have (ACLED and UCDP code
  "more than N" as N too).
* "nearly N", "almost N", "up to N", "as many as N", "no more than N": best = high = N.
* "fewer than N", "less than N", "under N": high = N only; N itself would overstate the figure.
* "about/around/approximately/some/an estimated N", "N or so": best = N only.
* ranges ("between 10 and 20", "10 to 20", "10-20", "two or three"): low, high, best = the
  midpoint rounded down.
* vague words get fixed bounds: a couple (2, 2, 3), a few (2, 3, 5), a handful (2, 4, 6),
  several (3, 5, 9), "a dozen"/"N dozen" (best 12N only), plural units "dozens" (24, 36, 99),
  "scores" (40, 60, 199), "hundreds" (200, 300, 999), "thousands" (2000, 3000, 9999),
  "tens of thousands" (20000, 30000, 99999) and so on, that is two and three of the unit for
  low and best, and just under the next order of magnitude for high. "a few hundred" multiplies
  the vague bounds by the unit. "a number of", "many", "numerous", "multiple": low 2 only.
* "one", "a", "an" → 1; "no", "none", "zero" → 0; "both" → 2.

``match_count`` finds such phrases inside running text for the casualty patterns; ``parse_count``
reads a phrase that is nothing but a quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import Count

_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "mn": 1_000_000,
}
# Plural collective units: (low, best, high).
_VAGUE_UNITS: dict[str, tuple[int, int, int]] = {
    "dozens": (24, 36, 99),
    "scores": (40, 60, 199),
    "hundreds": (200, 300, 999),
    "thousands": (2000, 3000, 9999),
    "tens of thousands": (20_000, 30_000, 99_999),
    "hundreds of thousands": (200_000, 300_000, 999_999),
    "millions": (2_000_000, 3_000_000, 9_999_999),
    "tens of millions": (20_000_000, 30_000_000, 99_999_999),
    "hundreds of millions": (200_000_000, 300_000_000, 999_999_999),
}
# Vague multipliers: (low, best, high), best None when the phrase suggests no central value.
_VAGUE_WORDS: dict[str, tuple[int | None, int | None, int | None]] = {
    "a couple": (2, 2, 3),
    "a couple of": (2, 2, 3),
    "a few": (2, 3, 5),
    "a handful": (2, 4, 6),
    "a handful of": (2, 4, 6),
    "several": (3, 5, 9),
    "a number of": (2, None, None),
    "many": (2, None, None),
    "numerous": (2, None, None),
    "multiple": (2, None, None),
}

# Qualifier phrase → how it bends the figure (see the module docstring).
_QUALIFIERS: dict[str, str] = {}
for _mode, _phrases in {
    "lower": (
        "at least",
        "no fewer than",
        "no less than",
        "not less than",
        "not fewer than",
        "a minimum of",
        "minimum of",
        "at minimum",
    ),
    "more": (
        "more than",
        "over",
        "above",
        "in excess of",
        "upwards of",
        "upward of",
        "exceeding",
        "north of",
        "well over",
        "just over",
        "well above",
        "just above",
        "some more than",
    ),
    "upper": (
        "nearly",
        "almost",
        "close to",
        "just under",
        "just below",
        "just shy of",
        "up to",
        "as many as",
        "at most",
        "no more than",
        "not more than",
        "a maximum of",
        "as much as",
        "nearing",
        "approaching",
    ),
    "less": ("fewer than", "less than", "under", "below", "well under", "well below"),
    "approx": (
        "about",
        "around",
        "approximately",
        "roughly",
        "some",
        "an estimated",
        "estimated",
        "circa",
        "approx.",
        "perhaps",
        "possibly",
        "maybe",
        "more or less",
        "in the region of",
        "an approximate",
        "almost exactly",
    ),
    "exact": (
        "a total of",
        "a further",
        "another",
        "exactly",
        "precisely",
        "all",
        "only",
        "just",
        "the remaining",
        "an additional",
        "additional",
    ),
}.items():
    for _p in _phrases:
        _QUALIFIERS[_p] = _mode


def _alt(words: list[str]) -> str:
    """Regex alternation, longest first so that "seventeen" is not read as "seven"."""
    parts = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace("\\ ", " ").replace(" ", r"\s+") for w in parts)


_ONE_W = _alt(list(_ONES))
_TEN_W = _alt(list(_TENS))
_DIGIT_W = _alt([w for w, v in _ONES.items() if 0 < v < 10])
_SMALL = rf"(?:(?:{_TEN_W})(?:[-\s](?:{_DIGIT_W}))?|(?:{_ONE_W}))\b"
_SCALE_W = "hundred|thousand|million|billion"
_WORDNUM = (
    rf"(?:(?:{_SMALL}|an?\b)\s+(?:{_SCALE_W})\b"
    rf"(?:(?:\s+and)?\s+{_SMALL}(?:\s+(?:{_SCALE_W})\b)?)*|{_SMALL})"
)
_DIGITS = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"(?:\s*(?:hundred|thousand|million|billion|bn|mn)\b)?"
)
_NUM = rf"(?:(?<![\w$€£¥.,/:-]){_DIGITS}(?![\w%]|[.,:/]\d)|{_WORDNUM})"
# The second number of "10-20" follows a dash.
_NUM_B = rf"(?:(?<![\w$€£¥.,/:]){_DIGITS}(?![\w%]|[.,:/]\d)|{_WORDNUM})"
_DOZEN = rf"(?:half\s+a\s+dozen|(?:an?|{_SMALL})\s+dozen)\b"
_VAGUE_MULT = r"(?:(?:a\s+few|several|many)\s+(?:dozen|hundred|thousand|million)\b)"
_VAGUE = rf"(?:{_alt(list(_VAGUE_UNITS))}|{_alt(list(_VAGUE_WORDS))})\b"
_SPECIAL = r"(?:no\s+one|nobody|none|no|both|an?)\b"

_CORE = (
    rf"(?:between\s+(?P<r1a>{_NUM})\s+and\s+(?P<r1b>{_NUM})"
    rf"|from\s+(?P<r2a>{_NUM})\s+to\s+(?P<r2b>{_NUM})"
    rf"|(?P<r3a>{_NUM})(?:(?<=\d)\s*-\s*|\s*[–—]\s*|\s+(?:to|or)\s+)(?P<r3b>{_NUM_B})"
    rf"|(?P<dozen>{_DOZEN})|(?P<vmult>{_VAGUE_MULT})|(?P<vague>{_VAGUE})|(?P<num>{_NUM})"
    rf"|(?P<special>{_SPECIAL}))"
)
_QUAL = rf"(?:(?P<qual>{_alt(list(_QUALIFIERS))})\s+)?"
_SUFFIX = r"(?P<suffix>\s*\+(?!\d)|-plus\b|\s+or\s+more\b|\s+or\s+so\b|\s+and\s+counting\b)?"

COUNT_PATTERN = rf"(?<![\w'’-]){_QUAL}{_CORE}{_SUFFIX}"
"""Regex source (named groups, case-insensitive use) for one quantity phrase; embedded by the
casualty patterns, which read the match back with ``count_from_match``."""

_COUNT_RE = re.compile(COUNT_PATTERN, re.IGNORECASE)
# Words a quantity phrase can begin with; scanning for these first is much cheaper than trying
# the whole pattern at every character.
_FIRST_WORDS = sorted(
    {p.split()[0].rstrip(".") for p in (*_QUALIFIERS, *_VAGUE_UNITS, *_VAGUE_WORDS)}
    | set(_ONES)
    | set(_TENS)
    | {"between", "from", "half", "a", "an", "no", "nobody", "none", "both", "several", "many"},
    key=len,
    reverse=True,
)
_START_RE = re.compile(rf"(?<![\w'’-])(?:\d|(?i:{'|'.join(_FIRST_WORDS)})(?!\w))")
_WORD_SPLIT = re.compile(r"[\s-]+")


def number_value(text: str) -> int | None:
    """Value of one plain number in digits or words ("25,500", "1.2 million", "two hundred")."""
    t = text.strip().lower().replace(",", "")
    if not t:
        return None
    if t[0].isdigit():
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(hundred|thousand|million|billion|bn|mn)?", t)
        if m is None:
            return None
        if m.group(2) is None:
            return int(m.group(1)) if "." not in m.group(1) else None
        value = float(m.group(1)) * _SCALES[m.group(2)]
        return round(value)
    return _words_value(t)


def _words_value(t: str) -> int | None:
    total = 0
    current = 0
    seen = False
    for word in _WORD_SPLIT.split(t):
        if word in ("and", ""):
            continue
        if word in ("a", "an"):
            current = current or 1
            seen = True
        elif word in _ONES:
            current += _ONES[word]
            seen = True
        elif word in _TENS:
            current += _TENS[word]
            seen = True
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
    return total + current if seen else None


@dataclass(frozen=True, slots=True)
class CountMatch:
    """A quantity phrase found in text: its parsed ``Count`` and ``[start, end)`` span."""

    count: Count
    span: tuple[int, int]
    core: str  # the bare number words without qualifier, e.g. "25,500" or "dozens"


def _core_range(m: re.Match[str]) -> tuple[int | None, int | None, int | None, bool] | None:
    """(low, best, high, exact) of the phrase without qualifier or suffix."""
    for a, b in (("r1a", "r1b"), ("r2a", "r2b"), ("r3a", "r3b")):
        if m.group(a):
            lo, hi = number_value(m.group(a)), number_value(m.group(b))
            if lo is None or hi is None or not lo < hi:
                return None
            if a == "r3a" and re.search(r"\sor\s", m.group(0), re.IGNORECASE) and hi > 2 * lo + 10:
                return None  # "1 or 100" is an alternative, not a range
            return lo, (lo + hi) // 2, hi, False
    if m.group("dozen"):
        words = m.group("dozen").lower().split()
        if words[0] == "half":
            return None, 6, None, False
        n = 1 if words[0] in ("a", "an") else number_value(" ".join(words[:-1]))
        return (None, 12 * n, None, False) if n else None
    if m.group("vmult"):
        mult, unit = m.group("vmult").lower().rsplit(maxsplit=1)
        mult = re.sub(r"\s+", " ", mult)
        size = 12 if unit == "dozen" else _SCALES[unit]
        if mult == "many":
            return 2 * size, None, None, False
        lo, best, hi = _VAGUE_WORDS[mult]
        assert lo is not None and best is not None and hi is not None
        return lo * size, best * size, hi * size, False
    if m.group("vague"):
        key = re.sub(r"\s+", " ", m.group("vague").lower())
        if key in _VAGUE_UNITS:
            lo, best, hi = _VAGUE_UNITS[key]
            return lo, best, hi, False
        vlo, vbest, vhi = _VAGUE_WORDS[key]
        return vlo, vbest, vhi, False
    if m.group("num"):
        n = number_value(m.group("num"))
        return None if n is None else (n, n, n, True)
    special = re.sub(r"\s+", " ", m.group("special").lower())
    n = {"no": 0, "none": 0, "no one": 0, "nobody": 0, "both": 2}.get(special, 1)
    return n, n, n, True


def _qualify(core: tuple[int | None, int | None, int | None, bool], mode: str | None) -> Count:
    lo, best, hi, exact = core
    figure = best if exact or lo is None else lo
    if mode is None or mode == "exact" or figure is None:
        return Count(lo, best, hi)
    if mode in ("lower", "more"):
        return Count(figure, max(best or figure, figure), None)
    if mode == "upper":
        return Count(None, best, hi if not exact else best)
    if mode == "less":
        return Count(None, None, figure)
    # approx: an exact figure loses its bounds, a vague one keeps them
    return Count(None, best, None) if exact else Count(lo, best, hi)


def count_from_match(m: re.Match[str]) -> Count | None:
    """Read a match of ``COUNT_PATTERN`` (possibly embedded in a larger pattern)."""
    core = _core_range(m)
    if core is None:
        return None
    qual = m.group("qual")
    mode = _QUALIFIERS[re.sub(r"\s+", " ", qual.lower())] if qual else None
    suffix = (m.group("suffix") or "").strip().lower()
    if suffix:
        if "so" in suffix:
            mode = mode or "approx"
        elif mode in (None, "exact", "approx"):
            mode = "lower"
    if mode is not None and m.group("special") and core[1] in (0, 1):
        return None  # "at least no", "about an" are not quantities
    return _qualify(core, mode)


def match_count(text: str, pos: int = 0, endpos: int | None = None) -> CountMatch | None:
    """The quantity phrase starting exactly at ``pos``, if any."""
    m = _COUNT_RE.match(text, pos, len(text) if endpos is None else endpos)
    if m is None:
        return None
    count = count_from_match(m)
    if count is None:
        return None
    return CountMatch(count, m.span(), _core_text(m))


def _core_text(m: re.Match[str]) -> str:
    for g in ("dozen", "vmult", "vague", "num", "special"):
        if m.group(g):
            return m.group(g)
    start = m.end("qual") if m.group("qual") else m.start()
    return m.string[start : m.end()].strip()


def count_starts(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Every position in ``text[start:end]`` where a quantity phrase begins (overlapping ones
    included: "at least 12" starts at "at" and at "12")."""
    end = len(text) if end is None else end
    match = _COUNT_RE.match
    return [
        m.start()
        for m in _START_RE.finditer(text, start, end)
        if match(text, m.start(), end) is not None
    ]


def parse_count(text: str) -> Count | None:
    """Parse a phrase that is only a quantity; None for anything else (fast, no allocation-heavy
    work: one regex match and a few dict look-ups)."""
    t = text.strip().rstrip(".,;:")
    m = _COUNT_RE.fullmatch(t)
    if m is None and t.lower().endswith(" of"):  # "dozens of", "a handful of"
        m = _COUNT_RE.fullmatch(t[:-3].rstrip())
    return None if m is None else count_from_match(m)


__all__ = [
    "COUNT_PATTERN",
    "CountMatch",
    "count_from_match",
    "count_starts",
    "match_count",
    "number_value",
    "parse_count",
]
