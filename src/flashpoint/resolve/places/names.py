"""Place-name normalisation: the keys under which the gazetteer indexes and looks up names.

News writes the same place many ways ("Ain al-Asad", "Ayn al-Asad", "Al-Asad Airbase", "Al Asad
Air Base"; "Kyiv"/"Kiev"; "Idlib province"/"Idlib"). Every key below is a deterministic function of
the name, so the index (built once from the extract) and queries (built per mention) agree:

- ``strict_key``: case, diacritics, apostrophes and punctuation folded away; dotted abbreviations
  joined ("U.S." → "us"); "St."/"Mt."/"Ft." expanded.
- ``loose_key``: also drops the leading "the", Arabic articles ("al-", "el-", "as-") and spells
  facility words one way ("air base"/"airfield"/"airport" → "airbase"; "military base" → "base").
- ``admin_stem``: the loose key without administrative affixes ("Rapides Parish" → "rapides",
  "Muhafazat Karbala" → "karbala"); ``None`` when the name has none.
- ``core_key``: the loose key without facility words ("Al Asad Air Base" → "asad"); ``None`` when
  the name has none.
- ``skeleton``: a consonant skeleton of the loose key that transliteration variants share
  ("Kiev"/"Kyiv" → "kv"), used only to block fuzzy candidates before rapidfuzz scores them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

KEY_VERSION = "5"
"""Bump when any key function changes: the cached index is keyed by it."""

_FOLD = str.maketrans({
    "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
    "ħ": "h", "Ħ": "H", "ŧ": "t", "&": " and ",
    # apostrophes and ayn/hamza marks vanish: "Sana'a" = "Sanaa", "Ta'izz" = "Taizz"
    "'": "", "’": "", "‘": "", "`": "", "´": "", "ʻ": "", "ʼ": "", "ʿ": "", "ʾ": "", "ˈ": "",
})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKEN_MAP = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "mtn": "mountain"}

# Arabic definite-article forms, stripped when hyphen-bound ("as-Sukhnah", "ad-Dawr").
_HYPHEN_ARTICLE = re.compile(
    r"(?<![^\W\d_])(?:al|el|ul|il|ad|adh|an|ar|as|ash|at|ath|az|ed|en|er|es|esh|et|ez)[-‐‑](?=\w)",
    re.IGNORECASE,
)
# ... and "al" when free-standing ("Al Asad", "Ain al Asad"). Free "el" is mostly Spanish ("El
# Paso", "El Salvador") and the assimilated forms ("as", "an", "at") are English words: those go
# only when hyphen-bound.
_FREE_ARTICLES = frozenset({"al"})

def _longest_first(pairs: list[tuple[str, str]]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(token sequence, label) for each (phrase, label), longest phrases first: matching tries
    "international airport" before "airport"."""
    return tuple(sorted(((tuple(words.split()), label) for words, label in pairs),
                        key=lambda item: -len(item[0])))


_FACILITY_SEQS = _longest_first([
    ("air force base", "airbase"), ("air base", "airbase"), ("airbase", "airbase"),
    ("air field", "airbase"), ("airfield", "airbase"), ("army air field", "airbase"),
    ("army airfield", "airbase"), ("naval air station", "airbase"),
    ("naval air base", "airbase"), ("air station", "airbase"), ("afb", "airbase"),
    ("airstrip", "airbase"), ("air strip", "airbase"), ("airport", "airbase"),
    ("international airport", "airbase"), ("regional airport", "airbase"),
    ("military airport", "airbase"), ("military airfield", "airbase"),
    ("military air base", "airbase"), ("military base", "base"),
    ("army base", "base"), ("naval base", "base"), ("base", "base"),
    ("garrison", "base"), ("outpost", "base"), ("military outpost", "base"),
])
FACILITY_TOKENS = frozenset({"airbase", "base"})
_FACILITY_FIRST = frozenset(seq[0] for seq, _ in _FACILITY_SEQS)

