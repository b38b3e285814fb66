"""The gazetteer: the committed extract, indexed in SQLite for sub-millisecond name lookups.

The extract (``data/places/places.tsv.gz``, ~200k places) is compact to ship but slow to parse; the
first use indexes it into an SQLite file under the user cache directory, named by a hash of the
extract and of the key functions, so later processes open it in milliseconds and share it through
the page cache instead of each holding ~200k Python objects.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import math
import os
import sqlite3
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import cast

from rapidfuzz import fuzz

from flashpoint.errors import Errors, FlashpointError, Warnings
from flashpoint.types import PlacePrecision

from . import names as nm

SCHEMA_VERSION = "3"
SITE_FEATURES = frozenset({"airport", "airbase", "base", "site"})
AREA_FEATURES = frozenset({"country", "admin1", "admin2", "territory", "region", "continent",
                           "island"})
WATER_FEATURES = frozenset({"sea", "gulf", "strait", "ocean", "lake", "canal", "river"})
CURATED_FEATURES = frozenset({"territory", "region", "island", "base", "site"}) | WATER_FEATURES

# name table kinds
PRIMARY, ALTERNATE, LOOSE, STEM, CORE = range(5)
MATCH_KINDS = ("primary", "alternate", "loose", "stem", "core", "fuzzy")


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    id: int
    name: str
    feature: str
    precision: PlacePrecision
    lat: float
    lon: float
    country: str | None
    admin1: str | None
    admin2: str | None
    population: int
    geonameid: int | None
    extent: tuple[float, float, float, float] | None  # south, west, north, east

    def distance_km(self, lat: float, lon: float) -> float:
        return haversine_km(self.lat, self.lon, lat, lon)


@dataclass(frozen=True, slots=True)
class Match:
    """A place found for a name, and how the name matched it (see ``MATCH_KINDS``)."""

    place: Place
    kind: str
    similarity: float = 1.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(h)))


def places_data_dir() -> Path:
    """Where the shipped place data (extract, demonyms, area codes) lives."""
    return Path(str(resources.files("flashpoint").joinpath("data", "places")))


def _cache_dir() -> Path:
    if env := os.environ.get("FLASHPOINT_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flashpoint"


def _cell(lat: float, lon: float) -> int:
    """One-degree grid cell, for nearest-place queries."""
    return (math.floor(lat) + 90) * 360 + (math.floor(lon) + 180) % 360


def _read_extract(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("name\t"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 12:
                raise FlashpointError(Errors.E050.format(
                    path=path, detail=f"expected 12 tab-separated fields, got {len(fields)}"))
            yield fields


def _name_rows(pid: int, feature: str, name: str, alts: list[str]
               ) -> Iterator[tuple[str, int, int]]:
    for i, n in enumerate([name, *alts]):
        preferred = i == 0 or n.startswith("=")  # "=": a curated preferred name
        n = n.lstrip("=")
        strict = nm.strict_key(n)
        if not strict:
            continue
        yield strict, PRIMARY if preferred else ALTERNATE, pid
        loose = nm.loose_key(n)
        if loose and loose != strict:
            yield loose, LOOSE, pid
        if feature in AREA_FEATURES and (stem := nm.admin_stem(n)):
            yield stem, STEM, pid
        if feature in SITE_FEATURES and (core := nm.core_key(n)):
            yield core, CORE, pid


def build_index(extract: Path, demonyms: Path, db_path: Path) -> None:
    """Index the extract into a fresh SQLite file at ``db_path`` (written atomically)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=db_path.stem, suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    try:
        _fill(sqlite3.connect(tmp), extract, demonyms)
        os.replace(tmp, db_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _fill(con: sqlite3.Connection, extract: Path, demonyms: Path) -> None:
    con.executescript("""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE place(id INTEGER PRIMARY KEY, name TEXT, feature TEXT, precision TEXT,
            lat REAL, lon REAL, country TEXT, admin1 TEXT, admin2 TEXT, population INTEGER,
            geonameid INTEGER, extent TEXT, cell INTEGER);
        CREATE TABLE name(key TEXT, kind INTEGER, id INTEGER,
            PRIMARY KEY(key, kind, id)) WITHOUT ROWID;
        CREATE TABLE skel(skel TEXT, key TEXT, id INTEGER,
            PRIMARY KEY(skel, key, id)) WITHOUT ROWID;
        CREATE TABLE demonym(key TEXT PRIMARY KEY, country TEXT, population INTEGER)
            WITHOUT ROWID;
    """)
    pops: dict[str, int] = {}
    batch: list[tuple[object, ...]] = []
    names: list[tuple[str, int, int]] = []
    skels: list[tuple[str, str, int]] = []

    def flush() -> None:
        con.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
        con.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?)", names)
        con.executemany("INSERT OR IGNORE INTO skel VALUES (?,?,?)", skels)
        batch.clear()
        names.clear()
        skels.clear()

    for pid, f in enumerate(_read_extract(extract), start=1):
        name, feature, precision, lat, lon, country, a1, a2, pop, gid, ext, alts = f
        alt_list = [a for a in alts.split("|") if a]
        batch.append((pid, name, feature, precision, float(lat), float(lon), country or None,
                      a1 or None, a2 or None, int(pop), int(gid) if gid else None, ext or None,
                      _cell(float(lat), float(lon))))
        if feature == "country" and country:
            pops[country] = int(pop)
        names.extend(_name_rows(pid, feature, name, alt_list))
        for n in [name, *alt_list]:
            loose = nm.loose_key(n.lstrip("="))
            if len(loose) >= 4:
                skels.append((nm.skeleton(n.lstrip("=")), loose, pid))
        if len(batch) >= 20_000:
            flush()
    flush()
    best: dict[str, tuple[str, int]] = {}
    for line in demonyms.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        iso3, word = line.split("\t")
        key = nm.strict_key(word)
        people = pops.get(iso3, 0)
        if key not in best or people > best[key][1]:
            best[key] = (iso3, people)
    con.executemany("INSERT INTO demonym VALUES (?,?,?)",
                    [(k, v[0], v[1]) for k, v in sorted(best.items())])
    con.executescript("""
        CREATE INDEX place_gid ON place(geonameid);
        CREATE INDEX place_cell ON place(cell);
        CREATE INDEX place_country ON place(country, feature);
        ANALYZE;
    """)
    con.commit()
    con.close()


