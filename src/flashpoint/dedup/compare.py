"""Do two reports describe the same real-world event? Feature agreement, scored.

Each side (a new mention or an existing cluster) is reduced to a ``Profile``. Features vote:
date (hard conflict when the windows, widened by a slack that depends on precision, do not
overlap), place (hard conflict only for two precise places too far apart; coarse places only
penalise), actors (role reversal penalises: "A struck B" is not "B struck A"), means of attack,
death toll, and the salient words of the evidence sentences. A merge needs no hard conflict and
a total of at least ``MERGE_SCORE``, which no single feature reaches alone.

Two deliberate weakenings, both because extraction is imperfect: a location known only to the
country that is also the country of one of the event's own actors ("Iran fired missiles" placed
in Iran) carries no independent evidence, so it neither supports nor contradicts; and an event
without a resolved date is dated by its article's publication (a week back, or as far back as
the article's own earliest dated event within a month; a day on), which is enough to block but
never counts as agreement.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..resolve.places import haversine_km
from ..store.fused import ClusterState

MERGE_SCORE = 4
# Extra evidence demanded to join a cluster that already holds a report from the same article:
# the extractor judged those two events distinct, so overriding it needs more than usual.
SAME_ARTICLE_EXTRA = 1
# Dated events whose window is wider than this are too vague to merge with anything.
MAX_WINDOW_DAYS = 62
MAX_PLACES = 6
# Blocking: words per profile used as keys, and the size in degrees of the coarse place cells.
TERM_KEYS = 3
COARSE_CELL = 2.5
# An undated event is dated by its article: a week back (further, up to a month, when the
# article itself dates events that far back), a day on. Such a window only blocks; it never
# counts as agreement.
PROXY_BEFORE_DAYS = 7
PROXY_MAX_BEFORE_DAYS = 31
PROXY_AFTER_DAYS = 1
CLUSTERABLE_MODALITIES = frozenset({"asserted", "denied"})

# Radius (km) within which two places of this precision can be the same site.
PLACE_RADIUS_KM = {"site": 15.0, "city": 25.0, "admin2": 60.0, "admin1": 250.0, "region": 400.0,
                   "sea": 500.0}
PRECISE_PLACES = frozenset({"site", "city", "admin2"})
SPECIFIC_KINDS = frozenset({"militia", "rebel", "terrorist", "party", "igo", "ngo", "person",
                            "police"})
STATE_KINDS = frozenset({"state", "government", "military"})
STANDOFF_MODES = frozenset({"missile", "rocket", "drone", "airstrike", "shelling", "artillery"})

_WORD = re.compile(r"[^\W\d_][\w'’.\-]*|\d[\d,]*(?:\.\d+)?")
_REPEAT = re.compile(r"(.)\1+")
# Capitalised words that say nothing about which event a sentence describes.
_STOP = frozenset([
    "a", "an", "and", "as", "at", "after", "before", "but", "by", "during", "for", "from",
    "he", "her", "his", "i", "if", "in", "into", "it", "its", "last", "late", "many", "more",
    "most", "next", "no", "not", "of", "on", "or", "our", "over", "she", "since", "so", "some",
    "than", "that", "the", "their", "then", "there", "these", "they", "this", "those", "to",
    "today", "under", "until", "us", "we", "what", "when", "where", "which", "while", "who",
    "will", "with", "yesterday", "tomorrow", "mr", "mrs", "ms", "dr", "gen", "col", "lt",
    "maj", "sgt", "adm", "capt", "president", "secretary", "minister", "spokesman",
    "spokeswoman", "spokesperson", "officials", "official", "department", "defense",
    "ministry", "government", "statement", "said", "says", "according", "press", "news",
    "report", "reports", "reported", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "est", "gmt", "utc", "am", "pm",
])


def salient_terms(sentences: Iterable[str]) -> tuple[str, ...]:
    """Capitalised words and numbers of the evidence, normalised for spelling variants.

    "Al-Assad", "al-Asad" and "Ain al-Asad" all yield "asad": case, hyphenated particles,
    doubled letters and thousands separators are folded away.
    """
    out: set[str] = set()
    for sentence in sentences:
        for match in _WORD.finditer(sentence):
            word = match.group(0)
            if word[0].isdigit():
                # Figures from 10 up (counts, distances); smaller ones are mostly days and times.
                number = word.replace(",", "")
                if number.isdigit() and int(number) >= 10:
                    out.add(number)
                continue
            if not word[0].isupper():
                continue
            country = _country_key(word.rstrip("."))
            if country:
                out.add(country)  # "Iranian", "Iran", "Iran's" are one word here
                continue
            for part in re.split(r"[-.'’]", word):
                norm = _fold(part)
                if len(norm) >= 3 and norm not in _STOP:
                    out.add(norm)
    return tuple(sorted(out))


@lru_cache(maxsize=65536)
def _country_key(word: str) -> str | None:
    """"@IRN" for a country's name, adjective or people ("Iranian", "Americans", "U.S.")."""
    from ..resolve.actors import ActorRegistry

    iso = ActorRegistry.default().country_of_text(word)
    return f"@{iso}" if iso else None