_ADMIN_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split())
    for s in [
        "county", "parish", "borough", "census area", "city and borough", "province",
        "governorate", "oblast", "raion", "rayon", "district", "region", "state", "municipality",
        "prefecture", "department", "kray", "krai", "voivodeship", "canton", "emirate", "wilaya",
        "wilayah", "autonomous region", "autonomous oblast", "autonomous okrug", "okrug",
        "territory", "regional municipality", "division", "commune", "kommune", "kommun",
        "municipio", "muhafazah", "ostan", "respublika", "shi", "sheng",
    ]
)
_ADMIN_PREFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split())
    for s in [
        "muhafazat", "wilayat", "wilayat e", "ostan e", "provincia de", "provincia di",
        "provincia del", "provincia do", "provincia", "departamento de", "departamento del",
        "comuna", "gemeente", "powiat", "obshtina", "nomos", "mayorality of", "state of",
        "province of", "county of", "respublika", "republic of", "region de", "municipio de",
        "canton de", "canton of", "city of",
    ]
)
_ADMIN_WORDS = frozenset(w for seq in _ADMIN_SUFFIXES + _ADMIN_PREFIXES for w in seq)

DIRECTIONS: dict[str, tuple[float, float]] = {
    "north": (1, 0), "northern": (1, 0), "south": (-1, 0), "southern": (-1, 0),
    "east": (0, 1), "eastern": (0, 1), "west": (0, -1), "western": (0, -1),
    "central": (0, 0), "northeast": (1, 1), "northeastern": (1, 1), "northwest": (1, -1),
    "northwestern": (1, -1), "southeast": (-1, 1), "southeastern": (-1, 1),
    "southwest": (-1, -1), "southwestern": (-1, -1),
}


def fold(text: str) -> str:
    """Lower-case ASCII tokens separated by single spaces."""
    s = unicodedata.normalize("NFKD", text.translate(_FOLD))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return " ".join(_NON_ALNUM.sub(" ", s).split())


def _join_initials(tokens: list[str]) -> list[str]:
    """"u s" → "us", "d c" → "dc": dotted abbreviations fold to one token."""
    out: list[str] = []
    run: list[str] = []
    for tok in tokens:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(tok)
    if run:
        out.append("".join(run))
    return out


def _tokens(text: str) -> list[str]:
    return [_TOKEN_MAP.get(t, t) for t in _join_initials(fold(text).split())]


@lru_cache(maxsize=65536)
def strict_key(text: str) -> str:
    return " ".join(_tokens(text))


def _canon_facility(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] not in _FACILITY_FIRST and tokens[i] != "ab":
            out.append(tokens[i])
            i += 1
            continue
        for seq, canon in _FACILITY_SEQS:
            n = len(seq)
            if tuple(tokens[i : i + n]) == seq:
                # "AB" is a facility word only as the last token ("Al Dhafra AB")
                out.append(canon)
                i += n
                break
        else:
            if tokens[i] == "ab" and i == len(tokens) - 1 and i > 0:
                out.append("airbase")
            else:
                out.append(tokens[i])
            i += 1
    return out


@lru_cache(maxsize=65536)
def _loose_tokens(text: str) -> tuple[str, ...]:
    toks = _tokens(_HYPHEN_ARTICLE.sub("", text))
    if len(toks) > 1 and toks[0] == "the":
        toks = toks[1:]
    if len(toks) > 1:
        kept = [t for t in toks if t not in _FREE_ARTICLES]
        toks = kept or toks
    return tuple(_canon_facility(toks))


def loose_key(text: str) -> str:
    return " ".join(_loose_tokens(text))


def admin_stem(text: str) -> str | None:
    toks = list(_loose_tokens(text))
    changed = False
    for seq in _ADMIN_PREFIXES:
        n = len(seq)
        if len(toks) > n and tuple(toks[:n]) == seq:
            toks = toks[n:]
            changed = True
            break
    for seq in _ADMIN_SUFFIXES:
        n = len(seq)
        if len(toks) > n and tuple(toks[-n:]) == seq:
            toks = toks[:-n]
            changed = True
            break
    return " ".join(toks) if changed else None


def core_key(text: str) -> str | None:
    toks = _loose_tokens(text)
    core = [t for t in toks if t not in FACILITY_TOKENS]
    if len(core) == len(toks) or not core:
        return None
    return " ".join(core)


def has_facility(text: str) -> bool:
    return any(t in FACILITY_TOKENS for t in _loose_tokens(text))


def has_admin_word(text: str) -> bool:
    return admin_stem(text) is not None


_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "c"), ("th", "t"), ("dh", "d"),
             ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("j", "y"), ("z", "s"),
             ("x", "ks"))