class Gazetteer:
    """Name → candidate places, over the indexed extract."""

    def __init__(self, db_path: Path | str) -> None:
        uri = f"file:{db_path}?mode=ro&immutable=1" if db_path != ":memory:" else None
        self._con = (sqlite3.connect(uri, uri=True, check_same_thread=False) if uri
                     else sqlite3.connect(":memory:", check_same_thread=False))
        self._lock = threading.Lock()
        self._places: dict[int, Place] = {}
        self._lookups: dict[str, list[Match]] = {}
        self.path = db_path

    @classmethod
    def open(cls, data_dir: Path | None = None, cache_dir: Path | None = None) -> Gazetteer:
        """Open the index for the extract in ``data_dir``, building it on first use."""
        data_dir = data_dir or places_data_dir()
        extract, demonyms = data_dir / "places.tsv.gz", data_dir / "demonyms.tsv"
        if not extract.exists():
            raise FlashpointError(Errors.E052.format(path=extract))
        digest = hashlib.sha256()
        for part in (extract.read_bytes(), demonyms.read_bytes(),
                     f"{SCHEMA_VERSION}/{nm.KEY_VERSION}".encode()):
            digest.update(part)
        cache_dir = cache_dir or _cache_dir()
        db_path = cache_dir / f"places-{digest.hexdigest()[:16]}.sqlite"
        if not db_path.exists():
            try:
                build_index(extract, demonyms, db_path)
                _prune(cache_dir, keep=db_path)
            except OSError as exc:
                warnings.warn(Warnings.W050.format(path=cache_dir, detail=exc), stacklevel=2)
                gz = cls(":memory:")
                _fill_in_memory(gz, extract, demonyms)
                return gz
        return cls(db_path)

    @classmethod
    def default(cls) -> Gazetteer:
        """The process-wide gazetteer over the packaged extract."""
        return _default()

    # ---- places -----------------------------------------------------------------------------
    def _query(self, sql: str, args: Iterable[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return self._con.execute(sql, tuple(args)).fetchall()

    def get_many(self, ids: Iterable[int]) -> list[Place]:
        ids = list(dict.fromkeys(ids))
        missing = [i for i in ids if i not in self._places]
        for chunk in range(0, len(missing), 500):
            part = missing[chunk:chunk + 500]
            rows = self._query(
                f"SELECT * FROM place WHERE id IN ({','.join('?' * len(part))})", part)
            for row in rows:
                place = _place(row)
                self._places[place.id] = place
        return [self._places[i] for i in ids if i in self._places]

    def get(self, pid: int) -> Place | None:
        got = self.get_many([pid])
        return got[0] if got else None

    def by_geonameid(self, geonameid: int) -> Place | None:
        rows = self._query("SELECT id FROM place WHERE geonameid = ? ORDER BY id LIMIT 1",
                           (geonameid,))
        return self.get(cast(int, rows[0][0])) if rows else None

    def country(self, iso3: str) -> Place | None:
        rows = self._query("SELECT id FROM place WHERE country = ? AND feature = 'country'",
                           (iso3,))
        return self.get(cast(int, rows[0][0])) if rows else None

    def admin1(self, iso3: str, name: str) -> Place | None:
        """The admin1-level area (or territory) called ``name`` in country ``iso3``."""
        rows = self._query(
            "SELECT id FROM place WHERE country = ? AND admin1 = ? AND feature = 'admin1' "
            "UNION ALL SELECT id FROM place WHERE country = ? AND name = ? "
            "AND precision = 'admin1'", (iso3, name, iso3, name))
        return self.get(cast(int, rows[0][0])) if rows else None

    def admin2(self, iso3: str, admin1: str, name: str) -> Place | None:
        """The county-level area ``name`` of first-level division ``admin1`` of ``iso3``."""
        rows = self._query("SELECT id FROM place WHERE country = ? AND admin1 = ? AND admin2 = ? "
                           "AND feature = 'admin2'", (iso3, admin1, name))
        return self.get(cast(int, rows[0][0])) if rows else None

    def nearest(self, lat: float, lon: float, *, max_km: float = 100.0,
                features: tuple[str, ...] = ("city", "capital")) -> Place | None:
        """The closest place of the given features within ``max_km`` (for reverse lookup)."""
        dlat = max_km / 111.0
        dlon = min(180.0, max_km / (111.0 * max(0.05, math.cos(math.radians(lat)))))
        cells = sorted({_cell(y, x)
                        for y in _steps(max(-90.0, lat - dlat), min(89.999, lat + dlat))
                        for x in _steps(lon - dlon, lon + dlon)})
        rows = self._query(
            f"SELECT id, lat, lon FROM place WHERE cell IN ({','.join('?' * len(cells))}) "
            f"AND feature IN ({','.join('?' * len(features))})", (*cells, *features))
        best = min(rows, key=lambda r: haversine_km(lat, lon, cast(float, r[1]),
                                                     cast(float, r[2])), default=None)
        if best is None or haversine_km(lat, lon, cast(float, best[1]),
                                        cast(float, best[2])) > max_km:
            return None
        return self.get(cast(int, best[0]))

    def demonym(self, word: str) -> str | None:
        """ISO3 of the country whose people ``word`` names ("Iraqi" → "IRQ")."""
        rows = self._query("SELECT country FROM demonym WHERE key = ?", (nm.strict_key(word),))
        target = cast(str, rows[0][0]) if rows else None
        return target if target and _is_iso3(target) else None

    def demonym_place(self, word: str) -> Place | None:
        """The country or region an adjective locates ("Iraqi" → Iraq, "European" → Europe)."""
        rows = self._query("SELECT country FROM demonym WHERE key = ?", (nm.strict_key(word),))
        if not rows:
            return None
        target = cast(str, rows[0][0])
        if _is_iso3(target):
            return self.country(target)
        named = [m.place for m in self.lookup(target) if m.kind == "primary"]
        # "Scottish" is Scotland the division, not Scotland, S.D.: an area before any town
        return next((p for p in named if p.precision != "city"), named[0] if named else None)

    def demonym_keys(self) -> dict[str, str]:
        """Demonym key → ISO3, for country demonyms only."""
        return {cast(str, k): cast(str, c)
                for k, c in self._query("SELECT key, country FROM demonym")
                if _is_iso3(cast(str, c))}

    # ---- names ------------------------------------------------------------------------------
    def lookup(self, name: str) -> list[Match]:
        """Every place ``name`` may refer to, with how it matched; fuzzy only as a fallback."""
        hit = self._lookups.get(name)
        if hit is not None:
            return hit
        strict, loose = nm.strict_key(name), nm.loose_key(name)
        stem, core = nm.admin_stem(name), nm.core_key(name)
        keys = {k for k in (strict, loose, stem, core) if k}
        best: dict[int, tuple[int, str]] = {}
        if keys:
            rows = self._query(
                f"SELECT key, kind, id FROM name WHERE key IN ({','.join('?' * len(keys))})",
                sorted(keys))
            for key, kind, pid in rows:
                how = _how(cast(str, key), cast(int, kind), strict, loose, stem, core)
                if how is None:
                    continue
                rank = MATCH_KINDS.index(how)
                pid = cast(int, pid)
                if pid not in best or rank < best[pid][0]:
                    best[pid] = (rank, how)
        matches = [Match(p, best[p.id][1]) for p in self.get_many(best)]
        if not matches and len(loose) >= 6:
            matches = self._fuzzy(name, loose)
        if len(self._lookups) > 200_000:
            self._lookups.clear()
        self._lookups[name] = matches
        return matches

    def _fuzzy(self, name: str, loose: str) -> list[Match]:
        floor = 85.0 if len(loose) >= 8 else 90.0
        rows = self._query("SELECT key, id FROM skel WHERE skel = ?", (nm.skeleton(name),))
        scored: dict[int, float] = {}
        for key, pid in rows:
            sim = fuzz.ratio(loose, cast(str, key))
            pid = cast(int, pid)
            if sim >= floor and sim > scored.get(pid, 0.0):
                scored[pid] = sim
        top = sorted(scored, key=lambda p: -scored[p])[:50]
        return [Match(p, "fuzzy", scored[p.id] / 100.0) for p in self.get_many(top)]

    def candidates(self, name: str) -> list[Place]:
        """Places ``name`` may refer to, best name match first, then by population."""
        ms = sorted(self.lookup(name),
                    key=lambda m: (MATCH_KINDS.index(m.kind), -m.similarity,
                                   -m.place.population))
        return [m.place for m in ms]

    def names_of(self, features: Iterable[str]) -> Iterator[tuple[str, str, str | None]]:
        """(key, feature, country) for every strict and loose name of places of ``features``."""
        feats = sorted(set(features))
        rows = self._query(
            "SELECT DISTINCT n.key, p.feature, p.country FROM name n JOIN place p ON p.id = n.id "
            f"WHERE n.kind IN (0, 1, 2) AND p.feature IN ({','.join('?' * len(feats))})", feats)
        for key, feature, country in rows:
            yield cast(str, key), cast(str, feature), cast("str | None", country)


def _is_iso3(code: str) -> bool:
    return len(code) == 3 and code.isupper() and code.isalpha()


def _steps(lo: float, hi: float) -> list[float]:
    """Points one degree apart covering [lo, hi], so every grid cell in range is hit."""
    out = [lo + i for i in range(int(hi - lo) + 1)]
    return [*out, hi]


def _how(key: str, kind: int, strict: str, loose: str, stem: str | None,
         core: str | None) -> str | None:
    if kind in (PRIMARY, ALTERNATE) and key == strict:
        return "primary" if kind == PRIMARY else "alternate"
    if kind in (PRIMARY, ALTERNATE, LOOSE) and key == loose:
        return "loose"
    if (stem and key == stem and kind != CORE) or (kind == STEM and key in (strict, loose)):
        return "stem"
    if core and key == core and kind != STEM:
        return "core"
    if kind == CORE and key in (strict, loose):
        return "core"
    return None


def _place(row: tuple[object, ...]) -> Place:
    pid, name, feature, precision, lat, lon, country, a1, a2, pop, gid, ext = row[:12]
    extent = None
    if ext:
        s, w, n, e = (float(x) for x in cast(str, ext).split())
        extent = (s, w, n, e)
    return Place(cast(int, pid), cast(str, name), cast(str, feature),
                 cast(PlacePrecision, precision), cast(float, lat), cast(float, lon),
                 cast("str | None", country), cast("str | None", a1),
                 cast("str | None", a2), cast(int, pop), cast("int | None", gid), extent)


def _prune(cache_dir: Path, keep: Path) -> None:
    """Drop indexes of older extracts (processes still reading one keep their open handle)."""
    for old in cache_dir.glob("places-*.sqlite"):
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()


def _fill_in_memory(gz: Gazetteer, extract: Path, demonyms: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "places.sqlite"
        build_index(extract, demonyms, path)
        src = sqlite3.connect(path)
        src.backup(gz._con)
        src.close()


@lru_cache(maxsize=1)
def _default() -> Gazetteer:
    return Gazetteer.open()