def _fold(word: str) -> str:
    text = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().casefold()
    return _REPEAT.sub(r"\1", text)


def norm_name(name: str) -> str:
    return " ".join(_fold(w) for w in re.findall(r"\w+", name) if w.casefold() != "the")


# (lat, lon, precision, country) of one reported place.
Place = tuple[float, float, str, str | None]
# How common a salient word is (lower is rarer); orders the words used as blocking keys.
Rarity = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Profile:
    """What matching needs to know about one mention or cluster."""

    type: str
    clusterable: bool
    lo: int | None = None  # date window, as proleptic ordinals
    hi: int | None = None
    day: int | None = None  # set for day-precision dates
    dated: bool = False  # False: the window is the publication-date proxy
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None
    country: str | None = None
    place_weak: bool = False
    # Every place the reports give (lat, lon, precision, country), most reported first; a
    # mention agrees with a cluster if it agrees with any of them, so one misplaced report
    # cannot make the cluster reject the rest.
    places: tuple[Place, ...] = ()
    # Whether the places are established: reported by at least a third of the articles. A
    # place only a small minority gives may be a misreading; it can support but not oppose.
    places_settled: bool = True
    sources: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    specific: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()
    killed: int | None = None
    terms: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()

    @property
    def weeks(self) -> range:
        if self.lo is None or self.hi is None:
            return range(0)
        return range(self.lo // 7, self.hi // 7 + 1)

    def index_keys(self, rarity: Rarity | None = None) -> list[str]:
        """Blocking keys this profile is filed under (with its type and ISO weeks)."""
        return self._keys(probe=False, rarity=rarity)

    def probe_keys(self, rarity: Rarity | None = None) -> list[str]:
        """Blocking keys under which this profile's candidates are filed."""
        return self._keys(probe=True, rarity=rarity)

    def _keys(self, *, probe: bool, rarity: Rarity | None) -> list[str]:
        """Type plus a place cell, a named actor or one of the rarest salient words.

        Places: a precise place is filed under its 1° cell ("g1", and "G2" for its 2.5° cell),
        a province- or region-wide one under its 2.5° cell ("g2"), a country-wide one under its
        country ("c"); probing looks in the 3×3 neighbourhood of cells that can hold a
        compatible place. So a block holds one neighbourhood's events of one week and type,
        however big the store grows. Generic actors (states, armed forces) only key a profile
        that names nothing more specific. Words: the ``TERM_KEYS`` rarest by ``rarity``
        (document frequency), since a word in every report ("Army") would make one block of all.
        """
        keys: set[str] = set()
        for lat, lon, precision, country in self.places:
            if precision in PRECISE_PLACES:
                keys.update(_cells("g1", lat, lon, 1.0, probe))
                keys.update(_cells("g2" if probe else "G2", lat, lon, COARSE_CELL, probe))
            elif precision == "country":
                if country:
                    keys.add(f"c:{country}")
            else:
                keys.update(_cells("g2", lat, lon, COARSE_CELL, probe))
                if probe:
                    keys.update(_cells("G2", lat, lon, COARSE_CELL, probe))
        names = self.specific or self.names
        keys.update(f"a:{name}" for name in names)
        rank = rarity or (lambda term: 0)
        rare = sorted(self.terms, key=lambda t: (rank(t), -len(t), t))[:TERM_KEYS]
        keys.update(f"t:{term}" for term in rare)
        return sorted(f"{self.type}|{key}" for key in keys)


def _cells(kind: str, lat: float, lon: float, size: float, around: bool) -> list[str]:
    row, col = math.floor(lat / size), math.floor(lon / size)
    steps = (-1, 0, 1) if around else (0,)
    return [f"{kind}:{row + dr}:{col + dc}" for dr in steps for dc in steps]


def _consensus_places(
    state: ClusterState, actor_countries: set[str]
) -> tuple[tuple[Place, ...], int]:
    """The places most reports agree with, and how many reports that is.

    Each place's support is the number of reports whose place is compatible with it (a city
    supports the site inside it); places with at least half the best support form the
    consensus. A lone misplaced report therefore neither extends nor vetoes a cluster.
    """
    usable = [
        x for x in sorted(state.locations, key=lambda x: -x["n"])
        if not (x.get("precision") == "country" and x.get("country") in actor_countries)
    ][: 2 * MAX_PLACES]
    if not usable:
        return (), 0
    points: list[Place] = [
        (float(x["lat"]), float(x["lon"]), x.get("precision") or "country", x.get("country"))
        for x in usable
    ]
    support = [
        sum(x["n"] for x, q in zip(usable, points, strict=True) if (_place_vote(p, q) or 0) > 0)
        for p in points
    ]
    best = max(support)
    chosen = tuple(p for p, s in zip(points, support, strict=True) if 2 * s >= best)
    return chosen[:MAX_PLACES], best


def _ordinal(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]).toordinal()
    except ValueError:
        return None


