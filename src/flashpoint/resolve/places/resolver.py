"""Toponym resolution: pick, for each place mention, the gazetteer entry the article means.

Each candidate gets a score in log10-population-like units: a prior (feature class and
population: countries and seas outrank cities, big cities outrank villages), how well the name
matched, cues in the mention's own neighbourhood ("Alexandria, La.", "Iraq's Ain al-Asad", "the
Syrian town of X"), and evidence from the rest of the article (the countries, first-level divisions
and counties that the other mentions point to, and closeness to places already resolved with
confidence). Scores become probabilities; evidence is recomputed from them over several damped
passes, so confident mentions steer ambiguous ones. A city-level answer without a clear winner is
coarsened to the division or country its candidates share, or dropped, rather than guessed; a
town the gazetteer lacks but the text qualifies ("Belgrade, Minn.") resolves to that division.

Names the gazetteer lacks: a landmark built on a place's name ("Port of Los Angeles", "Kanawha
River") is placed at that place when the text supports it, named as written and without a
geonameid. An unknown name anchored to a found place ("University Hospital in Columbia",
"Whittier's Penn Park") stands in at that place; any other unknown name in an article whose
places share one division or country gets that area as a stand-in, as a human coder places an
unknown village. Stand-ins carry ``feature="context"`` and a low score (at most
``ANCHOR_SCORE`` or ``CONTEXT_SCORE``): callers that weigh evidence should treat them as weak.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from flashpoint.types import LANDMARK, STAND_IN, Location, PlacePrecision, Span

from . import names as nm
from .gazetteer import (
    CURATED_FEATURES,
    SITE_FEATURES,
    WATER_FEATURES,
    Gazetteer,
    Match,
    Place,
    haversine_km,
)

# --- weights (log10 units; one unit = a tenfold population ratio) -----------------------------
MATCH_BONUS = {"primary": 1.0, "alternate": 0.3, "loose": 0.0, "stem": -0.5, "core": -0.5}
STEM_BESIDE_EXACT = -1.5  # "Plymouth County" names a county: not the district called Plymouth
FUZZY_BONUS = -2.0      # minus 10 × (1 - similarity)
FUZZY_MIN_EVIDENCE = 1.0  # country evidence a near-miss spelling needs to be trusted...
COUNTRY_TYPO = 0.9  # ... unless it is this close to a country's name ("Mauritious")
# Evidence bonuses are W × min(ln(1 + evidence), CAP): a few mentions of a country settle which
# Alexandria is meant, but no amount of US context turns "Moscow" into Moscow, Idaho, without
# evidence at the state level.
W_COUNTRY, CAP_COUNTRY = 2.0, 1.2
CAP_COUNTRY_LOCAL = 2.5
W_ADMIN1, CAP_ADMIN1 = 2.0, 1.6
W_ADMIN2, CAP_ADMIN2 = 1.5, 1.2
W_NEAR, CAP_NEAR = 1.5, 2.0  # × closeness to the other mentions' likely readings
# Division, county and proximity evidence mostly restate one another (a co-mentioned town lies in
# the division, the county and the neighbourhood at once): the strongest counts in full, the
# others at this share
OVERLAP = 0.8
# Context may overturn a prior by at most this much (tuned on LGL: local news needs strong
# context; Alexandria, Louisiana must beat Alexandria, Egypt).
EVIDENCE_CAP = 8.0
NEAR_KM = 250.0
QUALIFIER_BONUS = 6.0   # "Alexandria, La." — the qualifier contains the candidate
POSSESSIVE_BONUS = 3.0  # "Iraq's Ain al-Asad", "the Syrian town of X"
COUNTRY_COMPANY_BONUS = 1.5  # other countries in the sentence: "Italy" is the country
LIST_BONUS = 2.0        # "Texas and Georgia": list members share a level and a parent
KIND_CUE_BONUS = 1.5    # "the City of X", "X police", "X province": what kind of place X is
GOVERNOR_CUE_BONUS = 3.0  # "X Gov.": surer than any other kind cue
DOC_COUNTRY_EVIDENCE = 3.0  # doc_countries count like this many mentions...
DOC_COUNTRY_BONUS = 1.5     # ...and add this, uncapped: the caller knows the article's country
TEXT_CUE_WEIGHT = 0.5
CURRENCY_CUE_WEIGHT, CURRENCY_CUE_CAP = 0.5, 1.5  # per amount of money in a country's currency
PHONE_CUE_WEIGHT = 0.5  # per North American telephone number, within the same cap
# an area code counts like a mention of its state in the same sentence, and all of them together
# at most like four (where division evidence saturates); LGL: weight 1.5 → 2 fixed 7, none broke
PHONE_DIVISION_WEIGHT, PHONE_DIVISION_CAP = 2.0, 4.0
BIG_CITY = 100_000
# a post-office locality has no population figure: it ranks below the smallest listed town
LOCALITY_PRIOR = 1.5
LANDMARK_PENALTY = 1.0  # "Catawba River" read as Catawba: the name's remainder, not the name
CONTEXT_SCORE = 0.3     # the score of an area that stands in for an unknown name, at most
ANCHOR_SCORE = 0.5      # ... and of the place it is "in" ("X in Y"), times that place's score
UNMENTIONED_ANCHOR_SCORE = 0.5  # an anchor not marked as a place ("Giza's"), read on its own
COARSEN_BELOW = 0.35    # city-level answers less probable than this are coarsened
DROP_BELOW = 0.2
# A small town read in a country nothing else in the text supports (evidence below the first
# figure) while the text points to another (at least the second figure) from more than this far
# outside its box is coarsened to that country
FOREIGN_MAX_EVIDENCE, FOREIGN_MIN_OTHER, FOREIGN_MIN_KM = 0.3, 2.0, 300.0
MAX_CANDIDATES = 60
MAX_CONTEXT_MENTIONS = 500  # more toponyms than this in one text are resolved in runs...
WINDOW_MARGIN = 2_000       # ... each with this many characters of text either side
PASSES = 7
# each pass keeps this share of the previous probabilities: two ambiguous mentions updated at once
# ("Richmond" and "Madison County") otherwise flip between readings instead of settling
DAMPING = 0.5

_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z])")
_QUALIFIER = re.compile(r"\s*(?:,|\(|-|–)\s*((?:[A-Z][\w.'’-]*\.?)(?:\s+[A-Z][\w.'’-]*\.?){0,3})")
# "La.", "Ky.", "Calif.": a truncated word is an abbreviation of an area, never a town's name
# (initialisms such as "L.A." or "D.C." are not truncations)
_TRUNCATION = re.compile(r"[A-Z][a-z]{1,4}\.")
_POSSESSIVE = re.compile(
    r"((?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,3})['’]s\s+(?:[a-z][\w-]*\s+){0,3}$")
_PLACE_NOUNS = (
    r"city|town|village|capital|province|region|governorate|district|port|state|county|"
    r"base|camp|area|border|enclave|neighbou?rhood|suburb|municipality|oblast|island"
)
_DEMONYM_OF = re.compile(
    r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+(?:[a-z][\w-]*\s+){0,2}(?:" + _PLACE_NOUNS
    + r")\s+of\s+$")
_LIST_SEP = re.compile(r"\s*(?:,|;|/|&|and|or|,\s*and|,\s*or)\s*")
# Names of peoples formed on an area's name, tried in order when the word itself names no place
_DERIVED_NAMES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"(?<=[ai])ns?$", ""),      # South Ossetian → South Ossetia, Iowans → Iowa
        (r"ans?$", ""),              # Ohioans → Ohio
        (r"ians?$", "io"),           # Ontarians → Ontario
        (r"ians?$", "a"),            # Floridians → Florida
        (r"ians?$", "y"),            # Sicilians → Sicily
        (r"ans?$", "as"),            # Texans → Texas
        (r"is?$", ""),               # Kashmiris → Kashmir, Dagestani → Dagestan
        (r"(?<=[bdgklnrtz])s?$", "ia"),  # Abkhaz → Abkhazia, Serbs → Serbia
    ))
# ... and of a town's people: Londoners, New Yorkers, Seattleites, Bostonians
_TOWNSFOLK: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"ers?$", ""), (r"(?<=e)rs?$", ""), (r"ites?$", ""), (r"ians?$", ""),
        (r"(?<=[ai])ns?$", ""),
    ))
_LIST_BEFORE = re.compile(r"(?:,|;|\band|\bor)\s*$")
_LIST_AFTER = re.compile(r"\.?\s*(?:,|;|,?\s*and|,?\s*or)\s+")
_MUNICIPAL_AFFIX = re.compile(
    r"^(?:[Cc]ity|[Tt]own(?:ship)?|[Vv]illage) of\s+|"
    r"\s+(?:[Cc]ity|[Tt]ownship|[Tt]wp\.?|[Tt]own|[Vv]illage)$")
_COUNTY_ABBREVIATION = re.compile(r"\s+(?:Co|Cnty)\.?$")
_COUNTY_ABBREVIATION_CAPS = re.compile(r"\s+(?:CO|CNTY)\.?$")
_DIRECTION = r"(?:(?:North|South)[- ]?(?:[Ee]ast|[Ww]est)|North|South|East|West)(?:ern)?|Central"
# "Eastern and Southern Europe", "North and South Korea": the first name's head is elided
_ELIDED_HEAD = re.compile(
    rf"\s+(?:and|or|&|to)\s+(?:{_DIRECTION})\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*){{0,2}})")
_CITY_BEFORE = re.compile(r"\b(?:[Cc]ity|[Tt]own|[Vv]illage|[Mm]ayor) of\s+$")
_CITY_AFTER = re.compile(
    r"\s*(?:City Council|city council|City Hall|city hall|Police|police|Fire Department|"
    r"fire department|Fire Rescue|firefighters|Mayor|mayor|Township|township|Borough|"
    r"High School|Public Schools?|School District|Municipal|city limits|[Dd]owntown)\b")
_GOVERNOR = r"Gov\.|Governor|governor|Lt\. Gov\."
_ADMIN_AFTER = re.compile(
    r"\s*(?:province|Province|state|State(?! (?:Department|University|College|Police))|"
    r"county|County|region|Region|governorate|Governorate|oblast|Oblast|prefecture|"
    r"Prefecture|parish|Parish|district|District|territory|Territory|"
    # a governor and a legislature belong to a state or province ("New York Gov. Cuomo")
    rf"{_GOVERNOR}|Legislature|legislature|General Assembly|"
    r"State Senate|state Senate|lawmakers|legislators)(?!\w)")
_GOVERNED_AFTER = re.compile(rf"\s*(?:{_GOVERNOR})(?!\w)")
# "Clarke, Madison, Oconee and Oglethorpe counties": a list that a plural area noun closes names
# areas in every item
_ADMIN_LIST_AFTER = re.compile(
    r"(?:\s*(?:,|/|&|,?\s+and|,?\s+or)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})*"
    r"\s+(?:counties|Counties|parishes|Parishes|provinces|Provinces|governorates|Governorates|"
    r"districts|Districts|oblasts|prefectures|regions)\b")
_ADMIN_BEFORE = re.compile(
    r"(?:\b(?:[Ss]tate|[Pp]rovince|[Rr]egion|[Gg]overnorate|[Gg]overnor) of|"
    r"\b(?:[Uu]pstate|[Dd]ownstate))\s+$")
_ADMIN_PRECISIONS = frozenset({"admin1", "admin2", "country"})
_FINE = frozenset({"city", "site", "admin2"})
_TOWN = frozenset({"city", "site"})
_WIDE = frozenset({"country", "region", "continent", "sea"})
_TOWN_FEATURES = frozenset({"city", "capital", "locality"})
CONTEXT_SHARE = 0.6  # the share of the article's places an area must hold to stand in
COUNTY_MARGIN = 0.5  # degrees around a county's towns that still count as in it
LOCAL_SENTENCES = 1  # ... or of the places in the name's sentence and the one before
# "X in Y", "X district of Y", "Y's X" (and "X, Y", "X (Y)" read as qualifiers): the place that
# anchors an unknown name X
_ANCHOR_AFTER = re.compile(
    r"(?:\s+(?:[Dd]istrict|[Nn]eighbou?rhood|[Qq]uarter|[Ss]uburb|[Aa]rea|[Ss]ection|[Vv]illage|"
    r"[Tt]ownship|[Cc]amp|[Pp]ort|[Mm]ine|[Cc]ounty|[Pp]refecture|[Mm]unicipality|[Pp]rovince|"
    r"[Rr]egion|[Gg]overnorate)|(?:\s+[a-z]+){1,3}?\s+(?:area|camp|park|station|site|center|centre|"
    r"base|facility|plant|mine|village|district|neighbou?rhood))?\s+(?:in|at|near|outside|of)\s+"
    r"(?:the\s+)?(?:(?:north|south)?-?(?:northern|southern|eastern|western|central)\s+)?")
_ANCHOR_BEFORE = re.compile(r"['’]s?\s+$")
_NAME_AT = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}")  # an anchor's name...
_NAME_BEFORE = re.compile(r"(?<![\w'’-])(?:[A-Z][\w-]*\s+){0,3}[A-Z][\w-]*$")  # ... before "'s"
_ANCHORS = frozenset({"site", "city", "admin2", "admin1"})


@dataclass
class _Cand:
    place: Place
    base: float
    kind: str = "primary"
    local: float = 0.0
    score: float = 0.0
    prob: float = 0.0
    country_evidence: float = 0.0
    similarity: float = 1.0  # of a fuzzy match's name


@dataclass
class _Mention:
    index: int
    span: Span
    surface: str
    group: str
    sentence: int
    cands: list[_Cand] = field(default_factory=list)
    landmark: str | None = None  # "site"/"nature": candidates are for the name's remainder
    local_body: bool = False  # "X police", "X city council": a town the reader knows
    # the country the rest of the article points to most, and how strongly
    article_country: tuple[str, float] | None = None


def prior(place: Place, kind: str = "primary") -> float:
    """Log10-scale prior: how likely an unqualified mention of this name means this place."""
    f, pop = place.feature, max(place.population, 1)
    if f == "country":
        return 9.0 + 0.15 * math.log10(max(pop, 1e5) / 1e7)
    if f == "continent":
        return 9.0
    if f in WATER_FEATURES:
        return 8.0
    if f == "territory":
        return 7.0 + 0.3 * math.log10(max(pop, 1e5) / 1e6)
    if f in ("region", "island"):
        return 7.0
    if f == "admin1":
        return 6.0 + 0.5 * math.log10(max(pop, 1e4) / 1e6)
    if f == "admin2":
        return 4.0 + 0.5 * math.log10(max(pop, 1e3) / 1e5)
    if f in SITE_FEATURES:
        if kind not in ("primary", "alternate", "loose"):
            return 3.0
        return 6.5 if f in CURATED_FEATURES else 5.0  # curated: famous enough to be listed
    if f == "locality":
        return LOCALITY_PRIOR
    bonus = 1.0 if f == "capital" else 0.0
    return math.log10(max(pop, 1000)) + bonus


def _base_score(m: Match, facility: bool, admin_word: bool, exact_admin: bool) -> float:
    p = m.place
    s = prior(p, m.kind)
    if m.kind == "stem" and exact_admin:
        return s + MATCH_BONUS["stem"] + STEM_BESIDE_EXACT
    s += MATCH_BONUS.get(m.kind, FUZZY_BONUS - 10.0 * (1.0 - m.similarity))
    if m.kind == "alternate" and p.feature == "city" and p.population < 100_000:
        s -= 0.8  # small towns' alternates are mostly old or foreign names, rarely news usage
    exact = m.kind in ("primary", "alternate")  # the words belong to the name itself
    if facility and not exact:
        s += 2.0 if p.feature in SITE_FEATURES else -2.0
    if admin_word and not exact:
        s += 1.5 if p.precision in ("admin1", "admin2") or p.feature == "territory" else -1.5
    return s


def _contains(outer: Place, inner: Place) -> bool:
    """Whether ``inner`` lies in the area ``outer`` (by country/admin names, not geometry)."""
    if outer.id == inner.id or not outer.country or outer.country != inner.country:
        return False
    if outer.precision == "country":
        return True
    if outer.precision == "admin1" or outer.feature == "territory":
        return inner.admin1 is not None and inner.admin1 == (outer.admin1 or outer.name)
    if outer.precision == "admin2":
        return inner.admin2 is not None and inner.admin2 == outer.admin2
    return False


def _level(p: Place) -> str:
    if p.feature in WATER_FEATURES:
        return "sea"
    return "admin1" if p.feature == "territory" else p.precision


def _sibling(p: Place, other: _Mention) -> float:
    """How strongly a list neighbour's current reading supports reading ``p`` at its level."""
    if not other.cands:
        return 0.0
    top = max(other.cands, key=lambda c: c.prob)
    if _level(top.place) != _level(p) or top.prob < 0.3:
        return 0.0
    if _level(p) not in ("country", "sea", "region") and top.place.country != p.country:
        return 0.0
    if _level(p) in ("city", "admin2", "site") and top.place.admin1 != p.admin1:
        return 0.0  # "Sharon, Cornwall and Salisbury": towns listed together share a state
    return top.prob


