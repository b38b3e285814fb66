"""String folding and tokenising shared by the registry index and the phrase parser.

Both sides of every lookup go through the same functions, so "Kata'ib Hizballah", "KATAIB
HIZBALLAH" and "Kataib Hizballah" meet on one key, and "U.S." meets "US".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_APOSTROPHES = "'’‘`ʼʻ´"
_EXTRA_LETTERS = str.maketrans(
    {"ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe",
     "Œ": "oe", "đ": "d", "Đ": "d", "þ": "th", "ð": "d", "ß": "ss"}
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[aeiouy])h$")


@lru_cache(maxsize=65536)
def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Kata'ib Hizballah" → "kataib hizballah"."""
    text = strip_accents(text).casefold()
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    text = text.replace(".", "").replace("&", " and ")
    return _NON_ALNUM.sub(" ", text).strip()


def acronym_key(text: str) -> str:
    """Case-sensitive key for acronyms: dots and spaces go, case stays ("U.S." → "US")."""
    return strip_accents(text).replace(".", "").replace(" ", "")


def is_acronym(alias: str) -> bool:
    """Whether an alias must match case-sensitively: one word, mostly capitals ("US", "JeM")."""
    if any(ch.isspace() for ch in alias):
        return False
    letters = [ch for ch in alias if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters)
    lower = len(letters) - upper
    has_digit = any(ch.isdigit() for ch in alias)
    return upper >= lower and (upper >= 2 or (upper >= 1 and has_digit))


def skeleton(folded: str) -> str:
    """Transliteration-tolerant key: consonants only, q→k, doubles collapsed.

    "hizballah", "hezbollah" and "hizbullah" all give "hzbl"; words that lose every letter
    (the "e" of "Tehreek-e-Taliban") disappear.
    """
    words = []
    for word in folded.split():
        word = _FINAL_H.sub("", word)  # Arabic final -ah/-a: "Taybah", "Taiba"
        w = word.replace("q", "k").replace("ph", "f").replace("dh", "d").replace("kh", "k")
        w = _REPEATS.sub(r"\1", _VOWELS.sub("", w))
        if w:
            words.append(w)
    return " ".join(words)


def skeleton_length(key: str) -> int:
    return len(key.replace(" ", ""))


@dataclass(slots=True)
class Token:
    """One word of a mention with the forms the parser needs."""

    text: str
    fold: str
    base: str  # fold without a possessive ending ("Iraq's" → "iraq")
    poss: bool
    cap: bool
    punct: bool = False  # a separator such as "," or ";"


_TOKEN = re.compile(r"\d[\d,.]*\d|[,;]|[^\s,;()\[\]{}\"“”]+")
_LEADING_QUOTES = "'‘’`\"“”«»"


def _possessive(word: str) -> tuple[str, bool]:
    for ending in ("'s", "’s", "‘s", "`s"):
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)], True
    if len(word) > 2 and word[-1] in "'’" and word[-2] in "sS":
        return word[:-1], True
    return word, False


def make_token(word: str) -> Token:
    if word in {",", ";"}:
        return Token(word, "", "", False, False, punct=True)
    base_word, poss = _possessive(word)
    cap = any(ch.isupper() for ch in word)  # "al-Sudani" counts as capitalised
    folded = fold(word)
    return Token(word, folded, fold(base_word) if poss else folded, poss, cap)


def tokenize(text: str) -> list[Token]:
    """Split a mention into words; a final full stop goes, acronym dots ("U.S.") stay."""
    out: list[Token] = []
    for raw in _TOKEN.findall(text):
        word = raw.lstrip(_LEADING_QUOTES)
        word = word.rstrip("\"“”«»:!?")
        if word.endswith(".") and "." not in word[:-1]:
            word = word[:-1]
        if word.endswith(("'", "’")) and not (len(word) > 2 and word[-2] in "sS"):
            word = word[:-1]
        if word:
            out.append(make_token(word))
    return out