def profile(state: ClusterState) -> Profile:
    """Reduce a cluster (or a one-mention cluster) to its matching profile."""
    lo = hi = day = None
    dated = False
    best = state.best_date()
    if best and best.get("precision") in ("day", "week", "month", "range"):
        start, end = _ordinal(best.get("start")), _ordinal(best.get("end") or best.get("start"))
        if start is not None and end is not None and end - start <= MAX_WINDOW_DAYS:
            slack = 1 if best["precision"] == "day" else 0
            lo, hi, dated = start - slack, end + slack, True
            day = start if best["precision"] == "day" else None
    if lo is None:
        published = [p for a in state.articles.values() if (p := _ordinal(a.get("published")))]
        if published:
            lo, hi = min(published) - PROXY_BEFORE_DAYS, max(published) + PROXY_AFTER_DAYS
            # an article that dates something weeks back ("after a Jan. 8 attack") may be
            # reporting on that time: its undated events reach back as far, within a month
            reach = [e for a in state.articles.values() if (e := _ordinal(a.get("earliest")))]
            if reach:
                lo = min(lo, max(min(reach) - 1, min(published) - PROXY_MAX_BEFORE_DAYS))
    clusterable = lo is not None and state.modality() in CLUSTERABLE_MODALITIES

    sources: set[str] = set()
    targets: set[str] = set()
    names: set[str] = set()
    specific: set[str] = set()
    countries: set[str] = set()
    for actor in state.actors:
        name = norm_name(actor.get("name") or "")
        idents = {name} if name else set()
        for code in (actor.get("country"), actor.get("sponsor")):
            if code:
                idents.add("@" + code)
                countries.add(code)
        if name:
            names.add(name)
            if actor.get("kind") in SPECIFIC_KINDS:
                specific.add(name)
        if actor.get("kind") in STATE_KINDS and actor.get("country"):
            # "Iran", "the Iranian regime" and "Tehran" name one state: key and match by it
            names.add("@" + actor["country"])
        if actor.get("role") == "source":
            sources |= idents
        elif actor.get("role") == "target":
            targets |= idents

    loc = state.best_location()
    lat = lon = None
    precision = country = None
    weak = False
    if loc is not None:
        lat, lon = float(loc["lat"]), float(loc["lon"])
        precision, country = loc.get("precision") or "country", loc.get("country")
        weak = precision == "country" and country in countries

    places, support = _consensus_places(state, countries)
    settled = bool(places) and 3 * support >= len(state.articles)
    killed = state.fused_counts("killed")
    return Profile(
        type=state.type,
        clusterable=clusterable,
        lo=lo,
        hi=hi,
        day=day,
        dated=dated,
        lat=lat,
        lon=lon,
        precision=precision,
        country=country,
        place_weak=weak,
        places=places,
        places_settled=settled,
        sources=frozenset(sources),
        targets=frozenset(targets),
        names=frozenset(names),
        specific=frozenset(specific),
        modes=frozenset(state.modes),
        killed=killed["best"] if killed else None,
        terms=frozenset(state.terms),
        members=frozenset(state.members),
        articles=frozenset(state.articles),
    )