def _closeness(p: Place, others: list[list[tuple[float, float, float]]]) -> float:
    """Sum over other mentions of max(probability × (1 - distance / NEAR_KM)) of their readings."""
    coslat = math.cos(math.radians(p.lat))
    total = 0.0
    for pts in others:
        best = 0.0
        for lat, lon, prob in pts:
            dx = (lon - p.lon) * coslat * 111.32
            dy = (lat - p.lat) * 111.32
            d2 = dx * dx + dy * dy
            if d2 < NEAR_KM * NEAR_KM:
                best = max(best, prob * (1.0 - math.sqrt(d2) / NEAR_KM))
        total += best
    return total


def _km_outside(area: Place, p: Place) -> float:
    """How far ``p`` lies outside the bounding box of ``area`` (0 inside or without a box)."""
    if area.extent is None:
        return 0.0
    s, w, n, e = area.extent
    if w > e:  # the box crosses the antimeridian
        return 0.0
    return haversine_km(p.lat, p.lon, min(max(p.lat, s), n), min(max(p.lon, w), e))


def _sentences(text: str) -> list[int]:
    """Start offsets of sentences (a light splitter: spans only need a sentence index)."""
    starts = [0]
    starts.extend(m.end() for m in _SENT_END.finditer(text))
    return starts


