"""Plain-text news pages: drop the page furniture line by line, recover headline, outlet and date.

Text copied or scraped from a news page keeps the site's furniture ("Contact Us", "Subscribe",
share buttons, photo credits, section labels, bylines, cookie notices). The article is the run
of prose lines; what comes before it (the header) holds the headline, publisher and date, and
what comes after it (the footer) is dropped. Rules are general (line shape, vocabulary, credit
markers) rather than per site, so unseen outlets work too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from statistics import median

from .meta import (
    FoundDate,
    best_date,
    canonical_publisher,
    find_dates,
    is_date_line,
    publisher_in_credit,
    publisher_line,
)
from .resources import boilerplate_pattern, stopwords

MAX_PATTERN_LINE = 400  # longer lines are prose; boilerplate patterns are not tried on them
PROSE_WORDS = 8  # a sentence-final line with at least this many words is prose
LONG_WORDS = 25  # a line this long is prose even without final punctuation
MIN_BODY_WORDS = 4  # shorter non-sentence lines inside the body are labels, not content

_SPACE_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Half a character (a lone surrogate, e.g. from a JSON "\\ud83d" escape) cannot be encoded,
# so it would break hashing, the tokenizer and the database: it becomes U+FFFD.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_TERMINAL = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_BULLET = re.compile(r"^(?:[•·▪►▶◆■●*]|[-–—](?=\s))\s*")
_SEPARATOR = re.compile(r"\s+[|•·]\s+")
_KEY_STRIP = " \t|•·▪►▶»«›‹>-–—:*#"
_BYLINE = re.compile(r"^(?:by|written by|words by|story by)\s+[A-Z\u00c0-\u024f]", re.I)
_CREDIT_NOUNS = (
    r"photos?|photograph|file|images?|picture|pic|credit|courtesy|handout|pool|screenshot|"
    r"screengrab|illustration|footage|video still"
)
_AGENCIES = (
    r"AFP|AP|AA|EPA|UPI|dpa|DPA|Xinhua|XINHUA|Reuters|REUTERS|Getty Images|GETTY|Anadolu|ANADOLU"
)
_CREDIT_PAREN = re.compile(
    rf"\((?:[^()]*\b(?i:{_CREDIT_NOUNS})\b[^()]*|\s*(?:{_AGENCIES})(?:\s*/\s*(?:{_AGENCIES}))*\s*)\)\s*$"
)
_CREDIT_SLASH = re.compile(
    r"(?:/|\bvia\s+)\s*(?:getty images|afp|reuters|ap|aa|epa|anadolu agency|anadolu|xinhua|"
    r"shutterstock|ap photo|(?-i:[A-Z]{2,6}))\s*$",
    re.I,
)
_DATELINE = re.compile(
    r"^(?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,5}\s*,?\s*)?"
    r"(?:\w{3,9}\.?\s+\d{1,2}\s*)?\(([^()]{2,40})\)\s*[-–—:]"
)


class Kind(Enum):
    BOILER = "boiler"
    CREDIT = "credit"
    DATE = "date"
    PROSE = "prose"
    BYLINE = "byline"
    PUBLISHER = "publisher"
    OTHER = "other"


_META_KINDS = (Kind.DATE, Kind.BYLINE, Kind.PUBLISHER)


@dataclass(slots=True)
class Unit:
    text: str
    kind: Kind
    dates: list[FoundDate] = field(default_factory=list)
    publisher: str | None = None


@dataclass(slots=True)
class TextPage:
    paragraphs: list[str]
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    credit: str | None = None  # an agency named in a dateline, "(AP)" → "Associated Press"


def normalise_space(text: str) -> str:
    """One paragraph on one line: NFC, invisible characters gone, whitespace runs as one space."""
    text = unicodedata.normalize("NFC", text).translate(_SPACE_DROP)
    return " ".join(_LONE_SURROGATE.sub("\ufffd", text).split())


def _hard_wrapped(lines: list[str]) -> bool:
    """A block typed with line breaks inside sentences (e-mail style), to be re-joined."""
    if len(lines) < 3:
        return False
    inner = lines[:-1]
    lengths = [len(line) for line in inner]
    if not 40 <= median(lengths) <= 100:
        return False
    open_ended = sum(not _TERMINAL.search(line) for line in inner)
    similar = sum(abs(n - median(lengths)) <= 0.3 * median(lengths) for n in lengths)
    return open_ended >= 0.5 * len(inner) and similar >= 0.7 * len(inner)


def _join_continuations(lines: list[str]) -> list[str]:
    """Re-join a sentence broken across lines: an open line followed by a lower-case start.

    Irregularly wrapped copy ("... killing a" / "policeman. Two policemen" / "were wounded")
    would otherwise be cut into short lines that look like labels and get dropped.
    """
    out: list[str] = []
    for line in lines:
        start = line.lstrip()[:1]
        if out and start.islower() and not _TERMINAL.search(out[-1].rstrip()):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


def split_units(text: str) -> list[str]:
    """Lines (or re-joined hard-wrapped blocks) as whitespace-normalised units."""
    units: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for block in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        lines = [" ".join(lines)] if _hard_wrapped(lines) else _join_continuations(lines)
        for line in lines:
            unit = _BULLET.sub("", normalise_space(line))
            if unit:
                units.append(unit)
    return units


def _key(unit: str) -> str:
    return unit.strip(_KEY_STRIP).lower()


def is_boilerplate(unit: str) -> bool:
    """Whether a line is page furniture by vocabulary (share bars, cookie notices, credits...)."""
    return len(unit) <= MAX_PATTERN_LINE and (
        boilerplate_pattern().fullmatch(_key(unit)) is not None or is_credit(unit)
    )


def is_credit(unit: str) -> bool:
    """A photo caption or credit line: "Lloyd Austin (REUTERS File Photo)", "John Doe/AFP"."""
    words = len(unit.split())
    if words > 30 or _TERMINAL.search(unit.rstrip(")")):
        return False
    return bool(_CREDIT_PAREN.search(unit) or _CREDIT_SLASH.search(unit))


def word_count(unit: str) -> int:
    """Words, counting two CJK characters as one (those scripts do not separate words)."""
    return len(unit.split()) + len(_CJK.findall(unit)) // 2


def is_prose(unit: str) -> bool:
    words = word_count(unit)
    return words >= LONG_WORDS or (words >= PROSE_WORDS and bool(_TERMINAL.search(unit)))


def _classify(unit: str) -> Unit:
    short = len(unit) <= 200
    dates = find_dates(unit) if short else []
    if len(unit) <= MAX_PATTERN_LINE and boilerplate_pattern().fullmatch(_key(unit)):
        publisher = (
            publisher_in_credit(unit) if re.match(r"(?:©|copyright|\(c\))", _key(unit)) else None
        )
        return Unit(unit, Kind.BOILER, dates, publisher)
    if is_credit(unit):
        return Unit(unit, Kind.CREDIT)
    if is_date_line(unit, dates):
        return Unit(unit, Kind.DATE, dates)
    if is_prose(unit):
        return Unit(unit, Kind.PROSE)
    if not short:
        return Unit(unit, Kind.OTHER, dates)
    parts = _SEPARATOR.split(unit)
    # "By Jane Doe | Reuters | March 3, 2023": short fields around separators. A field of more
    # than four words is a headline ("Israel strikes Rafah | Example News"), not a byline.
    if _BYLINE.match(unit) or (len(parts) > 1 and all(len(p.split()) <= 4 for p in parts)):
        return Unit(unit, Kind.BYLINE, dates, publisher_in_credit(unit))
    if len(unit.split()) <= 8:
        name = publisher_line(unit)
        if name:
            return Unit(unit, Kind.PUBLISHER, dates, name)
    return Unit(unit, Kind.OTHER, dates, publisher_in_credit(unit) if len(parts) > 1 else None)


def _content_words(text: str) -> set[str]:
    english = stopwords().get("en", frozenset())
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1 and w not in english}


def same_text(a: str, b: str) -> bool:
    def fold(s: str) -> str:
        return re.sub(r"\W+", " ", s.casefold()).strip()

    return fold(a) == fold(b)


def strip_site_suffix(title: str, publisher: str | None = None) -> str:
    """ "Headline | Site" → "Headline" when the suffix is the outlet; "Opinion | Headline" too."""
    m = re.match(r"^(.{10,})\s+[|–—:-]\s+([^|–—]{2,60})$", title)
    if m and (
        canonical_publisher(m.group(2))
        or (publisher and same_text(m.group(2), publisher))
        or publisher_line(m.group(2))
    ):
        title = m.group(1).strip()
    label = re.match(r"^[\w'’-]+(?: [\w'’-]+){0,2} \| ((?:\S+ ){3,}\S+)$", title)
    return label.group(1) if label else title


def _pick_title(header: list[Unit], slug: str) -> str | None:
    """The headline among the header lines.

    A file or URL slug sharing two content words decides. Otherwise the headline is the last
    headline-like line before the first byline/date/outlet line (navigation comes earlier),
    or, when the metadata comes first, the first headline-like line of four words or more.
    """
    candidates = [u for u in header if _title_like(u)]
    if not candidates:
        return None
    slug_words = _content_words(slug.replace("-", " ").replace("_", " "))
    if slug_words:
        overlap = [(len(_content_words(u.text) & slug_words), -i) for i, u in enumerate(candidates)]
        best, negative_index = max(overlap)
        if best >= 2:
            return candidates[-negative_index].text
    first_meta = next((i for i, u in enumerate(header) if u.kind in _META_KINDS), len(header))
    before = [u for u in header[:first_meta] if _title_like(u)]
    if before and first_meta < len(header):
        return before[-1].text
    for unit in candidates:
        if len(unit.text.split()) >= 4:
            return unit.text
    return candidates[0].text


def _title_like(unit: Unit) -> bool:
    words = len(unit.text.split())
    return (
        unit.kind is Kind.OTHER
        and 3 <= words <= 30
        and len(unit.text) >= 15
        and not unit.text.isupper()
        and not unit.text.endswith(":")
    )


def clean_text_page(
    text: str, *, title: str | None = None, slug: str = "", require_prose: bool = False
) -> TextPage:
    """The article paragraphs and header metadata of a plain-text page.

    ``title`` is a headline known from elsewhere (a JSON record): it is not searched for, and a
    line repeating it is removed. ``slug`` (file name or URL path) helps pick the headline.
    Without any sentence-like line the substantial lines are kept, unless ``require_prose``.
    """
    units = [_classify(u) for u in split_units(text)]
    prose = [i for i, u in enumerate(units) if u.kind is Kind.PROSE]
    if prose:
        start, end = prose[0], prose[-1]
    elif require_prose:
        start, end = len(units), len(units) - 1
    else:
        # No sentence-like line at all: keep the substantial lines (lists, short notes).
        keep = [
            i
            for i, u in enumerate(units)
            if u.kind is Kind.OTHER and word_count(u.text) >= MIN_BODY_WORDS
        ]
        start, end = (keep[0], keep[-1]) if keep else (len(units), len(units) - 1)
    header, body = units[:start], units[start : end + 1]

    page = TextPage([])
    if title:
        header = [u for u in header if not same_text(u.text, title)]
        if body and same_text(body[0].text, title):
            body = body[1:]
    else:
        page.title = _pick_title(header, slug)
        if page.title is None and not prose and len(body) > 1 and _title_like(body[0]):
            page.title, body = body[0].text, body[1:]

    # Metadata: header lines first, then anything labelled as such further down. Dates in the
    # headline or in other free header lines are events, not the publication date.
    meta_units = header + [u for u in units[start:] if u.kind in (*_META_KINDS, Kind.BOILER)]
    page.published = best_date([d for u in meta_units if u.kind is not Kind.OTHER for d in u.dates])
    for kind in (Kind.PUBLISHER, Kind.BYLINE, Kind.BOILER, Kind.OTHER):
        page.publisher = next(
            (u.publisher for u in meta_units if u.kind is kind and u.publisher), None
        )
        if page.publisher:
            break

    for unit in body:
        if unit.kind is Kind.PROSE or (
            unit.kind is Kind.OTHER
            and (word_count(unit.text) >= MIN_BODY_WORDS or _TERMINAL.search(unit.text))
        ):
            page.paragraphs.append(unit.text)
    if page.paragraphs:
        m = _DATELINE.match(page.paragraphs[0])
        if m:
            page.credit = canonical_publisher(m.group(1)) or (
                m.group(1) if re.fullmatch(r"[A-Z][A-Za-z&.-]{1,9}", m.group(1)) else None
            )
    if page.title:
        page.title = strip_site_suffix(page.title, page.publisher)
    return page
