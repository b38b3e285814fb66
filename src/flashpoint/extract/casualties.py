"""Casualty figures in a sentence: "killed at least 12 people", "the death toll rose to 40".

Works on the raw sentence text rather than the parse, because casualty phrasing is formulaic
and the small spaCy model often mis-attaches numbers. Every quantity goes through
``numbers.COUNT_PATTERN`` / ``count_from_match`` so that the range conventions are the same
everywhere. A figure is kept only when a casualty word governs the number in one of the
patterns below; dates, times, ages, money and measures next to the number rule it out.

``kind`` is "killed", "injured" or "casualties" (a combined killed-plus-injured figure:
"casualties", "killed or wounded", "casualty toll"; callers that only fill killed/injured
should skip it rather than guess the split). Explicit zeros ("no casualties", "no one was
hurt") give a count of 0; "no immediate reports of casualties" means unknown and gives nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..types import Count, Span
from .numbers import COUNT_PATTERN, count_from_match, count_starts

CasualtyKind = Literal["killed", "injured", "casualties"]


@dataclass(frozen=True, slots=True)
class CasualtyFigure:
    """One reported figure; all spans index the text given to ``find_casualties``."""

    kind: CasualtyKind
    count: Count
    span: Span  # the whole phrase, e.g. "killed nearly 25,500 people"
    number_span: Span  # the quantity with its qualifier, e.g. "nearly 25,500"
    trigger_span: Span  # the casualty word(s), e.g. "killed", "death toll"
    text: str  # text[span]
    trigger: str  # text[trigger_span]


# ---- vocabulary -----------------------------------------------------------------------

_MONTHS = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_WEEKDAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_AUX_WORDS = (
    r"were|was|are|is|have|has|had|been|being|be|get|got|gets|also|reportedly|reported|"
    r"believed|thought|feared|confirmed|said|estimated|known|presumed|understood|to|all|both|"
    r"later|since|already|now|initially|allegedly|subsequently|so\s+far|in\s+total|seriously|"
    r"critically|severely|badly|slightly|lightly|moderately|fatally|mortally|either|each|"
    r"officially|apparently|likely|probably|then|not\s+yet|yet|may\s+have|might\s+have"
)
_KILL_PART = (
    r"killed|slain|dead|martyred|assassinated|executed|massacred|lynched|shot\s+dead|"
    r"gunned\s+down|(?:burned|burnt|beaten|stabbed|crushed|hacked|shot|bludgeoned)\s+to\s+death"
)
_INJ_PART = r"wounded|injured|hurt|maimed"
_BOTH_PART = (
    r"(?:killed|dead)\s+(?:or|and)\s+(?:wounded|injured|hurt)"
    r"|(?:wounded|injured)\s+(?:or|and)\s+killed"
)
_DIE = (
    r"died|perished|lost\s+their\s+lives|were\s+martyred|"
    r"succumbed(?:\s+to\s+(?:their|his|her)\s+(?:wounds|injuries))?"
)
# Words that end a noun group after a number: function words, casualty words, time words.
_STOP = (
    _AUX_WORDS + r"|will|would|could|should|must|and|or|but|while|as|when|who|which|that|"
    r"whom|whose|where|in|on|at|after|before|during|by|for|with|from|into|near|across|amid|"
    r"following|including|over|under|than|within|throughout|against|toward|towards|a|an|the|"
    r"this|that|these|those|his|her|their|its|our|them|says|say|told|tells|claims|claimed|"
    r"added|adds|stated|according|around|about|"
    + _KILL_PART
    + "|"
    + _INJ_PART
    + "|"
    + _DIE
    + r"|deaths?|fatalities|casualties|injuries|"
    r"yesterday|today|tonight|overnight|" + _WEEKDAYS + "|" + _MONTHS
)
_UNITS = (
    r"seconds?|minutes?|hours?|hrs|days?|nights?|weeks?|months?|years?|decades?|centuries|"
    r"century|km|kms|kilometers?|kilometres?|miles?|meters?|metres?|m|feet|foot|ft|yards?|"
    r"kg|kilograms?|tons?|tonnes?|pounds?|lbs?|percent|per\s*cent|pc|times|fold|dollars?|"
    r"euros?|shekels?|dinars?|riyals?|rubles?|roubles?|yuan|yen|rupees?|usd|eur|gbp|"
    r"degrees?|points?|a\.?m\.?|p\.?m\.?|gmt|utc|o'clock|rounds?|calibre|caliber|mm"
)
# A word of a noun group: "U.S." but not "statement.Four" (a run-on sentence break).
_WORD = r"(?:\d+-(?:year|month|week|day)s?-olds?\b|(?:[A-Za-z]\.){2,}|[^\W\d_][\w'’-]*)"
_DET = r"the|those|these|their|its|his|her|our"
_NG_ITEM = (
    rf"(?:\s+(?:of\s+(?:them|whom|us|these|those)\b"
    rf"|of\s+(?:(?:{_DET})\s+)?(?!(?:{_STOP})\b){_WORD}|(?!(?:{_STOP})\b){_WORD}))"
)
_NG = rf"{_NG_ITEM}{{0,6}}"
_NG1 = rf"{_NG_ITEM}{{0,2}}"  # short: "civilian deaths"
# One place phrase between subject and verb: "106 protesters in 21 cities have been killed".
_PP = r"(?:\s+(?:in|from|across|near|at|on|inside|outside)\s+(?!least|most)[^,;:.\n]{1,30}?)?"
_INCL = r"(?:\s*,\s*(?:including|among\s+them|most\s+of\s+them|mostly)\b[^,;]{1,80},)?"
_AUX = rf"(?:\s+(?:{_AUX_WORDS})\b)"
_C = COUNT_PATTERN
# What may follow a headline-style participle ("12 killed in ...") without it being an active
# verb with an object ("two rockets killed three people").
_AFTER_PART = (
    rf"(?=\s*(?:$|[,.;:)\]\"”’–—-]|\s(?:in|on|at(?!\s+(?:least|most))|as(?!\s+many|\s+much)|by|"
    rf"and|or|after|during|when|while|near|"
    rf"following|since|across|amid|overnight|including|from|with|so|this|last|yesterday|today|"
    rf"earlier|late|early|when|according|said|says|officials|{_WEEKDAYS}|{_MONTHS})\b))"
)

_F = re.IGNORECASE
# Order is priority: a number claimed by an earlier pattern is not read again.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # toll: "the death toll rose to 40", "a death toll of 40"
    (
        "toll",
        re.compile(
            r"(?<![\w-])(?P<trig>(?:death|casualty|fatality|injury|civilian\s+death)\s+tolls?|tolls?"
            r"|number\s+of\s+(?:people\s+)?(?:dead|deaths|killed|fatalities|casualties|injured|"
            r"wounded|victims|martyrs)|(?:death|casualty)\s+tally)\b"
            r"[^;\n]{0,100}?\b(?P<link>to|at|of|reached|reaching|hit|hitting|surpassed|exceeded|"
            r"topped|passed|crossed|is|was|now|stands|stood|neared|nearing|approached|approaching|"
            rf"past)\s+{_C}",
            _F,
        ),
    ),
    # passive: "12 people were killed", "over 1,200 people are believed to have been killed"
    (
        "passive",
        re.compile(
            rf"{_C}{_NG}{_PP}{_INCL}{_AUX}+\s+(?P<trig>{_BOTH_PART}|{_KILL_PART}|{_INJ_PART})(?![\w-])",
            _F,
        ),
    ),
    # intransitive: "12 people died", "three soldiers lost their lives"
    ("died", re.compile(rf"{_C}{_NG}{_PP}{_INCL}{_AUX}*\s+(?P<trig>{_DIE})(?![\w-])", _F)),
    # lives: "12 lives were lost", "claimed 12 lives"
    (
        "lives",
        re.compile(
            rf"{_C}\s+(?:more\s+|civilian\s+|innocent\s+|human\s+)?(?P<trig>lives\s+(?:were|have\s+"
            rf"been|had\s+been|was|are)\s+lost)\b",
            _F,
        ),
    ),
    (
        "lives_of",
        re.compile(
            r"(?<![\w-])(?P<trig>(?:claim|claimed|claiming|claims|took|taking|takes|take|cost|"
            rf"costing|costs)\s+the\s+lives\s+of)\s+{_C}{_NG}",
            _F,
        ),
    ),
    (
        "lives_obj",
        re.compile(
            r"(?<![\w-])(?:claim|claimed|claiming|claims|cost|costing|costs|took|taking)\s+"
            rf"{_C}\s+(?:more\s+|civilian\s+|innocent\s+|human\s+)?(?P<trig>lives)\b",
            _F,
        ),
    ),
    # left ... dead: "left 5 dead", "leaving 10 people injured"
    (
        "left",
        re.compile(
            rf"(?<![\w-])(?:left|leaving|leaves|leave|with)\s+{_C}{_NG}\s+"
            rf"(?P<trig>{_BOTH_PART}|dead|killed|wounded|injured|hurt)(?![\w-])",
            _F,
        ),
    ),
    # "the deaths of 12 civilians", "the killing of three soldiers"
    (
        "of",
        re.compile(
            r"(?<![\w-])(?P<trig>deaths?|killings?|murders?|massacre|slaying|injuries|injuring|"
            rf"wounding)\s+of\s+{_C}{_NG}",
            _F,
        ),
    ),
    # active: "killed at least 12 people", "killing 3 civilians and wounding 10"
    (
        "active",
        re.compile(
            r"(?<![\w-])(?P<trig>kill(?:s|ed|ing)?\s+(?:and|or)\s+(?:wound|injur)\w*|"
            r"kill(?:s|ed|ing)?|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|hurt(?:s|ing)?|"
            r"maim(?:s|ed|ing)?|massacr(?:e|es|ed|ing)|slaughter(?:s|ed|ing)?|"
            rf"(?:shot|shooting|gunned|gunning)\s+dead)\s+{_C}{_NG}",
            _F,
        ),
    ),
    # noun/participle after the number: "5 dead", "12 civilian deaths", "40 killed in ..."
    (
        "noun",
        re.compile(
            rf"{_C}{_NG1}\s+(?P<trig>{_BOTH_PART}|deaths|fatalities|casualties|injuries|martyrs|"
            rf"dead|wounded|injured)(?![\w-])",
            _F,
        ),
    ),
    ("participle", re.compile(rf"{_C}{_NG1}\s+(?P<trig>killed|slain|hurt){_AFTER_PART}", _F)),
]

_ZERO_PATTERNS: list[re.Pattern[str]] = [
    # "no casualties", "no injuries were reported", "no loss of life"
    re.compile(
        r"(?<![\w-])(?P<no>no|zero)\s+(?P<hedge>(?:(?:immediate|initial|official|confirmed)\s+)?"
        r"(?:reports?|word|information|details|indication|news)\s+(?:of|on|about)\s+(?:any\s+)?)?"
        r"(?:(?!(?:reports?|word|information|details|fewer|less|more|than)\b)[^\W\d_][\w'’-]*\s+)"
        r"{0,2}(?P<trig>casualties|injuries|deaths|fatalities|loss\s+of\s+life|"
        r"lives\s+(?:were\s+|have\s+been\s+|had\s+been\s+)?lost)\b",
        _F,
    ),
    # "no one was hurt", "nobody was killed", "none of the passengers were injured"
    re.compile(
        r"(?<![\w-])(?P<no>no\s+one|nobody|none|no\s+(?:people|persons?|civilians?|soldiers?|"
        r"troops|personnel|residents?|staff|crew|passengers?|workers?|children))"
        r"(?:\s+of\s+(?:the|them|those|our|their|its)?[\w\s,'’-]{0,40}?)?"
        rf"{_AUX}*\s+(?:(?:else|among\s+\w+)\s+{_AUX}*)?(?P<trig>killed|injured|wounded|hurt|"
        r"harmed|died|dead)(?![\w-])",
        _F,
    ),
    # "without casualties", "without causing any injuries"
    re.compile(
        r"(?<![\w-])(?P<no>without)\s+(?:causing\s+|any\s+|causing\s+any\s+)?"
        r"(?P<trig>casualties|injuries|loss\s+of\s+life|deaths|fatalities)\b",
        _F,
    ),
]

# Cheap gate: most sentences mention no casualty at all.
_GATE = re.compile(
    r"kill|dead|death|die|wound|injur|hurt|casualt|fatal|toll|lives|martyr|slain|perish|maim|"
    r"massacr|execut|assassin|harm|shot|gunned|stabbed|beaten|lynch|slaughter|murder|tally",
    _F,
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s*$")
_MONTH_AFTER = re.compile(rf"^\s*(?:of\s+)?(?:{_MONTHS})\b")
_UNIT_AFTER = re.compile(
    rf"^(?:\s*(?:%|\+\s*%)|-\s*[^\W\d_]|\s*(?:{_UNITS})\b|\s*(?:years?|months?)[\s-]+old\b)", _F
)
_MONEY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:US|USD|EUR|GBP|Rs)\.?)\s*$")
_AGE_BEFORE = re.compile(r"\b(?:aged|ages?|age\s+of)\s*$", _F)
# A number right after a preposition is its object, not the subject of "were killed".
_PREP_BEFORE = re.compile(
    r"\b(?:in|across|at|from|on|by|of|into|for|among|between|under|near|inside)\s*$", _F
)
_SUBJECT_PATTERNS = frozenset({"passive", "died", "lives", "noun", "participle"})
_COUNT_FIRST = _SUBJECT_PATTERNS  # patterns that begin with the quantity
_YEAR_PREP_BEFORE = re.compile(
    r"\b(?:in|since|of|during|by|until|till|from|to|before|after|through|early|late|mid|"
    r"the\s+year|summer|winter|spring|autumn|fall)[\s-]*$",
    _F,
)
_KIND_WORDS: list[tuple[re.Pattern[str], CasualtyKind]] = [
    (
        re.compile(
            r"casualt|(?:kill|dead)\w*\s+(?:or|and)\s+(?:wound|injur|hurt)|"
            r"(?:wound|injur)\w*\s+(?:or|and)\s+kill|\bharmed\b",
            _F,
        ),
        "casualties",
    ),
    (re.compile(r"injur|wound|hurt|maim", _F), "injured"),
]


def _kind(trigger: str, zero: bool = False) -> CasualtyKind:
    for pattern, kind in _KIND_WORDS:
        if pattern.search(trigger):
            if zero and kind == "injured" and re.search(r"\bhurt\b", trigger, _F):
                return "casualties"  # "no one was hurt" rules out deaths too
            return kind
    return "killed"


def _count_end(m: re.Match[str]) -> int:
    return (
        m.end("suffix")
        if m.group("suffix")
        else max(
            m.end(g)
            for g in ("r1b", "r2b", "r3b", "dozen", "vmult", "vague", "num", "special")
            if m.group(g) is not None
        )
    )


def _count_start(m: re.Match[str]) -> int:
    if m.group("qual"):
        return m.start("qual")
    return min(
        m.start(g)
        for g in ("r1a", "r2a", "r3a", "dozen", "vmult", "vague", "num", "special")
        if m.group(g) is not None
    )


def _core_start(m: re.Match[str]) -> int:
    return min(
        m.start(g)
        for g in ("r1a", "r2a", "r3a", "dozen", "vmult", "vague", "num", "special")
        if m.group(g) is not None
    )


def _plausible(text: str, m: re.Match[str], lo: int) -> bool:
    """Rule out numbers that are dates, times, ages, money or measures, and bare articles."""
    start, end = _core_start(m), _count_end(m)
    before = text[max(lo, start - 24) : start]
    after = text[end : end + 24]
    core = m.group("num") or ""
    if m.group("special"):
        special = m.group("special").lower()
        if special.startswith("no") or special == "none":
            return False
        if special in ("a", "an", "both") and not re.match(rf"\s+{_WORD}", after):
            return False
    if _UNIT_AFTER.match(after) or _MONEY_BEFORE.search(before) or _AGE_BEFORE.search(before):
        return False
    if core and core[0].isdigit():
        if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after):
            return False
        plain = core.strip()
        if (
            len(plain) == 4
            and plain.isdigit()
            and 1900 <= int(plain) <= 2100
            and (_YEAR_PREP_BEFORE.search(before) or after.lstrip()[:1] in (",", ""))
        ):
            return False
    return True


def _adjust_for_link(count: Count, link: str | None) -> Count:
    """ "surpassed 25,000" is a floor, "neared 25,000" a ceiling."""
    if not link or count.best is None:
        return count
    link = link.lower()
    if link in ("surpassed", "exceeded", "topped", "passed", "crossed", "past"):
        return Count(count.low if count.low is not None else count.best, count.best, None)
    if link in ("neared", "nearing", "approached", "approaching"):
        return Count(None, count.best, count.best)
    return count


def _span_end(m: re.Match[str]) -> int:
    """End of the phrase without trailing spaces or sentence punctuation."""
    end = m.end()
    while end > m.start() and m.string[end - 1] in " \t\n,.;:":
        end -= 1
    return end


def _search_all(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[re.Match[str]]:
    """Like ``finditer``, but a match that later fails the checks must not hide one that starts
    inside it ("an hour of bombing at least 11 people died"), so every start is tried."""
    out: list[re.Match[str]] = []
    pos = start
    while (m := pattern.search(text, pos, end)) is not None:
        out.append(m)
        pos = m.start() + 1
    return out


def find_casualties(text: str, start: int = 0, end: int | None = None) -> list[CasualtyFigure]:
    """Casualty figures in ``text[start:end]`` (one sentence), in text order."""
    end = len(text) if end is None else end
    if not _GATE.search(text, start, end):
        return []
    found: list[CasualtyFigure] = []
    claimed: list[Span] = []

    def add(kind: CasualtyKind, count: Count, span: Span, num: Span, trig: Span) -> None:
        if any(num[0] < c[1] and c[0] < num[1] for c in claimed):
            return
        claimed.append(num)
        found.append(
            CasualtyFigure(
                kind, count, span, num, trig, text[span[0] : span[1]], text[trig[0] : trig[1]]
            )
        )

    for zp in _ZERO_PATTERNS:
        for m in zp.finditer(text, start, end):
            if m.groupdict().get("hedge"):
                continue  # "no immediate reports of casualties": unknown, not zero
            add(
                _kind(m.group("trig"), zero=True),
                Count(0, 0, 0),
                (m.start(), _span_end(m)),
                m.span("no"),
                m.span("trig"),
            )

    starts: list[int] | None = None
    for name, pattern in _PATTERNS:
        if name in _COUNT_FIRST:
            if starts is None:
                starts = count_starts(text, start, end)
            anchored = (pattern.match(text, p, end) for p in starts)
            candidates = [hit for hit in anchored if hit is not None]
        else:
            candidates = _search_all(pattern, text, start, end)
        for m in candidates:
            if not _plausible(text, m, start):
                continue
            if name in _SUBJECT_PATTERNS and _PREP_BEFORE.search(
                text, max(start, _count_start(m) - 12), _count_start(m)
            ):
                continue
            if name == "participle" and m.group("special"):
                continue  # "An airstrike killed ..." is an active verb, not "one killed"
            count = count_from_match(m)
            if count is None:
                continue
            if name == "toll":
                count = _adjust_for_link(count, m.group("link"))
            trig_text = m.group("trig")
            kind: CasualtyKind = "killed" if name.startswith("lives") else _kind(trig_text)
            add(
                kind,
                count,
                (m.start(), _span_end(m)),
                (_count_start(m), _count_end(m)),
                m.span("trig"),
            )
    found.sort(key=lambda f: f.span)
    return found


__all__ = ["CasualtyFigure", "CasualtyKind", "find_casualties"]