def _softmax(cands: list[_Cand]) -> None:
    if not cands:
        return
    top = max(c.score for c in cands)
    weights = [10.0 ** (c.score - top) for c in cands]
    total = sum(weights)
    for c, w in zip(cands, weights, strict=True):
        c.prob = w / total


def _direction_candidates(gz: Gazetteer, surface: str) -> list[_Cand]:
    """"western Yemen" without a curated entry: a point offset inside the named area."""
    split = nm.split_direction(surface)
    if split is None:
        return []
    (dy, dx), rest = split
    out = []
    for m in gz.lookup(rest):
        area = m.place
        if m.kind not in ("primary", "alternate", "loose") or area.feature in SITE_FEATURES:
            continue
        if area.precision == "city" and area.population < BIG_CITY:
            continue  # "East Jerusalem", "South L.A.": only a big city has named parts
        lat, lon = area.lat, area.lon
        if area.extent is not None:
            s, w, n, e = area.extent
            lat += dy * 0.3 * (n - s)
            lon += dx * 0.3 * (e - w)
        # "South L.A." is a part of a city: keep the city's point and precision
        precision: PlacePrecision = "city" if area.precision == "city" else "region"
        region = Place(-area.id, surface.strip(), "region", precision, lat, lon, area.country,
                       area.admin1 or (area.name if area.precision == "admin1" else None),
                       area.admin2, area.population, None, None)
        out.append(_Cand(region, min(prior(area), 7.0) + 0.5))
    return out


def _people_place(x: Match, towns: bool) -> bool:
    """Whether a name derived from a people's name ("Ohio" from "Ohioans") found its place."""
    if towns:
        return x.kind == "primary" and x.place.feature in _TOWN_FEATURES
    return x.kind in ("primary", "alternate") and (
        x.place.precision in _ADMIN_PRECISIONS or x.place.feature in ("territory", "region"))


def _namelike(surface: str) -> bool:
    """A capital letter ("al-Tanf" too): a name, not "the area" (NER spans can be anything)."""
    return any(ch.isupper() for ch in surface)


def _clean_surface(surface: str) -> str:
    s = surface.strip().strip(",.;:\"“”()[]")
    s = re.sub(r"['’]s$", "", s)
    return re.sub(r"^(?:the|The)\s+", "", s) or surface


