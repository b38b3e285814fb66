"""Recognise date and time expressions in news text and read them into typed expressions.

One compiled alternation finds every atomic expression ("Oct. 7", "last week", "6.30 p.m. local
time", "two days ago", "the following day") so that a sentence is scanned once, in C. Month and
weekday names must be capitalised (so "may" and "march" the verbs stay out); relative words
("Yesterday", "last week") match in any case. Each match becomes a small frozen dataclass saying
what was written, leaving what it means relative to a publication date to ``resolve``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
HOLIDAYS = {"christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
            "new year's day": (1, 1), "new year's eve": (12, 31), "boxing day": (12, 26),
            "valentine's day": (2, 14), "halloween": (10, 31)}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2, "a couple": 2,
}
VAGUE_WORDS = ("a few", "few", "several", "some", "a number of", "many")

# ---- expressions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    """A calendar day, maybe without year ("Oct. 7") or month ("on the 7th"); day2 for "5-7"."""

    year: int | None
    month: int | None
    day: int
    day2: int | None = None


@dataclass(frozen=True, slots=True)
class Month:
    year: int | None
    month: int
    part: str | None = None  # early / mid / late / h1 / h2
    dem: str | None = None  # last / this / next
    year_offset: int | None = None  # "May this year" → 0, "December of last year" → -1


@dataclass(frozen=True, slots=True)
class Season:
    """"last summer", "this winter": the season instance relative to publication."""

    season: str
    dem: str  # last / this / next


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    year2: int | None = None
    part: str | None = None  # early / mid / late / a season


@dataclass(frozen=True, slots=True)
class Decade:
    year: int
    part: str | None = None


@dataclass(frozen=True, slots=True)
class Weekday:
    weekday: int
    dem: str | None = None  # last / next / None


@dataclass(frozen=True, slots=True)
class RelDay:
    """Days relative to publication: yesterday (-1, 0), overnight (-1, 1 = two-day range)."""

    offset: int
    length: int = 0


@dataclass(frozen=True, slots=True)
class Unit:
    """A calendar unit relative to publication: "last week" (week, -1), "earlier this month"."""

    unit: str
    offset: int
    part: str | None = None  # earlier / later


@dataclass(frozen=True, slots=True)
class Rolling:
    """A window ending (or starting) at publication: "the past three days", "recent weeks"."""

    unit: str
    n: int | None  # None: vague ("few", "recent")
    future: bool = False


@dataclass(frozen=True, slots=True)
class Ago:
    unit: str
    n: int | None


@dataclass(frozen=True, slots=True)
class Ref:
    """Relative to another date: a previous one in the text ("the following day"), or the one
    written right after it when ``needs_next`` ("three days after the Oct. 7 attack")."""

    unit: str
    n: int | None  # signed; None: vague ("days later" → +, "days earlier" → -)
    sign: int = 1
    needs_next: bool = False


@dataclass(frozen=True, slots=True)
class Time:
    hour: int
    minute: int

    @property
    def text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


Expr = Day | Month | Season | Year | Decade | Weekday | RelDay | Unit | Rolling | Ago | Ref | Time

# ---- the pattern ----------------------------------------------------------------------

_MONTH_WORDS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun",
                "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"]
# Capitalised or all capitals (datelines, headlines); abbreviations may take a full stop.
_MON = ("(?:" + "|".join(f"{w}|{w.upper()}" if i < 12 else f"{w}\\.?|{w.upper()}\\.?"
                         for i, w in enumerate(_MONTH_WORDS)) + r")(?!\w)")
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:1[89]\d\d|20\d\d)(?!\d)"
_AP = r"(?:[aApP]\.\s?[mM]\.?|[aApP][mM](?!\w))"
_ZONE = (r"(?:\s*\(?(?:(?i:local\s+time)|GMT|UTC|Zulu|[A-Z]{2,4}T(?!\w)|(?i:hrs|hours)(?!\w))"
         r"(?:\s*[+-]\s*\d{1,2})?\)?)")
_NUMW = ("(?i:" + "|".join(sorted((re.escape(w).replace("\\ ", " ").replace(" ", r"\s+")
                                   for w in (*NUMBER_WORDS, *VAGUE_WORDS)), key=len, reverse=True))
         + r"|\d{1,4})")
_PART = (r"(?i:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of|beginning\s+of|"
         r"the\s+start\s+of|start\s+of|the\s+middle\s+of|middle\s+of|"
         r"the\s+(?:first|second)\s+half\s+of|(?:first|second)\s+half\s+of)")
_SEASON = r"(?i:(?:the\s+)?(?:summer|winter|spring|autumn|fall)(?:\s+of)?)"
_UNITS = r"(?i:hours?|days?|weeks?|months?|years?|decades?)"

_ALTERNATIVES = [
    ("iso", rf"(?<![\d-])(?P<iso_y>{_YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>3[01]|[12]\d|0[1-9])"
            r"(?!\d)"),
    ("numdate", r"(?<![\d./])(?P<nd_a>\d{1,2})(?P<nd_s>[/.])(?P<nd_b>\d{1,2})(?P=nd_s)"
                rf"(?P<nd_y>{_YEAR})"),
    ("tm1", rf"(?<![\w.:,$/])(?P<t1h>[01]?\d|2[0-3]):(?P<t1m>[0-5]\d)(?!\d)(?:\s*(?P<t1ap>{_AP}))?"
            rf"{_ZONE}?"),
    ("tm3", r"(?<![\w.:,$/])(?P<t3h>[01]\d|2[0-3])\.?(?P<t3m>[0-5]\d)\s*"
            r"(?=GMT|UTC|Zulu|[A-Z]{2,4}T(?!\w)|(?i:hrs|hours|local\s+time)(?!\w))" + _ZONE),
    ("tm2", rf"(?<![\w.:,$/])(?P<t2h>1[0-2]|0?[1-9])(?:\.(?P<t2m>[0-5]\d))?\s*"
            rf"(?:(?P<t2ap>{_AP})|(?P<t2oc>o['’]clock)){_ZONE}?"),
    ("tm4", r"(?<!\w)(?P<t4>(?i:noon|midday|midnight))(?!\w)"),
    ("md", rf"(?P<md_mon>{_MON})\s*(?P<md_d1>{_DAY})"
           rf"(?:\s*(?:-|–|—|to|through)\s*(?P<md_d2>{_DAY}))?(?!\s*[:.]\d)(?:,?\s*(?P<md_y>{_YEAR}))?"),
    ("dm", rf"(?<![\w.,$/-])(?P<dm_d1>{_DAY})(?:\s*(?:-|–|—|to)\s*(?P<dm_d2>{_DAY}))?\s+(?:of\s+)?"
           rf"(?P<dm_mon>{_MON})(?:,?\s+(?P<dm_y>{_YEAR}))?"),
    ("my", rf"(?:(?P<my_part>{_PART})[\s-]+)?(?P<my_mon>{_MON}),?\s+(?:of\s+)?"
           rf"(?:(?P<my_y>{_YEAR})|(?P<my_rel>(?i:this|last|next))\s+(?i:year)(?!\w))"),
    ("hol", r"(?<!\w)(?P<hol>(?i:Christmas(?:\s+(?:Day|Eve))?|New\s+Year['’]?s\s+(?:Day|Eve)|"
            r"Boxing\s+Day|Valentine['’]?s\s+Day|Halloween))(?!\w)"),
    ("dec", r"(?<![\w$-])(?:(?i:the)\s+)?(?:(?P<dec_part>(?i:early|mid|late))[\s-]+)?"
            r"(?P<dec_y>1[89]\d0|20\d0)['’]?s(?!\w)"),
    ("yr", rf"(?<![\w$€£.,/-])(?P<yr_a>{_YEAR})\s*(?:-|–|—|/|to)\s*(?P<yr_b>{_YEAR}|\d\d(?!\d))"),
    ("ref", r"(?<!\w)(?P<ref>(?i:the\s+(?:following|next|previous|preceding|same)\s+"
            r"(?:day|morning|afternoon|evening|night|week|weekend|month|year)|"
            r"(?:following|next|previous|same)\s+(?:day|morning|afternoon|evening|night)|"
            r"the\s+day\s+(?:before|after)(?!\s+(?:yesterday|tomorrow))|"
            r"(?:earlier|later)\s+(?:that|the\s+same)\s+(?:day|morning|afternoon|evening|night|week|"
            r"month|year)|(?:that|the\s+same)\s+(?:day|morning|afternoon|evening|night)|"
            r"(?:earlier|later)\s+in\s+the\s+day|hours\s+(?:later|earlier)))(?!\w)"),
    ("rd", r"(?<!\w)(?P<rd>(?i:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|"
           r"yesterday|today|tonight|tomorrow|overnight|last\s+night|this\s+(?:morning|afternoon|evening)|"
           r"(?:earlier|later)\s+today))(?:\s+(?i:morning|afternoon|evening|night))?(?!\w)"),
    ("roll", rf"(?<!\w)(?:(?P<ro_the>(?i:the|these))\s+)?(?P<ro_dem>(?i:past|last|previous|coming|"
             rf"next|recent))\s+(?:(?P<ro_n>{_NUMW})\s+)?"
             r"(?P<ro_unit>(?i:hours|days|weeks|months|years|decades|hour|day|week|month|year|"
             # without "the" or a count only plurals: "last week" is a calendar unit
             r"decade))(?!\w)(?(ro_the)|(?(ro_n)|(?<=[sS])))"),
    ("rec", r"(?<!\w)(?i:recent)\s+(?P<rec_unit>(?i:days|weeks|months|years|decades))(?!\w)"),
    ("unit", r"(?<!\w)(?:(?P<un_part>(?i:earlier|later|early|late))\s+)?"
             r"(?P<un_dem>(?i:this\s+past|this|last|next|past|previous|coming))\s+"
             r"(?P<un_unit>(?i:week|weekend|month|year|decade))(?:['’]s)?(?!\w)"),
    ("inthe", r"(?<!\w)(?P<it_part>(?i:earlier|later|early|late))\s+in\s+the\s+"
              r"(?P<it_unit>(?i:week|month|year))(?!\w)"),
    ("wkd", r"(?<!\w)(?i:(?:over\s+)?the\s+weekend)(?!\w)"),
    ("season", r"(?<!\w)(?P<se_dem>(?i:this\s+past|this|last|next|past))\s+"
               r"(?P<se>(?i:summer|winter|spring|autumn|fall))(?:['’]s)?(?!\w)"),
    ("ago", rf"(?<!\w)(?:(?P<ago_n>{_NUMW})\s+)?(?P<ago_unit>{_UNITS})\s+(?i:ago)(?!\w)"),
    ("rel", rf"(?<!\w)(?:(?P<rel_n>{_NUMW})\s+)?(?P<rel_unit>{_UNITS})\s+"
            r"(?P<rel_dir>(?i:later|earlier|after|before|afterwards|prior\s+to))(?!\w)"),
    ("wd", rf"(?<!\w)(?:(?P<wd_dem>(?i:this\s+past|last|this|next|past|early|late))\s+)?"
           rf"(?P<wd_name>{_WD})(?:['’]s)?(?:\s+(?i:morning|afternoon|evening|night))?(?!\w)"),
    ("mon", rf"(?<!\w)(?:(?P<mo_dem>(?i:last|this|next|past))\s+)?(?:(?P<mo_part>{_PART})[\s-]+)?"
            rf"(?P<mo_mon>{_MON})(?!\s*\d|[-/]\d)"),
    ("dom", r"(?<=\b[Oo]n\s)the\s+(?P<dom_d>3[01]|[12]\d|[1-9])(?:st|nd|rd|th)(?!\w)"
            r"(?!\s+(?i:century|anniversary|floor|round|time|day|week|year|of\s+the))"),
    ("yr1", rf"(?<![\w$€£.,/#-])(?:(?:(?P<y_part>{_PART})|(?P<y_season>{_SEASON}))[\s-]+)?"
            rf"(?P<y_y>{_YEAR})(?![\w%]|[.,]\d)"),
]

PATTERN = re.compile("|".join(f"(?P<k_{name}>{body})" for name, body in _ALTERNATIVES))

# Every alternative starts with a digit, a capital, or one of these words. Trying ``PATTERN``
# only where one of them starts a word is five times faster than letting ``finditer`` try all
# alternatives at every character; tests check that both find the same atoms.
_START_WORDS = (
    "the these this that last next past previous preceding coming recent early earlier mid "
    "late later yesterday today tonight tomorrow overnight over following same hour hours day "
    "days week weeks month months year years decade decades noon midday midnight end beginning "
    "start middle summer winter spring autumn fall a an some few several many couple christmas "
    "new boxing valentine halloween first second "
    + " ".join(w for w in NUMBER_WORDS if " " not in w)
).split()
_CANDIDATE = re.compile(
    r"(?<!\w)(?:\d|[A-Z]|(?i:" + "|".join(sorted(set(_START_WORDS), key=len, reverse=True))
    + r")(?!\w))"
)

# Bare "May"/"March" are verbs as often as months; they need a date-like word before them.
_MONTH_CUE = re.compile(
    r"(?i:\b(?:in|since|during|until|till|of|by|from|through|between|and|to|early|late|mid|"
    r"last|this|next|before|after|since|until)\s+(?:early\s+|late\s+|mid-?)?)$")
# A bare number that is a count, not a year: "about 2000 people", "up to 2000".
_COUNT_CUE = re.compile(
    r"(?i:\b(?:about|around|nearly|over|than|least|some|approximately|almost|roughly|estimated|"
    r"up\s+to|total\s+of|killed|killing|wounded|injured|No\.|number)\s+)$")
_COUNT_NOUN = re.compile(
    r"\s+(?i:people|persons|civilians|soldiers|troops|fighters|militants|men|women|children|"
    r"residents|refugees|families|homes|houses|buildings|rockets|missiles|drones|shells|"
    r"km|kilometres|kilometers|miles|meters|metres|feet|tons|tonnes|dollars|euros|times|"
    r"members|prisoners|hostages|dead|killed|wounded|injured|casualties|deaths)\b")


def _month(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


def _int_or_vague(word: str | None) -> int | None:
    """Number word or digits; None for vague words ("few", "several") and a missing count."""
    if word is None:
        return None
    w = re.sub(r"\s+", " ", word.lower())
    if w.isdigit():
        return int(w)
    return NUMBER_WORDS.get(w)


def _unit_name(word: str) -> str:
    w = word.lower()
    return w[:-1] if w.endswith("s") else w


def _part(word: str | None) -> str | None:
    if not word:
        return None
    w = word.lower()
    if "end" in w:
        return "late"
    if "beginning" in w or "start" in w:
        return "early"
    if "middle" in w:
        return "mid"
    if "half" in w:
        return "h1" if "first" in w else "h2"
    return w


def _time(h: int, m: int, ap: str | None) -> Time | None:
    if ap:
        pm = ap.lower().startswith("p")
        if not 1 <= h <= 12:
            return None
        h = (h % 12) + (12 if pm else 0)
    return Time(h, m) if 0 <= h <= 23 and 0 <= m <= 59 else None


def _two_digit_year(a: int, b: str) -> int:
    return int(b) if len(b) == 4 else a - a % 100 + int(b)


def read(m: re.Match[str]) -> Expr | None:
    """The expression a match of ``PATTERN`` denotes, or None when context says it is not one."""
    kind = (m.lastgroup or "")[2:]
    g = m.group
    text = m.string
    if kind == "iso":
        return Day(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
    if kind == "numdate":
        a, b = int(g("nd_a")), int(g("nd_b"))
        # day first when only that reading is valid, otherwise month first (US wire style)
        day, month = (a, b) if a > 12 and b <= 12 else (b, a)
        return Day(int(g("nd_y")), month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None
    if kind == "tm1":
        return _time(int(g("t1h")), int(g("t1m")), g("t1ap"))
    if kind == "tm2":
        return _time(int(g("t2h")), int(g("t2m") or 0), g("t2ap"))
    if kind == "tm3":
        return _time(int(g("t3h")), int(g("t3m")), None)
    if kind == "tm4":
        return Time(0, 0) if g("t4").lower() == "midnight" else Time(12, 0)
    if kind == "md":
        d1, d2 = int(g("md_d1").rstrip("stndrh")), g("md_d2")
        year = int(g("md_y")) if g("md_y") else None
        return _day(year, _month(g("md_mon")), d1, int(d2.rstrip("stndrh")) if d2 else None)
    if kind == "dm":
        d1, d2 = int(g("dm_d1").rstrip("stndrh")), g("dm_d2")
        year = int(g("dm_y")) if g("dm_y") else None
        return _day(year, _month(g("dm_mon")), d1, int(d2.rstrip("stndrh")) if d2 else None)
    if kind == "my":
        if g("my_rel"):
            offset = {"this": 0, "last": -1, "next": 1}[g("my_rel").lower()]
            return Month(None, _month(g("my_mon")), _part(g("my_part")), year_offset=offset)
        return Month(int(g("my_y")), _month(g("my_mon")), _part(g("my_part")))
    if kind == "hol":
        key = re.sub(r"\s+", " ", g("hol").lower().replace("’", "'")).replace("years", "year's")
        key = key.replace("valentines", "valentine's")
        month, day = HOLIDAYS[key]
        return Day(None, month, day)
    if kind == "dec":
        return Decade(int(g("dec_y")), _part(g("dec_part")))
    if kind == "yr":
        a = int(g("yr_a"))
        b = _two_digit_year(a, g("yr_b"))
        return Year(a, b) if a < b <= a + 30 else None
    if kind == "ref":
        return _ref(g("ref"))
    if kind == "rd":
        return _relday(g("rd"))
    if kind == "roll":
        unit = _unit_name(g("ro_unit"))
        n = _int_or_vague(g("ro_n"))
        plural = g("ro_unit").lower().endswith("s")
        dem = g("ro_dem").lower()
        if g("ro_n") is None and not plural:
            n = 1
        if dem == "recent" and not g("ro_the"):
            n = None
        return Rolling(unit, n, future=dem in ("coming", "next"))
    if kind == "rec":
        return Rolling(_unit_name(g("rec_unit")), None)
    if kind == "unit":
        dem = g("un_dem").lower()
        offset = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(
            dem.split()[-1], 0)
        if dem.startswith("this past"):
            offset = -1
        part = (g("un_part") or "").lower() or None
        part = {"early": "earlier", "late": "later"}.get(part or "", part)
        return Unit(g("un_unit").lower(), offset, part if offset == 0 else None)
    if kind == "inthe":
        part = g("it_part").lower()
        return Unit(g("it_unit").lower(), 0, "earlier" if part.startswith("earl") else "later")
    if kind == "wkd":
        return Unit("weekend", 0)
    if kind == "season":
        dem = g("se_dem").lower().split()[-1]
        return Season(g("se").lower(), "last" if dem == "past" else dem)
    if kind == "ago":
        return Ago(_unit_name(g("ago_unit")), _count(g("ago_n"), g("ago_unit")))
    if kind == "rel":
        direction = g("rel_dir").lower()
        sign = -1 if direction in ("earlier", "before") or direction.startswith("prior") else 1
        n = _count(g("rel_n"), g("rel_unit"))
        return Ref(_unit_name(g("rel_unit")), None if n is None else sign * n, sign,
                   needs_next=direction in ("after", "before") or direction.startswith("prior"))
    if kind == "wd":
        dem = (g("wd_dem") or "").lower()
        rel = "last" if dem in ("last", "past", "this past") else "next" if dem == "next" else None
        return Weekday(WEEKDAYS[g("wd_name").lower()], rel)
    if kind == "mon":
        word = g("mo_mon")
        if text[m.start() - 1:m.start()] == "-":
            return None  # "24-Jan-2024" is left to the fallback parser
        # "May"/"March" are verbs and "Jan", "Jun", "Dec" names unless a date word precedes
        if ((word.rstrip(".").title() in ("May", "March") or (len(word.rstrip(".")) <= 4
             and word.rstrip(".").title() not in ("June", "July")))
                and not g("mo_dem") and not g("mo_part")
                and not _MONTH_CUE.search(text[max(0, m.start() - 20):m.start()])):
            return None
        dem = (g("mo_dem") or "").lower() or None
        return Month(None, _month(word), _part(g("mo_part")), "last" if dem == "past" else dem)
    if kind == "dom":
        return Day(None, None, int(g("dom_d")))
    if kind == "yr1":
        if not g("y_part") and not g("y_season"):
            before = text[max(0, m.start() - 20):m.start()]
            if _COUNT_CUE.search(before) or _COUNT_NOUN.match(text, m.end()):
                return None
        season = (g("y_season") or "").lower().replace("the ", "").replace(" of", "").strip()
        return Year(int(g("y_y")), None, _part(g("y_part")) or season or None)
    return None


def _count(word: str | None, unit: str) -> int | None:
    """Count of units: "two days" → 2, "a week" → 1, "days"/"a few days" → None (vague)."""
    if word is None:
        return None if unit.lower().endswith("s") else 1
    return _int_or_vague(word)


def _day(year: int | None, month: int, d1: int, d2: int | None) -> Day | None:
    if d2 is not None and d2 <= d1:
        return None
    return Day(year, month, d1, d2)


_REF_UNITS = {"morning": "day", "afternoon": "day", "evening": "day", "night": "day",
              "weekend": "week"}


def _ref(phrase: str) -> Ref:
    p = re.sub(r"\s+", " ", phrase.lower())
    if p in ("the day before", "the day after"):
        return Ref("day", 1) if p.endswith("after") else Ref("day", -1, -1)
    unit = _REF_UNITS.get(p.split()[-1], p.split()[-1])
    if p.startswith("hours") or "in the day" in p or p.startswith(("that", "the same", "earlier",
                                                                   "later", "same")):
        return Ref("day" if unit not in ("week", "month", "year") else unit, 0)
    if any(w in p for w in ("following", "next")):
        return Ref(unit, 1)
    return Ref(unit, -1, -1)  # previous, preceding, the day before


def _relday(phrase: str) -> RelDay:
    p = re.sub(r"\s+", " ", phrase.lower())
    if p == "the day before yesterday":
        return RelDay(-2)
    if p == "the day after tomorrow":
        return RelDay(2)
    if p in ("yesterday", "last night"):
        return RelDay(-1)
    if p == "tomorrow":
        return RelDay(1)
    if p == "overnight":
        return RelDay(-1, 1)
    return RelDay(0)


@dataclass(frozen=True, slots=True)
class Atom:
    """One recognised expression and where it is."""

    expr: Expr
    start: int
    end: int


def matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """Same as ``PATTERN.finditer(text, start, end)``, trying only plausible start positions."""
    pos = start
    search, match = _CANDIDATE.search, PATTERN.match
    while True:
        c = search(text, pos, end)
        if c is None:
            return
        m = match(text, c.start(), end)
        if m is None or m.end() == m.start():
            pos = c.start() + 1
        else:
            yield m
            pos = m.end()


def atoms(text: str, start: int, end: int) -> Iterator[Atom]:
    """Atomic date/time expressions in ``text[start:end]``, in order."""
    for m in matches(text, start, end):
        expr = read(m)
        if expr is not None:
            s, e = m.span()
            while e > s and text[e - 1] in " \t\n":
                e -= 1
            yield Atom(expr, s, e)