@dataclass(slots=True)
class Match:
    """The verdict on one pair: total score, whether a hard conflict forbids merging, and why."""

    score: int = 0
    conflict: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    def vote(self, feature: str, points: int) -> None:
        if points:
            self.reasons[feature] = points
            self.score += points

    @property
    def anchored(self) -> bool:
        """Something specific agrees: a place below country level, a named actor, or words."""
        r = self.reasons
        return r.get("place", 0) > 0 or r.get("actors", 0) > 0 or r.get("words", 0) >= 2

    def merges(self, threshold: int = MERGE_SCORE) -> bool:
        return self.conflict is None and self.score >= threshold and self.anchored


def compare(a: Profile, b: Profile) -> Match:
    """Score whether ``a`` and ``b`` report the same event (symmetric)."""
    match = Match()
    if a.type != b.type:
        match.conflict = "type"
        return match
    if not (a.clusterable and b.clusterable):
        match.conflict = "not clusterable"
        return match
    _date(a, b, match)
    if match.conflict:
        return match
    _place(a, b, match)
    if match.conflict:
        return match
    _actors(a, b, match)
    _means(a, b, match)
    if a.killed and b.killed and a.killed == b.killed:
        match.vote("killed", 1)
    _words(a, b, match)
    return match


def _words(a: Profile, b: Profile, match: Match) -> None:
    """Salient words shared, relative to the sparser side (a big cluster has many words)."""
    shared = len(a.terms & b.terms)
    if shared < 2:
        return
    coverage = shared / min(len(a.terms), len(b.terms))
    if shared >= 3 and coverage >= 0.5:
        match.vote("words", 2)
    elif coverage >= 0.3:
        match.vote("words", 1)


def _date(a: Profile, b: Profile, match: Match) -> None:
    assert a.lo is not None and a.hi is not None and b.lo is not None and b.hi is not None
    if a.lo > b.hi or b.lo > a.hi:
        match.conflict = "date"
    elif a.dated and b.dated:
        close = a.day is not None and b.day is not None and abs(a.day - b.day) <= 1
        match.vote("date", 2 if close else 1)


def _place(a: Profile, b: Profile, match: Match) -> None:
    """The best agreement between any place of ``a`` and any place of ``b``.

    Places known only to the country of one of the event's own actors were left out of
    ``places`` already (see the module docstring).
    """
    if not a.places or not b.places:
        return
    votes = [_place_vote(pa, pb) for pa in a.places for pb in b.places]
    if not (a.places_settled and b.places_settled):
        # A minority's place neither vetoes nor penalises; agreement still counts.
        match.vote("place", max([v for v in votes if v is not None and v > 0], default=0))
    elif all(v is None for v in votes):
        match.conflict = "place"
    else:
        match.vote("place", max(v for v in votes if v is not None))


def _place_vote(a: Place, b: Place) -> int | None:
    """Points for two places; None when they cannot be the same site at all."""
    if a[2] == "country" or b[2] == "country":
        # Same country is necessary, never enough: dense conflicts share one every day.
        return 0 if a[3] is not None and a[3] == b[3] else -2
    radius = max(PLACE_RADIUS_KM.get(a[2], 500.0), PLACE_RADIUS_KM.get(b[2], 500.0))
    km = haversine_km(a[0], a[1], b[0], b[1])
    precise = a[2] in PRECISE_PLACES and b[2] in PRECISE_PLACES
    if km <= radius:
        return 2 if precise else 1
    if precise and km > 2 * radius:
        return None
    return -2 if km > 2 * radius else 0


def _actors(a: Profile, b: Profile, match: Match) -> None:
    reversed_roles = (a.sources & b.targets) and (a.targets & b.sources)
    if a.sources and b.sources and not (a.sources & b.sources) and reversed_roles:
        match.vote("actors", -2)  # roles reversed: a retaliation, not the same act
        return
    # An actor counts only in the same role on both sides: the militia that a strike hit is
    # no evidence for an attack that militia carried out.
    same_role = (a.sources & b.sources) | (a.targets & b.targets)
    if a.specific & b.specific & same_role:
        match.vote("actors", 2)
    elif a.names & b.names & same_role:
        # the same name, or the same state behind it ("the Iranian regime", "Iran")
        match.vote("actors", 1)
    elif a.sources and b.sources and not (a.sources & b.sources):
        match.vote("actors", -1)


def _means(a: Profile, b: Profile, match: Match) -> None:
    if not a.modes or not b.modes:
        return
    if a.modes & b.modes:
        match.vote("mode", 1)
    elif not ((a.modes & STANDOFF_MODES) and (b.modes & STANDOFF_MODES)):
        match.vote("mode", -1)