class _Resolver:
    def __init__(self, gz: Gazetteer, text: str, spans: Sequence[Span],
                 doc_countries: Sequence[str]) -> None:
        self.gz = gz
        self.text = text
        self.division_cues: dict[tuple[str, str], float] = {}  # (ISO3, admin1) from the text
        self.gaps: set[int] = set()  # mentions answered by the article's country for a gap
        # most relevant first: the first counts fully, the next ones less and less
        self.doc_countries: dict[str, float] = {}
        for rank, iso3 in enumerate(c for c in doc_countries if c):
            self.doc_countries.setdefault(iso3, 1.0 / (1 + rank))
        starts = _sentences(text)
        self.mentions: list[_Mention] = []
        for i, (s, e) in enumerate(spans):
            surface = _clean_surface(text[s:e])
            sent = bisect.bisect_right(starts, s) - 1
            self.mentions.append(_Mention(i, (s, e), surface, nm.loose_key(surface), sent))
        self.by_start = {m.span[0]: m for m in self.mentions}
        self.by_end = {m.span[1]: m for m in self.mentions}
        # list neighbours: mentions joined only by a comma, "and", "or"...
        self.neighbours: dict[int, list[_Mention]] = defaultdict(list)
        ordered = sorted(self.mentions, key=lambda m: m.span)
        for a, b in itertools.pairwise(ordered):
            gap = text[a.span[1]:b.span[0]]
            if a.group != b.group and _LIST_SEP.fullmatch(gap):
                self.neighbours[a.index].append(b)
                self.neighbours[b.index].append(a)

    # ---- candidates and local cues ------------------------------------------------------------
    def candidates(self, m: _Mention) -> None:
        if not _namelike(m.surface):
            return  # "area" is an old name of Mundelein, Illinois; "the area" is not
        surface = _COUNTY_ABBREVIATION.sub(" County", m.surface)  # "Loudon Co."
        if re.fullmatch(_DIRECTION, m.surface) and (full := self._elided(m)) is not None:
            # the mention is its full name from here on: "Eastern" is "Eastern Europe"
            surface = m.surface = full
            m.group = nm.loose_key(full)
        if m.surface.isupper() and "." in self.text[m.span[1] - 1:m.span[1] + 1]:
            # "PLYMOUTH CO." in a dateline; "BOULDER CO" without the stop is Colorado's code
            surface = _COUNTY_ABBREVIATION_CAPS.sub(" County", surface)
        facility = nm.has_facility(surface)
        admin_word = nm.has_admin_word(surface) and not facility
        matches = [x for x in self.gz.lookup(surface)
                   if not (x.kind == "stem" and x.place.precision == "country")]
        if not any(x.kind in ("primary", "alternate") for x in matches) and (
                city := _MUNICIPAL_AFFIX.sub("", m.surface)) != m.surface:
            # "Quebec City", "Readington Township", "Town of Groton": the town of that name
            matches += [Match(x.place, "loose") for x in self.gz.lookup(city)
                        if x.place.precision == "city" and x.kind != "fuzzy"]
        exact_admin = admin_word and any(
            x.kind in ("primary", "alternate") and x.place.precision in ("admin1", "admin2")
            for x in matches)
        cands = [_Cand(x.place, _base_score(x, facility, admin_word, exact_admin), x.kind,
                       similarity=x.similarity) for x in matches]
        area = self.gz.demonym_place(m.surface) or (
            self.gz.demonym_place(m.surface[:-1]) if m.surface.endswith("s") else None)
        if area is not None:
            # "Egyptian officials", "European markets": the adjective locates the area
            cands = [c for c in cands if c.place.id != area.id]
            cands.append(_Cand(area, prior(area) + MATCH_BONUS["alternate"], "alternate"))
        if not any(c.base >= 6.0 for c in cands):
            cands += _direction_candidates(self.gz, m.surface)
        if not any(x.kind in ("primary", "alternate", "loose") for x in matches) and (
                lm := nm.split_landmark(m.surface)) is not None:
            # "Port of Los Angeles", "Kanawha River": a feature the gazetteer lacks, located by
            # the place it is named after
            rest, m.landmark = lm
            cands += [_Cand(x.place, prior(x.place, x.kind) + MATCH_BONUS[x.kind]
                            - LANDMARK_PENALTY, "landmark")
                      for x in self.gz.lookup(rest)
                      if x.kind in ("primary", "alternate", "loose")
                      and x.place.precision in ("city", "admin2", "admin1")]
        s, e = m.span
        raw = self.text[s:e].strip() + ("." if self.text[e:e + 1] == "." else "")
        if _TRUNCATION.fullmatch(raw.replace("..", ".")):
            areas = [c for c in cands if c.place.precision in ("admin1", "country")
                     or c.place.feature == "territory"]
            cands = areas or cands
        if not any(c.kind != "fuzzy" for c in cands) and (
                people := self._demonym_area(m.surface)):
            cands = people
            # "Londoners" and "London" name one place: one group, whose mentions do not count
            # as evidence for each other
            m.group = nm.loose_key(people[0].place.name)
        cands.sort(key=lambda c: -c.base)
        m.cands = cands[:MAX_CANDIDATES]

    def _elided(self, m: _Mention) -> str | None:
        """"Eastern and Southern Europe", "North and South Korea's leaders": the direction word
        with the head of the name that follows it, the longest run of its words that names a
        place."""
        if (head := _ELIDED_HEAD.match(self.text, m.span[1])) is None:
            return None
        words = head.group(1).split()
        for n in range(len(words), 0, -1):
            full = f"{m.surface} {' '.join(words[:n])}"
            if any(x.kind in ("primary", "alternate") for x in self.gz.lookup(full)):
                return full
        return None

    def _demonym_area(self, surface: str) -> list[_Cand]:
        """"South Ossetian", "Ohioans", "Londoners": a people named after a place's own name
        (an area's, else a town's)."""
        for rules, towns in ((_DERIVED_NAMES, False), (_TOWNSFOLK, True)):
            for pattern, repl in rules:
                word = pattern.sub(repl, surface, count=1)
                if word == surface or len(word) < 4:
                    continue
                found = [_Cand(x.place, prior(x.place) + MATCH_BONUS["alternate"], "alternate")
                         for x in self.gz.lookup(word) if _people_place(x, towns)]
                if found:
                    return found
        return []

    def _qualifies(self, m: _Mention, q: re.Match[str]) -> bool:
        """Whether "X, Y" reads as a place and its division rather than two items of a list."""
        sep = self.text[m.span[1]:q.start(1)]
        if "-" in sep or "–" in sep:
            return False  # "Greenbrier-Pocahontas County": joined, not qualified
        before = self.text[max(0, m.span[0] - 12):m.span[0]]
        if _LIST_BEFORE.search(before) and any(o.span[1] <= m.span[0] for o in
                                                self.neighbours.get(m.index, ())):
            return False  # "Missouri, New York, North Carolina"
        other = self.by_start.get(q.start(1))
        end = other.span[1] if other is not None else q.end(1)
        # "Navarro, Henderson and Ellis counties"
        after = _LIST_AFTER.match(self.text, end)
        return after is None or after.end() not in self.by_start

    def _list_members(self, m: _Mention) -> list[int]:
        """The other names of the list ``m`` stands in, in text order."""
        seen, todo = {m.index}, [m]
        while todo:
            for nb in self.neighbours.get(todo.pop().index, ()):
                if nb.index not in seen:
                    seen.add(nb.index)
                    todo.append(nb)
        return sorted(seen - {m.index})

    def _in_list_of(self, m: _Mention, level: str) -> bool:
        """Whether ``m`` stands in a list of three or more names, at least two thirds of the
        others at ``level`` ("Dayton, Ohio, and Springfield, Ohio" alternates: no list)."""
        others = [self.mentions[i] for i in self._list_members(m)]
        if len(others) < 2:
            return False
        at = sum(1 for o in others
                 if o.cands and _level(max(o.cands, key=lambda c: c.base).place) == level)
        return 3 * at >= 2 * len(others)

    def _areas_named(self, phrase: str) -> list[Place]:
        return [x.place for x in self.gz.lookup(phrase)
                if x.kind != "fuzzy" and (x.place.precision in _ADMIN_PRECISIONS
                                          or x.place.feature == "territory")]

    def local_cues(self, m: _Mention) -> None:
        s, e = m.span
        # "X, Qualifier" / "X (Qualifier)": the qualifier is another mention or an area name
        q = _QUALIFIER.match(self.text, e)
        quals: list[Place] = []
        # the level of the mention's likeliest reading; a name with no candidate reads as a town
        own_level = _level(max(m.cands, key=lambda c: c.base).place) if m.cands else "city"
        if q:
            other = self.by_start.get(q.start(1))
            if other is not None and other.cands:
                top = max(other.cands, key=lambda c: c.base)
                # "China, Japan" is a list, not a place and its qualifier
                if own_level != _level(top.place):
                    quals = [c.place for c in other.cands if c.base >= top.base - 2.0]
            elif other is None:
                # ... and "Egypt-US relations" pairs two countries: a qualifier names a larger
                # area than the mention's likeliest reading
                words = q.group(1).split()
                countries = {c.place.country for c in m.cands}
                for n in range(len(words), 0, -1):
                    quals = [a for a in self._areas_named(" ".join(words[:n]))
                             if _level(a) != own_level
                             # "Beirut, Vladimir Isachenkov": the first words of a longer name
                             # qualify only a name with readings in that area's country
                             and (n == len(words) or a.country in countries)]
                    if quals:
                        break
        if quals and self._in_list_of(m, _level(quals[0])):
            # "Virginia, Washington, West Virginia and Wyoming": a list of states, not the
            # town of Washington in West Virginia
            quals = []
        if quals and q and self._qualifies(m, q) and not any(
                _contains(q_, c.place) for q_ in quals for c in m.cands) and own_level in _TOWN:
            # "Belgrade, Minn.", "Orient, Ohio": a town too small for the gazetteer, in a named
            # division; the division is a better answer than a namesake elsewhere
            area = next((a for a in quals if a.precision == "admin1"), None)
            if area is not None:
                base = max((c.base for c in m.cands), default=prior(area))
                m.cands.append(_Cand(area, base, "qualifier"))
        # "Iraq's Ain al-Asad", "the Syrian town of X"
        owners: list[Place] = []
        window = self.text[max(0, s - 80):s]
        if pm := _POSSESSIVE.search(window):
            owners = self._areas_named(pm.group(1))
        if dm := _DEMONYM_OF.search(window):
            iso3 = self.gz.demonym(dm.group(1))
            country = self.gz.country(iso3) if iso3 else None
            if country is not None:
                owners.append(country)
        before, after = self.text[max(0, s - 20):s], self.text[e:e + 30]
        m.local_body = bool(_CITY_AFTER.match(after))
        city_cue = bool(_CITY_BEFORE.search(before)) or m.local_body
        # "New York Gov. Cuomo": only a state or province has a governor, whatever the text's
        # other places are
        governed = bool(_GOVERNED_AFTER.match(after))
        admin_cue = bool(_ADMIN_BEFORE.search(before) or _ADMIN_AFTER.match(after)
                         or _ADMIN_LIST_AFTER.match(self.text, e, min(len(self.text), e + 200)))
        for c in m.cands:
            if any(_contains(q_, c.place) for q_ in quals):
                c.local += QUALIFIER_BONUS
            if any(_contains(o, c.place) for o in owners):
                c.local += POSSESSIVE_BONUS
            if city_cue:
                c.local += KIND_CUE_BONUS if c.place.precision == "city" else -KIND_CUE_BONUS
            elif admin_cue:
                is_admin = c.place.precision in ("admin1", "admin2") or (
                    c.place.feature == "territory")
                cue = GOVERNOR_CUE_BONUS if governed else KIND_CUE_BONUS
                c.local += cue if is_admin else -cue
        # the qualifier mention is itself supported by containing a candidate of this one
        if q and (other := self.by_start.get(q.start(1))) is not None:
            for oc in other.cands:
                if any(_contains(oc.place, c.place) for c in m.cands[:20]):
                    oc.local = max(oc.local, QUALIFIER_BONUS / 2)

    # ---- document evidence --------------------------------------------------------------------
    def _text_cues(self) -> dict[str, float]:
        """Countries named or implied ("Iraqi") in text outside the given mentions."""
        from .matcher import (
            NANP_COUNTRIES,
            area_code_place,
            country_cues,
            currency_countries,
            currency_cues,
            phone_cues,
        )

        covered = [m.span for m in self.mentions]
        ev: dict[str, float] = defaultdict(float)
        for (s, e), iso3 in country_cues(self.text, self.gz):
            if not any(cs <= s < ce or s <= cs < e for cs, ce in covered):
                ev[iso3] += TEXT_CUE_WEIGHT
        money: dict[str, float] = defaultdict(float)
        for sign, n in currency_cues(self.text).items():
            for iso3 in currency_countries(sign):
                money[iso3] += CURRENCY_CUE_WEIGHT * n
        for code in phone_cues(self.text):
            served = area_code_place(code)
            for iso3 in (served[0],) if served else NANP_COUNTRIES:
                money[iso3] += PHONE_CUE_WEIGHT
            if served and served[1]:
                # "call London police at 519-…": Ontario, as if the text had named it
                key = (served[0], served[1])
                self.division_cues[key] = min(PHONE_DIVISION_CAP, self.division_cues.get(
                    key, 0.0) + PHONE_DIVISION_WEIGHT)
        for iso3, v in money.items():
            ev[iso3] += min(v, CURRENCY_CUE_CAP)
        return {k: min(v, 2.0) for k, v in ev.items()}

    def evidence(self, text_cues: dict[str, float]) -> None:
        groups: dict[str, list[_Mention]] = defaultdict(list)
        for m in self.mentions:
            groups[m.group].append(m)
        contrib: dict[str, tuple[dict[object, float], ...]] = {}
        for g, ms in groups.items():
            per: tuple[dict[object, float], ...] = (defaultdict(float), defaultdict(float),
                                                   defaultdict(float), defaultdict(float))
            for m in ms:
                for c in m.cands:
                    p = c.place
                    # a near-miss spelling is a guess: it may follow the article's other places
                    # but must not lead them ("Headington" read as Haddington, Pa., would
                    # otherwise pull "Oxford" to Pennsylvania)
                    if not p.country or c.prob < 0.01 or c.kind == "fuzzy":
                        continue
                    per[0][p.country] += c.prob
                    if p.precision == "country":
                        per[3][p.country] += c.prob
                    if p.admin1:
                        per[1][(p.country, p.admin1)] += c.prob
                    elif p.precision == "admin1" or p.feature == "territory":
                        per[1][(p.country, p.name)] += c.prob
                    if p.admin2:
                        per[2][(p.country, p.admin1, p.admin2)] += c.prob ** 0.5
            contrib[g] = per
        # Where each group may be, weighted: every other group pulls candidates towards its own
        # likely readings (soft spatial coherence: "Sharon, Kent, Canaan" lie together).
        spots: dict[str, list[tuple[float, float, float]]] = {}
        for g, ms in groups.items():
            pts: dict[int, tuple[float, float, float]] = {}
            for m in ms:
                for c in m.cands:
                    if c.prob >= 0.05 and c.place.precision in _FINE and c.kind != "fuzzy":
                        old = pts.get(c.place.id)
                        if old is None or c.prob > old[2]:
                            pts[c.place.id] = (c.place.lat, c.place.lon, c.prob)
            spots[g] = list(pts.values())
        # "the Far East, the Middle East, Italy and Russia": a sentence that names countries
        # names more of them (by other groups' likely readings)
        company: dict[int, dict[str, float]] = defaultdict(dict)
        for m in self.mentions:
            if m.cands:
                top = max(m.cands, key=lambda c: c.prob)
                if _level(top.place) in _WIDE:
                    old_p = company[m.sentence].get(m.group, 0.0)
                    company[m.sentence][m.group] = max(old_p, top.prob)
        for g, ms in groups.items():
            country_company = {sent: min(1.0, sum(v for g2, v in by_g.items() if g2 != g))
                               for sent, by_g in company.items()}
            country_ev: dict[object, float] = defaultdict(float)
            a1_ev: dict[object, float] = defaultdict(float)
            a2_ev: dict[object, float] = defaultdict(float)
            named_ev: dict[object, float] = defaultdict(float)
            sents = {m.sentence for m in ms}
            for g2, ms2 in groups.items():
                if g2 == g:
                    continue
                weight = 1.0 + (1.0 if any(m2.sentence in sents for m2 in ms2) else 0.0)
                weight /= len(ms2) ** 0.5  # repeated mentions count, with diminishing returns
                for ev, part in zip((country_ev, a1_ev, a2_ev, named_ev), contrib[g2],
                                    strict=True):
                    for k, v in part.items():
                        ev[k] += weight * v
            for iso3, v in text_cues.items():
                country_ev[iso3] += v
            for key, v in self.division_cues.items():
                a1_ev[key] += v
            if country_ev:
                # what the text itself is about, before the caller's hint (a paper's own
                # country is not where every small town it reports on lies)
                lead_cc, lead_ev = max(country_ev.items(), key=lambda kv: kv[1])
                for m in ms:
                    m.article_country = (str(lead_cc), lead_ev)
            for iso3, weight in self.doc_countries.items():
                country_ev[iso3] += DOC_COUNTRY_EVIDENCE * weight
            near = [pts for g2, pts in spots.items() if g2 != g and pts]
            for m in ms:
                # "in France ... Paris": a name that a named country's capital bears reads in
                # that country, as a division's towns read where it is named (all readings in
                # that country gain alike: the capital does not outrank Washington State)
                capitals = {c.place.country: W_ADMIN1 * min(
                    CAP_ADMIN1, math.log1p(named_ev.get(c.place.country, 0.0)))
                    for c in m.cands if c.place.feature == "capital" and c.place.country}
                sub: dict[int, float] = {}
                for c in m.cands:
                    p = c.place
                    # evidence below the country: division, county, proximity
                    parts = [0.0, 0.0, 0.0]
                    if p.country:
                        a1 = p.admin1 or (p.name if p.precision == "admin1" else None)
                        if a1 and p.precision != "country":
                            parts[0] = W_ADMIN1 * min(CAP_ADMIN1,
                                                      math.log1p(a1_ev.get((p.country, a1), 0.0)))
                        if p.country in capitals:
                            parts[0] = max(parts[0], capitals[p.country])
                        if p.admin2:
                            parts[1] = W_ADMIN2 * min(CAP_ADMIN2, math.log1p(
                                a2_ev.get((p.country, p.admin1, p.admin2), 0.0)))
                    if near and p.precision in _FINE:
                        parts[2] = W_NEAR * min(CAP_NEAR, _closeness(p, near))
                    top_part = max(parts)
                    inner = top_part + OVERLAP * (sum(parts) - top_part)
                    sub[id(c)] = inner
                for c in m.cands:
                    p = c.place
                    # An area shares the evidence of the places inside it: the article's other
                    # Mexican places say nothing for Mexico City over Mexico.
                    inner = sub[id(c)]
                    if p.precision == "country":
                        inner = max([inner] + [sub[id(o)] for o in m.cands
                                               if o.place.country == p.country])
                    bonus = 0.0
                    if p.country:
                        # a town's police or council is news where the paper is: the article's
                        # country counts for more
                        cap = CAP_COUNTRY_LOCAL if m.local_body else CAP_COUNTRY
                        bonus += W_COUNTRY * min(cap, math.log1p(country_ev.get(p.country, 0.0)))
                        bonus += DOC_COUNTRY_BONUS * self.doc_countries.get(p.country, 0.0)
                    bonus = min(EVIDENCE_CAP, bonus + inner)
                    bonus += LIST_BONUS * max(
                        (_sibling(p, nb) for nb in self.neighbours.get(m.index, ())),
                        default=0.0)
                    if p.precision == "country":
                        bonus += COUNTRY_COMPANY_BONUS * country_company.get(m.sentence, 0.0)
                    c.country_evidence = country_ev.get(p.country, 0.0) if p.country else 0.0
                    c.score = c.base + c.local + bonus
            # one sense per discourse: a group's mentions share their best local cues
            if len(ms) > 1:
                best_local: dict[int, float] = defaultdict(float)
                for m in ms:
                    for c in m.cands:
                        best_local[c.place.id] = max(best_local[c.place.id], c.local)
                for m in ms:
                    for c in m.cands:
                        c.score += best_local[c.place.id] - c.local
            for m in ms:
                before = [c.prob for c in m.cands]
                _softmax(m.cands)
                for c, was in zip(m.cands, before, strict=True):
                    c.prob = DAMPING * was + (1.0 - DAMPING) * c.prob

    # ---- decision -----------------------------------------------------------------------------
    def decide(self, m: _Mention) -> Location | None:
        if not m.cands:
            return None
        best = max(m.cands, key=lambda c: c.score)
        place, score = best.place, best.prob
        typo = place.precision == "country" and best.similarity >= COUNTRY_TYPO
        if best.kind == "fuzzy" and not typo and (best.country_evidence < FUZZY_MIN_EVIDENCE
                                                  or place.feature == "locality"):
            # a near-miss spelling, and too little else in the text points there (one dollar
            # amount does not make "Plum Island" Palm Island, Queensland); a post-office
            # locality is too obscure to be what a misspelt name meant
            return None
        if best.kind == "landmark":
            if best.country_evidence < 0.5:
                return None  # a feature's namesake, and nothing else in the text points there
            precision: PlacePrecision = (
                "region" if m.landmark == "nature" or place.precision == "admin2"
                else place.precision)
            return replace(self._location(m, place, score), name=m.surface,
                           precision=precision, geonameid=None, feature=LANDMARK)
        if (m.article_country is not None and place.precision in _FINE
                and place.feature != "capital" and place.population < BIG_CITY
                and best.country_evidence < FOREIGN_MAX_EVIDENCE
                and best.local < POSSESSIVE_BONUS  # "Stroud, Ontario": the text places it
                and m.article_country[1] >= FOREIGN_MIN_OTHER
                and m.article_country[0] != place.country
                and (country := self.gz.country(m.article_country[0])) is not None
                and _km_outside(country, place) > FOREIGN_MIN_KM):
            # "Nyanza province" in an article about Kenya: a small namesake far from the country
            # the article is about, in a country nothing else in the text points to, is a gap
            # in the gazetteer, not that town; the article's country is the safer answer (a
            # town near it, as Bakhmut in a report from Moscow, is cross-border news)
            place, score = country, best.prob * 0.5
            self.gaps.add(m.index)  # an anchor ("Giza's Haram") may place it better
        elif best.prob < COARSEN_BELOW and place.precision in _FINE:
            coarse = self._coarsen(m)
            if coarse is not None:
                place, score = coarse
            elif best.prob < DROP_BELOW:
                return None
        return self._location(m, place, score)

    def _location(self, m: _Mention, place: Place, score: float) -> Location:
        return Location(
            text=self.text[m.span[0]:m.span[1]], name=place.name, lat=place.lat, lon=place.lon,
            country=place.country, admin1=place.admin1 or (
                place.name if place.precision == "admin1" else None),
            precision=place.precision, geonameid=place.geonameid, span=m.span, score=score,
            feature=place.feature)

    def _coarsen(self, m: _Mention) -> tuple[Place, float] | None:
        by_a1: dict[tuple[str, str], float] = defaultdict(float)
        by_country: dict[str, float] = defaultdict(float)
        for c in m.cands:
            if c.place.country:
                by_country[c.place.country] += c.prob
                if c.place.admin1:
                    by_a1[(c.place.country, c.place.admin1)] += c.prob
        if by_a1:
            (iso3, a1), mass = max(by_a1.items(), key=lambda kv: kv[1])
            if mass >= 0.7 and (area := self.gz.admin1(iso3, a1)) is not None:
                return area, mass
        if by_country:
            iso3, mass = max(by_country.items(), key=lambda kv: kv[1])
            if mass >= 0.7 and (country := self.gz.country(iso3)) is not None:
                return country, mass
        return None

    def run(self) -> list[Location | None]:
        for m in self.mentions:
            self.candidates(m)
        for m in self.mentions:
            self.local_cues(m)
        # "Belgrade, Minn. ... in Belgrade": a division stood in for a town the gazetteer lacks
        # once, so it stands in for every mention of that town
        stand_ins: dict[str, list[_Cand]] = defaultdict(list)
        for m in self.mentions:
            stand_ins[m.group] += [c for c in m.cands if c.kind == "qualifier"]
        for m in self.mentions:
            have = {c.place.id for c in m.cands}
            for c in stand_ins.get(m.group, ()):
                if c.place.id not in have:
                    m.cands.append(_Cand(c.place, c.base, c.kind))
                    have.add(c.place.id)
        for m in self.mentions:
            for c in m.cands:
                c.score = c.base + c.local
            _softmax(m.cands)
        cues = self._text_cues()
        for _ in range(PASSES - 1):
            self.evidence(cues)
        out = [self.decide(m) for m in self.mentions]
        # "University Hospital in Columbia, Missouri", "Whittier's Penn Park": a name the
        # gazetteer lacks, or a landmark whose namesake lies elsewhere, is where its anchor is
        out = [self._anchored(m, out, loc) or loc
               for m, loc in zip(self.mentions, out, strict=True)]
        # a name still unplaced, or a gap answered with the article's country, stands in for
        # the area the article's other places share
        open_ = [loc is None or (m.index in self.gaps and not loc.stand_in)
                 for m, loc in zip(self.mentions, out, strict=True)]
        if any(open_):
            known = [None if o else loc for o, loc in zip(open_, out, strict=True)]
            area = self._context_area(known)
            for i, (m, o) in enumerate(zip(self.mentions, open_, strict=True)):
                if not o or not _namelike(m.surface):
                    continue
                here = self._local_area(m, known)
                if here is None or (area is not None and _contains(here[0], area[0])):
                    here = area  # the article's own town lies in the division around the name
                if here is not None:
                    out[i] = self._stand_in(m, *here)
        return out

    def _anchored(self, m: _Mention, found: Sequence[Location | None],
                  loc: Location | None) -> Location | None:
        if not _namelike(m.surface):
            return None
        if m.index in self.gaps:
            loc = None
        elif loc is not None and loc.feature != LANDMARK:
            return None
        s, e = m.span
        anchor: _Mention | None = None
        unmentioned: list[str] = []  # readings of an anchor the caller did not mark, longest first
        # "the villages of Foua and Kfraya in Idlib": the anchor of a list's last name
        tail, seen = m, {m.index}
        while (nxt := next((nb for nb in self.neighbours.get(tail.index, ())
                            if nb.span[0] > tail.span[0] and nb.index not in seen), None)):
            tail = nxt
            seen.add(tail.index)
        if (after := _ANCHOR_AFTER.match(self.text, tail.span[1])) is not None:
            anchor = self.by_start.get(after.end())
            if anchor is None and (name := _NAME_AT.match(self.text, after.end())):
                words = name.group().split()  # "Giza Monday": "Giza Monday", then "Giza"
                unmentioned = [" ".join(words[:n]) for n in range(len(words), 0, -1)]
        elif (q := _QUALIFIER.match(self.text, e)) is not None and self._qualifies(m, q):
            anchor = self.by_start.get(q.start(1))  # "X, Y" and "X (Y)", not a list
        if anchor is None and (before := _ANCHOR_BEFORE.search(self.text, max(0, s - 4), s)):
            anchor = self.by_end.get(before.start())
            if anchor is None and (name := _NAME_BEFORE.search(
                    self.text, max(0, before.start() - 60), before.start())):
                words = name.group().split()  # "In Giza's": "In Giza", then "Giza"
                unmentioned = [" ".join(words[-n:]) for n in range(len(words), 0, -1)]
        where: Location | None = None
        if anchor is not None:
            if anchor.group == m.group:
                return None
            where = found[anchor.index]
        elif unmentioned:
            where = self._unmentioned_anchor(m, unmentioned, found)
        if where is None and anchor is None:
            return self._list_area(m, found)
        if where is None or where.stand_in:
            return None
        if where.precision not in _ANCHORS and (loc is not None or where.precision != "country"):
            # "Xyzzy in northern Japan": the country the text names, not a town the article
            # mentions elsewhere; a landmark keeps its namesake over a country
            return None
        if loc is not None and (
                haversine_km(loc.lat, loc.lon, where.lat, where.lon) <= NEAR_KM / 5
                or (where.precision == "admin1" and (loc.country, loc.admin1)
                    == (where.country, where.admin1))):
            return None  # the landmark's namesake is by or in its anchor: keep the namesake
        return replace(where, text=self.text[s:e], span=m.span, score=ANCHOR_SCORE * where.score,
                       feature=STAND_IN)

    def _unmentioned_anchor(self, m: _Mention, names: Sequence[str],
                            found: Sequence[Location | None]) -> Location | None:
        """"Giza's Haram district" where only "Haram" was marked: the anchor is read as the
        most populous place of that name in the country the article's places are in, and only
        where it lies in or near the area they share (in "Jackson's ranch" in a Dallas story,
        Jackson is more likely a person than Jackson, Miss.)."""
        by_country: dict[str, float] = defaultdict(float)
        for loc in found:
            if loc is not None and loc.country and not loc.stand_in:
                by_country[loc.country] += loc.score
        if not by_country:
            return None
        iso3 = max(by_country.items(), key=lambda kv: kv[1])[0]
        area = self._local_area(m, found) or self._context_area(found)
        for name in names:
            places = [x.place for x in self.gz.lookup(_clean_surface(name))
                      if x.kind in ("primary", "alternate") and x.place.country == iso3
                      and x.place.precision in _ANCHORS]
            if not places:
                continue
            best = max(places, key=prior)
            near = area[0] if area is not None else None
            if near is not None and near.precision != "country" and not (
                    _contains(near, best) or _contains(best, near)
                    or haversine_km(near.lat, near.lon, best.lat, best.lon) <= NEAR_KM):
                return None
            return self._location(m, best, UNMENTIONED_ANCHOR_SCORE)
        return None

    def _list_area(self, m: _Mention, found: Sequence[Location | None]) -> Location | None:
        """"fire crews from Hornsey, Stoke Newington and Walthamstow": a name listed with towns
        is where they all are, their shared county or else their shared division."""
        towns: list[Place] = []
        score = 1.0
        for i in self._list_members(m):
            loc = found[i]
            if loc is None or loc.stand_in:
                continue
            if loc.precision not in _TOWN or loc.country is None:
                return None  # a list of states or countries: no town to share
            place = self._place_at((loc.name, loc.lat, loc.lon), loc.country)
            if place is None:
                return None
            towns.append(place)
            score = min(score, loc.score)
        shared = {(p.country, p.admin1) for p in towns}
        if len(shared) != 1:
            return None
        iso3, a1 = shared.pop()
        if iso3 is None or a1 is None:
            return None
        counties = {p.admin2 for p in towns}
        county = counties.pop() if len(counties) == 1 else None
        area = (county and self.gz.admin2(iso3, a1, county)) or self.gz.admin1(iso3, a1)
        if area is None:
            return None
        return replace(self._location(m, area, ANCHOR_SCORE * score), feature=STAND_IN)

    def _context_area(self, found: Sequence[Location | None]) -> tuple[Place, float] | None:
        """The area the article's resolved places share: its first-level division when they
        agree on one, else its country (or the caller's first country when none resolved)."""
        by_country: dict[str, float] = defaultdict(float)
        by_a1: dict[tuple[str, str], float] = defaultdict(float)
        for loc in found:
            if loc is None or loc.country is None or loc.stand_in:
                continue  # a stand-in repeats its anchor
            by_country[loc.country] += loc.score
            if loc.admin1 and loc.precision not in ("country", "region"):
                by_a1[(loc.country, loc.admin1)] += loc.score
        total = sum(by_country.values())
        if not total:
            first = next(iter(self.doc_countries), None)
            country = self.gz.country(first) if first else None
            return (country, 0.5) if country is not None else None
        iso3, mass = max(by_country.items(), key=lambda kv: kv[1])
        if mass / total < CONTEXT_SHARE:
            return None
        town = self._context_town(found, iso3)
        if town is not None:
            return town
        inside = {k: v for k, v in by_a1.items() if k[0] == iso3}
        if inside:
            (_, a1), a1_mass = max(inside.items(), key=lambda kv: kv[1])
            # a mention of the country itself does not speak against one of its divisions
            if (a1_mass / sum(inside.values()) >= CONTEXT_SHARE
                    and (area := self.gz.admin1(iso3, a1))):
                return area, a1_mass / total
        country = self.gz.country(iso3)
        return (country, mass / total) if country is not None else None

    def _local_area(self, m: _Mention,
                    found: Sequence[Location | None]) -> tuple[Place, float] | None:
        """The town or division the places around ``m`` share (its sentence and the one before):
        "buried in Maoxian county in Sichuan province ... the village of Xinmo", in a report
        that goes on to floods in Hunan."""
        recent = [loc for other, loc in zip(self.mentions, found, strict=True)
                  if loc is not None and not loc.stand_in
                  and other.index != m.index
                  and m.sentence - LOCAL_SENTENCES <= other.sentence <= m.sentence
                  and loc.precision in ("city", "site", "admin2", "admin1")]
        shared = {(loc.country, loc.admin1) for loc in recent}
        if len(shared) != 1:
            return None
        iso3, a1 = shared.pop()
        towns = {(loc.name, loc.lat, loc.lon) for loc in recent
                 if loc.precision in ("city", "site")}
        if len(towns) == 1 and iso3 is not None and (
                town := self._place_at(towns.pop(), iso3)) is not None and all(
                loc.precision == "city" or self._holds(loc, town) for loc in recent):
            return town, 1.0  # "Lancaster aqueduct ... the River Lune"
        if iso3 is None or a1 is None or (area := self.gz.admin1(iso3, a1)) is None:
            return None
        return area, 1.0

    def _holds(self, area: Location, town: Place) -> bool:
        """Whether ``area`` is the division or county ``town`` lies in (Hall County holds
        Turkey, Tex.): naming it does not speak against the town."""
        if area.country != town.country or area.country is None or area.admin1 != town.admin1:
            return False
        if area.precision == "admin1":
            return area.admin1 is not None
        if area.precision != "admin2":
            return False
        if town.admin2 is not None:
            return area.name == town.admin2
        county = self.gz.admin2(area.country, area.admin1 or "", area.name)
        if county is None or county.extent is None:
            return False
        # a post-office locality has no county of its own; a county's box is that of its towns
        s, w, n, e = county.extent
        return (s - COUNTY_MARGIN <= town.lat <= n + COUNTY_MARGIN
                and w - COUNTY_MARGIN <= town.lon <= e + COUNTY_MARGIN)

    def _place_at(self, key: tuple[str, float, float], iso3: str) -> Place | None:
        """The gazetteer entry a found town came from (post-office localities have no
        geonameid)."""
        name, lat, lon = key
        return next((x.place for x in self.gz.lookup(name)
                     if x.place.country == iso3 and x.place.lat == lat and x.place.lon == lon),
                    None)

    def _context_town(self, found: Sequence[Location | None],
                      iso3: str) -> tuple[Place, float] | None:
        """The one town that most of the article's places are: an unknown hospital or park in a
        report from Toronto is in Toronto (Ontario itself does not count against Toronto; Homa
        Bay county does count against Nairobi)."""
        placed = [loc for loc in found if loc is not None and not loc.stand_in
                  and loc.country == iso3
                  and loc.precision in ("city", "site", "admin2", "admin1")]
        by_town: dict[tuple[str, float, float], float] = defaultdict(float)
        for loc in placed:
            if loc.precision == "city":
                by_town[(loc.name, loc.lat, loc.lon)] += loc.score
        if not by_town:
            return None
        key, mass = max(by_town.items(), key=lambda kv: kv[1])
        if (town := self._place_at(key, iso3)) is None:
            return None
        total = sum(loc.score for loc in placed if not self._holds(loc, town))
        if not total or mass / total < CONTEXT_SHARE:
            return None
        return town, mass / total

    def _stand_in(self, m: _Mention, area: Place, share: float) -> Location:
        """An unknown name in an article about one area: that area, at its own precision and a
        low score, rather than nothing (how human coders place an unknown village)."""
        return replace(self._location(m, area, CONTEXT_SCORE * share), feature=STAND_IN)


