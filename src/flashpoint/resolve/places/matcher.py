"""Gazetteer-driven toponym spotting for the places NER misses or mislabels.

Statistical NER finds "Baghdad" but often splits or drops "Ain al-Asad air base", "Bab el-Mandeb",
"the Gaza Strip" or "western Iraq". This matcher looks only for names of countries, first-level
divisions, territories, regions, water bodies, bases and other sites (never plain cities: those
are common words too often), and only where the text is capitalised like a name, so it can run on
every article without flooding the pipeline with false places.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from flashpoint.types import Span

from . import names as nm
from .gazetteer import CURATED_FEATURES, Gazetteer, places_data_dir

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_](?:[\w'’\-]*\w)?|\d+")
_MAX_TOKENS = 8
_MATCH_FEATURES = frozenset({"country", "admin1", "continent", "airbase", "airport"}
                            | CURATED_FEATURES)
_AREA_FEATURES = frozenset({"country", "admin1", "territory", "region"})
# Single capitalised words that are place names but more often something else.
_STOPLIST = frozenset(nm.strict_key(w) for w in (
    "Chad", "Jordan", "Georgia", "Victoria", "Virginia", "Carolina", "Washington", "Florence",
    "Nice", "Reading", "Mobile", "Turkey", "China", "Guinea", "Columbia", "Orange", "Lincoln",
    "Jackson", "Madison", "Hamilton", "Franklin", "Austin", "Delta", "Centre", "Center",
    "Central", "Capital", "Coast", "Lakes", "Island", "Islands", "Mountain", "Valley", "Upper",
    "Lower", "Federal", "Nord", "Sud", "Est", "Ouest", "Littoral", "Plateau", "Maritime",
    "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Midlands",
    "Highlands", "Border", "Borders", "Lagoons", "Savanes", "Kara", "Bay", "Gulf", "Sea", "Ocean",
    "Pacific", "Atlantic", "Arctic", "Baltic", "Amazon", "America", "Mediterranean", "Levant",
))
# Seats of power that news quotes as speakers far more often than as places.
_METONYMS = frozenset(nm.loose_key(w) for w in (
    "White House", "Pentagon", "Kremlin", "Downing Street", "Elysee", "Elysee Palace",
    "Capitol Hill", "the Capitol"))
_PREPS = frozenset(("in", "into", "to", "from", "near", "at", "outside", "inside", "within"))
_LOCATIVE = _PREPS | frozenset((
    "across", "throughout", "of", "toward", "towards", "and", "with", "via", "over", "around",
    "between", "against",
))
_SITE_FEATURES = frozenset({"airbase", "airport", "base", "site"})
_BASE_FEATURES = frozenset({"airbase", "base"})
_JOINER = re.compile(r"[ .\-‐‑'’]{1,3}")
_FACILITY_TAIL = re.compile(
    r"\s+(?:(?:military|army|naval|US|U\.S\.|American|Russian|Israeli|Iraqi|Syrian)\s+)?"
    r"(?:air\s*base|airbase|air\s*field|airfield|airport|base|garrison|outpost|camp)\b",
    re.IGNORECASE)
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az|ed|en|er|es|et|ez)[-‐‑]\w",
                             re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Index:
    keys: dict[str, frozenset[str]]           # name key → features it names
    first: frozenset[str]                     # first tokens of those keys
    countries: dict[str, str]                 # country name key → ISO3
    demonyms: dict[str, str]                  # demonym key → ISO3
    generic: frozenset[str]                   # single-word admin1 names shared by 3+ countries
    # a military base's name without its facility words ("al asad" for Al Asad Air Base), so
    # that "the Al Asad base" or "Bagram airfield" find it however the facility is worded
    bases: dict[str, frozenset[str]]


_INDEXES: weakref.WeakKeyDictionary[Gazetteer, _Index] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _index(gz: Gazetteer) -> _Index:
    with _LOCK:
        idx = _INDEXES.get(gz)
        if idx is None:
            feats: dict[str, set[str]] = defaultdict(set)
            countries: dict[str, str] = {}
            a1_countries: dict[str, set[str]] = defaultdict(set)
            for key, feature, country in gz.names_of(_MATCH_FEATURES):
                if feature == "airport" and " " not in key:
                    continue
                feats[key].add(feature)
                if feature == "country" and country:
                    countries[key] = country
                if feature == "admin1" and " " not in key and country:
                    a1_countries[key].add(country)
            generic = frozenset(k for k, cs in a1_countries.items() if len(cs) >= 3)
            bases: dict[str, set[str]] = defaultdict(set)
            for key, fs in feats.items():
                if fs & _BASE_FEATURES and (core := nm.core_key(key)) and len(core) >= 4:
                    bases[core] |= fs & _BASE_FEATURES
            first = frozenset(k.split(" ", 1)[0] for k in feats)
            idx = _Index({k: frozenset(v) for k, v in feats.items()}, first, countries,
                         gz.demonym_keys(), generic,
                         {k: frozenset(v) for k, v in bases.items()})
            _INDEXES[gz] = idx
        return idx


def _tokens(text: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    append = out.append
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        tok = m.group()
        if e - s > 2 and tok[-1] == "s" and tok[-2] in "'’":  # possessive: "Iraq's"
            e -= 2
            tok = tok[:-2]
        append((s, e, tok))
    return out


def _capitalised(tok: str) -> bool:
    if tok[:1].isupper():
        return True
    if "-" not in tok and "‐" not in tok and "‑" not in tok:
        return False  # the common case, decided without the regex
    return bool(_ARTICLE_PREFIX.match(tok)) and tok.split("-", 1)[-1][:1].isupper()


def _single_ok(idx: _Index, toks: list[tuple[int, int, str]], i: int, feats: frozenset[str]
               ) -> bool:
    word = toks[i][2]
    key = nm.strict_key(word)
    if word.isupper() and len(word) <= 4 and "." not in word:
        return key in idx.countries  # "UK", "UAE", "US" but not other acronyms
    if len(key) < 4 and "." not in word:
        return False
    if not feats & {"country", "territory", "region", "island", "continent", "sea", "gulf",
                    "strait", "ocean", "lake", "river", "canal", "admin1", "base", "site"}:
        return False
    if feats == {"admin1"} and key in idx.generic:
        return False
    # a capitalised neighbour suggests a person or organisation ("Chad Smith", "Jordan Valley")
    nxt = toks[i + 1][2] if i + 1 < len(toks) else ""
    if nxt[:1].isupper() and toks[i + 1][0] - toks[i][1] <= 1:
        return False
    prev = toks[i - 1][2] if i > 0 else ""
    if prev == "of" and i > 1 and toks[i - 2][2][:1].isupper():
        return False  # "Bank of America", "University of Kentucky": an organisation's name
    if (prev[:1].isupper() and prev.lower() not in _LOCATIVE and prev not in ("The", "A")
            and toks[i][0] - toks[i - 1][1] == 1):
        return False  # "El Nacional", "Guardia Nacional": the tail of a longer name
    if key in _STOPLIST:
        return _after_locative(toks, i)
    return True


def _after_locative(toks: list[tuple[int, int, str]], i: int,
                    words: frozenset[str] = _LOCATIVE) -> bool:
    """Whether token ``i`` follows "in", "at", "near"... (possibly with "the" between)."""
    j = i - 1
    if j >= 0 and toks[j][2].lower() == "the":
        j -= 1
    return j >= 0 and toks[j][2].lower() in words


def find_toponyms(text: str, gazetteer: Gazetteer | None = None) -> list[Span]:
    """Spans of multiword or capitalised place names of the kinds NER tends to miss."""
    return [span for span, _ in _scan(text, gazetteer or Gazetteer.default())]


def _scan(text: str, gz: Gazetteer, toks: list[tuple[int, int, str]] | None = None
          ) -> list[tuple[Span, frozenset[str]]]:
    idx = _index(gz)
    toks = _tokens(text) if toks is None else toks
    out: list[tuple[Span, frozenset[str]]] = []
    i = 0
    while i < len(toks):
        word = toks[i][2]
        direction = word.lower() in nm.DIRECTIONS  # "north", "North-eastern"...
        if not (direction or _capitalised(word)) or word in ("The", "THE"):
            i += 1
            continue
        head = nm.strict_key(word).split(" ", 1)[0]
        head_loose = nm.loose_key(word).split(" ", 1)[0] if "-" in word else head
        if not direction and head not in idx.first and head_loose not in idx.first:
            i += 1
            continue
        found = None
        # names do not run across commas, brackets or line breaks: the longest candidate ends
        # where the tokens stop being joined by spaces, dots, hyphens or apostrophes
        longest, limit = 1, min(_MAX_TOKENS, len(toks) - i)
        while longest < limit and _JOINER.fullmatch(text, toks[i + longest - 1][1],
                                                    toks[i + longest][0]):
            longest += 1
        for n in range(longest, 0, -1):
            last = toks[i + n - 1][2]
            if not (_capitalised(last) or nm.has_facility(last) or (n > 1 and (
                    last.isdigit() or last.lower() in ("strait", "sea", "gulf", "crossing",
                                                       "bridge")))):
                continue
            s, e = toks[i][0], toks[i + n - 1][1]
            phrase = text[s:e]
            feats = idx.keys.get(nm.loose_key(phrase)) or idx.keys.get(nm.strict_key(phrase))
            if feats is None and n > 1 and nm.has_facility(last):
                core = nm.core_key(phrase)
                feats = idx.bases.get(core) if core else None
            if feats is None and direction and n > 1:
                rest = nm.split_direction(phrase)
                if rest and (f2 := idx.keys.get(nm.loose_key(rest[1]))) and f2 & _AREA_FEATURES:
                    feats = frozenset({"region"})
            if feats is None:
                continue
            if n == 1 and not _single_ok(idx, toks, i, feats):
                continue
            if nm.loose_key(phrase) in _METONYMS and not _after_locative(toks, i, _PREPS):
                continue  # "the Pentagon said": an institution speaking, not a place
            if direction and n == 1:
                continue
            found = ((s, e), feats, n)
            break
        if found:
            (s, e), feats, n = found
            if feats & _SITE_FEATURES:
                # "Ain al-Asad military base": take the facility words into the span
                m = _FACILITY_TAIL.match(text, e)
                if m:
                    e = m.end()
                    while i + n < len(toks) and toks[i + n][0] < e:
                        n += 1
            out.append(((s, e), feats))
            i += n
        else:
            i += 1
    return out


def country_cues(text: str, gz: Gazetteer) -> list[tuple[Span, str]]:
    """Countries named ("Iraq", "U.S.") or implied by a demonym ("Iraqi") in ``text``."""
    idx = _index(gz)
    toks = _tokens(text)
    out: list[tuple[Span, str]] = []
    for (s, e), feats in _scan(text, gz, toks):
        if "country" in feats and (iso3 := idx.countries.get(nm.strict_key(text[s:e]))
                                   or idx.countries.get(nm.loose_key(text[s:e]))):
            out.append(((s, e), iso3))
    taken = [span for span, _ in out]
    for s, e, word in toks:
        iso3 = idx.demonyms.get(nm.strict_key(word)) if word[:1].isupper() else None
        if iso3 and not any(ts <= s < te for ts, te in taken):
            out.append(((s, e), iso3))
    return out


# Money written with a currency sign: where the article counts its money is where it is, if
# only weakly (the dollar is the currency of many countries, the euro of twenty).
_EURO = ("AUT", "BEL", "HRV", "CYP", "EST", "FIN", "FRA", "DEU", "GRC", "IRL", "ITA", "LVA",
         "LTU", "LUX", "MLT", "NLD", "PRT", "SVK", "SVN", "ESP")
_CURRENCIES: dict[str, tuple[str, ...]] = {
    "$": ("USA", "CAN", "AUS", "NZL"),
    "US$": ("USA",), "C$": ("CAN",), "CA$": ("CAN",), "A$": ("AUS",), "AU$": ("AUS",),
    "NZ$": ("NZL",), "HK$": ("HKG",), "S$": ("SGP",),
    "£": ("GBR",), "€": _EURO, "₹": ("IND",),
}
_MONEY = re.compile(r"(?<![\w$])(US\$|CA?\$|AU?\$|NZ\$|HK\$|S\$|\$|£|€|₹)\s?\d")


def currency_cues(text: str) -> dict[str, int]:
    """Amounts of money by currency sign ("$12,680" → "$": 1), each sign counted per amount."""
    counts: dict[str, int] = {}
    for m in _MONEY.finditer(text):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def currency_countries(sign: str) -> tuple[str, ...]:
    return _CURRENCIES.get(sign, ())


# A telephone number written the North American way, "(908) 782-6983" or "304-399-6500": its area
# code names the state or province (local news prints the police's or the venue's number); a
# number without one still places the article in the United States or Canada, as weakly as a
# dollar amount does.
_NANP_PHONE = re.compile(
    r"(?<![\d-])(?:\(([2-9]\d{2})\)\s?|([2-9]\d{2})[-.])?[2-9]\d{2}-\d{4}(?![\d-])")
NANP_COUNTRIES = ("USA", "CAN")


def phone_cues(text: str) -> list[str]:
    """The area code of each North American telephone number in ``text`` ("" without one)."""
    return [m.group(1) or m.group(2) or "" for m in _NANP_PHONE.finditer(text)]


@lru_cache(maxsize=1)
def _area_codes() -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {}
    table = (places_data_dir() / "area_codes.tsv").read_text(encoding="utf-8")
    for line in table.splitlines()[2:]:  # a comment line, then the header
        code, iso3, admin1 = line.split("\t")
        out[code] = (iso3, admin1 or None)
    return out


def area_code_place(code: str) -> tuple[str, str | None] | None:
    """The country (ISO3) and state or province an area code serves; ``None`` if unknown."""
    return _area_codes().get(code)
