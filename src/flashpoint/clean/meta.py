"""Metadata read from page text: publication dates, publisher names, dates in URLs and file names.

Plain-text page dumps lose the ``<meta>`` tags, but the facts survive as header lines
("Published January 24,2024", "By Jane Doe | Reuters", "KYIV, Ukraine (AP) —"). Event dates
are resolved against the publication date, so getting it right matters more than any other field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .resources import publishers

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)} | {"sept": 9}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>(?:19|20)\d\d)[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)(?!\d)"),
    re.compile(rf"\b{_MONTH}\s*{_DAY}\s*,?\s*{_YEAR}\b", re.I),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s*{_YEAR}\b", re.I),
    # Day-first numeric dates (24.01.2024, 24-01-2024); "/" is left out: US and UK disagree.
    re.compile(r"\b(?P<d>[0-3]?\d)[.-](?P<m>[01]?\d)[.-](?P<y>(?:19|20)\d\d)\b"),
)
_UPDATED = re.compile(r"\b(updated|modified|last updated|edited|revised)\b", re.I)
_PUBLISHED = re.compile(r"\b(published|posted|first published|released|date)\b", re.I)
# What may surround a date on a pure date line: times, zones, weekdays, labels, separators.
_DATE_NOISE = re.compile(
    r"\b(?:published|posted|first|updated?|last|modified|edited|on|at|date|time|"
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?|[ap]\.?m\.?|gmt|utc|[ecmp][sd]?t|bst|cet|cest|eet|eest|"
    r"ist|ast|msk|trt|jst|aest|hrs?|local|"
    r"mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|"
    r"sun(?:day)?)\b|[+-]\d{2}:?\d{2}|[,|•·:()\-–—/]",
    re.I,
)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]?([01]\d)[/-]?([0-3]\d)(?=[/._-]|$)")
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class FoundDate:
    date: dt.date
    kind: Literal["published", "updated", "bare"]
    start: int
    end: int


def _valid(year: int, month: int, day: int, today: dt.date | None = None) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    today = today or dt.date.today()
    return date if dt.date(1990, 1, 1) <= date <= today + dt.timedelta(days=1) else None


def find_dates(line: str) -> list[FoundDate]:
    """Every full (day-precision) date in ``line``, labelled by the word that introduces it."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(line):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            groups = m.groupdict()
            if groups.get("mon"):
                month = _MONTHS[groups["mon"].lower()]
                date = _valid(int(groups["year"]), month, int(groups["day"]))
            else:
                date = _valid(int(groups["y"]), int(groups["m"]), int(groups["d"]))
            if date is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(FoundDate(date, "bare", m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    labelled: list[FoundDate] = []
    previous_end = 0
    for f in found:
        # The label that governs a date is the nearest one before it.
        before = line[previous_end : f.start]
        updated = [m.end() for m in _UPDATED.finditer(before)]
        published = [m.end() for m in _PUBLISHED.finditer(before)]
        kind: Literal["published", "updated", "bare"] = "bare"
        if updated or published:
            kind = (
                "updated" if max(updated, default=-1) > max(published, default=-1) else "published"
            )
        labelled.append(FoundDate(f.date, kind, f.start, f.end))
        previous_end = f.end
    return labelled


def is_date_line(line: str, dates: list[FoundDate]) -> bool:
    """Whether ``line`` is little more than its dates (a timestamp line, not a sentence)."""
    if not dates:
        return False
    rest = line
    for f in reversed(dates):
        rest = rest[: f.start] + " " + rest[f.end :]
    rest = _DATE_NOISE.sub(" ", rest)
    return len(rest.split()) <= 1


def best_date(candidates: list[FoundDate]) -> dt.date | None:
    """Prefer the original publication date to any update date, the first of each kind."""
    for kind in ("published", "bare", "updated"):
        for f in candidates:
            if f.kind == kind:
                return f.date
    return None


def date_from_url(url: str | None) -> dt.date | None:
    """News URLs often carry the date: /2024/01/24/ or /20240124/."""
    if not url:
        return None
    for m in _URL_DATE.finditer(url):
        date = _valid(int(m[1]), int(m[2]), int(m[3]))
        if date:
            return date
    return None


def date_from_name(source: str) -> dt.date | None:
    """A date in a file name (anadolu-2024-01-24-us-strikes-iraq.txt), the weakest evidence."""
    name = re.split(r"[\\/]", source)[-1]
    for m in _NAME_DATE.finditer(name):
        date = _valid(int(m[1]), int(m[2]), int(m[3]))
        if date:
            return date
    return None


# --- publishers -------------------------------------------------------------------------------

_ORG_NOUNS = re.compile(
    r"\b(agency|news|times|post|press|herald|tribune|journal|daily|radio|tv|television|"
    r"broadcasting|network|gazette|observer|telegraph|chronicle|monitor|media|wire|review|"
    r"express|mirror|guardian|independent|standard|globe|courier|dispatch|bulletin|report|"
    r"insider|today|weekly|magazine)\b",
    re.I,
)
_SECTION = re.compile(r"(?:[A-Z][A-Z&'/.-]*\s*){1,4}")
_CREDIT_PAREN = re.compile(r"\(([^()]{1,40})\)")


def canonical_publisher(name: str) -> str | None:
    """The catalogued name for a publisher alias ("AP" → "Associated Press"), else None."""
    return publishers().canonical(name.strip(" .,;:-–—|"))


def publisher_from_host(url: str | None) -> str | None:
    if not url:
        return None
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.I).split("/")[0]
    return publishers().for_host(host.split("@")[-1].split(":")[0])


def publisher_line(line: str) -> str | None:
    """A header line naming the outlet, maybe with a section label: "Anadolu Agency MIDDLE EAST"."""
    text = line.strip(" |•·-–—")
    known = publishers()
    lowered = text.lower()
    for name in sorted(known.full_names, key=len, reverse=True):
        if lowered == name or (
            lowered.startswith(name + " ") and _SECTION.fullmatch(text[len(name) :].strip())
        ):
            return known.canonical(name)
    words = text.split()
    # Unknown outlet: Title-Case words ending in a press noun, then an ALL-CAPS section label.
    for cut in range(len(words) - 1, 1, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if (
            _SECTION.fullmatch(tail)
            and all(w[:1].isupper() for w in words[:cut])
            and not head.isupper()
            and _ORG_NOUNS.search(words[cut - 1])
        ):
            return head
    return None


def publisher_in_credit(text: str) -> str | None:
    """A catalogued publisher named in a credit position: "(AP)", "| Reuters", "© 2024 AFP"."""
    for m in _CREDIT_PAREN.finditer(text):
        name = canonical_publisher(m.group(1))
        if name:
            return name
    for part in re.split(r"\s*[|•·,;/]\s*|\s+[-–—]\s+|\s+for\s+|©|\(c\)", text, flags=re.I):
        part = re.sub(r"\b(?:copyright|(?:19|20)\d\d|all rights reserved)\b", "", part, flags=re.I)
        name = canonical_publisher(part)
        if name:
            return name
    return None