def resolve_places(text: str, mentions: Sequence[Span], *, doc_countries: Sequence[str] = (),
                   gazetteer: Gazetteer | None = None) -> list[Location | None]:
    """Resolve each ``[start, end)`` toponym span of ``text``, using the whole text as context.

    ``doc_countries`` are ISO3 codes known to be relevant (a dateline, the source's country, the
    most-named countries), most relevant first: the first weighs like several mentions, later
    ones progressively less. Country names and demonyms in ``text`` are read anyway. Returns one
    ``Location`` (or ``None``: unknown, or too ambiguous to guess) per span.
    """
    if not mentions:
        return []
    gz = gazetteer or Gazetteer.default()
    if len(mentions) <= MAX_CONTEXT_MENTIONS:
        return _Resolver(gz, text, mentions, doc_countries).run()
    # thousands of toponyms in one text (a list page, a crawl gone wrong): the evidence passes
    # grow with the square of the mentions, so each run of them is resolved with the text
    # around it as its context
    order = sorted(range(len(mentions)), key=lambda i: mentions[i])
    out: list[Location | None] = [None] * len(mentions)
    for k in range(0, len(order), MAX_CONTEXT_MENTIONS):
        run = order[k:k + MAX_CONTEXT_MENTIONS]
        a = max(0, mentions[run[0]][0] - WINDOW_MARGIN)
        b = min(len(text), max(mentions[i][1] for i in run) + WINDOW_MARGIN)
        found = _Resolver(gz, text[a:b], [(mentions[i][0] - a, mentions[i][1] - a) for i in run],
                          doc_countries).run()
        for i, loc in zip(run, found, strict=True):
            out[i] = None if loc is None else replace(loc, span=mentions[i])
    return out


def resolve_place(name: str, *, doc_countries: Sequence[str] = (), sentence: str = "",
                  gazetteer: Gazetteer | None = None) -> Location | None:
    """Resolve one place name, optionally inside the sentence it came from."""
    if sentence and (i := sentence.find(name)) >= 0:
        text, span = sentence, (i, i + len(name))
    else:
        text = f"{name}. {sentence}" if sentence else name
        span = (0, len(name))
    return resolve_places(text, [span], doc_countries=doc_countries, gazetteer=gazetteer)[0]