_VOWELS = re.compile(r"[aeiouy]+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """Consonant skeleton of the loose key; equal skeletons are fuzzy-match candidates."""
    out = []
    for tok in _loose_tokens(text):
        tok = _FINAL_H.sub("", tok)  # "Fallujah"/"Falluja", "Raqqah"/"Raqqa"
        for a, b in _DIGRAPHS:
            tok = tok.replace(a, b)
        tok = _REPEATS.sub(r"\1", _VOWELS.sub("", tok))
        out.append(tok or "_")
    return " ".join(out)


def split_direction(text: str) -> tuple[tuple[float, float], str] | None:
    """"north-eastern Syria" → ((1, 1), "syria"); ``None`` without a leading direction word."""
    toks = strict_key(text).split()
    if len(toks) < 2:
        return None
    first = toks[0]
    rest = toks[1:]
    if first in ("north", "south") and rest[0] in ("east", "eastern", "west", "western"):
        first = first + rest[0]
        rest = rest[1:]
    if first not in DIRECTIONS or not rest:
        return None
    if rest[0] == "the" and len(rest) > 1:
        rest = rest[1:]
    return DIRECTIONS[first], " ".join(rest)


# Names of features the gazetteer lacks, built on a place's name: "Vancouver Art Gallery" stands
# in Vancouver, "Catawba River" somewhere around Catawba. Kinds: "site" (a building or a public
# space: the named place holds it), "nature" (water, relief, parks: near the named place at best).
_LANDMARK_SITES = (
    "hospital", "medical center", "medical centre", "museum", "art gallery", "gallery", "church",
    "cathedral", "chapel", "mosque", "temple", "synagogue", "university", "college",
    "high school", "school", "stadium", "arena", "square", "plaza", "station", "railway station",
    "train station", "bus station", "port", "harbor", "harbour", "zoo", "market", "bridge",
    "hotel", "prison", "jail", "courthouse", "city hall", "town hall", "memorial", "palace",
    "embassy", "consulate", "mall", "library", "theatre", "theater", "area", "metro area",
    "metropolitan area", "city centre", "city center", "downtown")
_LANDMARK_NATURE = (
    "river", "creek", "brook", "lake", "lakes", "valley", "bay", "sound", "mountains", "mountain",
    "hills", "hill", "falls", "delta", "island", "islands", "peninsula", "canyon", "forest",
    "national forest", "park", "national park", "state park", "wildlife refuge", "reservoir",
    "dam", "beach", "basin", "plateau", "gorge", "glacier", "swamp", "marsh", "range", "coast",
    "national lakeshore", "national seashore")
_LANDMARK_TAILS = _longest_first([(w, "site") for w in _LANDMARK_SITES]
                                 + [(w, "nature") for w in _LANDMARK_NATURE])
_LANDMARK_HEADS = _longest_first(
    [(w, "site") for w in ("port of", "university of", "greater", "downtown", "central")]
    + [(w, "nature") for w in ("lake", "river", "mount", "gulf of", "bay of", "isle of",
                               "lake of", "sea of", "upper", "lower")])


# Words that name what an institution is, not where: "University Hospital", "Central Park",
# "Memorial Stadium" are not built on a town's name
_GENERIC = frozenset({
    "university", "college", "general", "memorial", "regional", "community", "central",
    "national", "state", "city", "county", "international", "main", "union", "grand", "royal",
    "public", "childrens", "medical", "veterans", "federal", "municipal", "district", "new",
    "old", "high", "great", "little", "big", "north", "south", "east", "west", "the", "of",
    "and", "saint", "holy", "trinity", "victoria", "independence", "liberty", "freedom",
    "peace", "olympic", "town", "village", "park", "lake", "river"})


def split_landmark(text: str) -> tuple[str, str] | None:
    """"Port of Los Angeles" → ("los angeles", "site"); "Catawba River" → ("catawba",
    "nature"); ``None`` when the name has no landmark word around a remainder."""
    toks = strict_key(text).split()
    if toks and toks[0] == "the":
        toks = toks[1:]
    for seqs, tail in ((_LANDMARK_TAILS, True), (_LANDMARK_HEADS, False)):
        for seq, kind in seqs:
            n = len(seq)
            if len(toks) > n and tuple(toks[-n:] if tail else toks[:n]) == seq:
                rest = toks[:-n] if tail else toks[n:]
                return None if all(t in _GENERIC for t in rest) else (" ".join(rest), kind)
    return None


def is_admin_word(token: str) -> bool:
    return token in _ADMIN_WORDS
