"""Offline language identification: is this article English, and if not, what is it?

The extractors are English-only; feeding them French or Arabic yields confident nonsense, so
non-English articles are skipped up front. Script counts settle non-Latin text; for Latin text
the share of each language's most frequent function words decides, each word weighted by
how few languages share it (so "de" or "a" count little). No model files, a few ms per article.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .resources import stopwords

_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE = 20_000  # characters; more text does not change the verdict
MIN_TOKENS = 12  # fewer words than this and we do not guess
# Weighted function-word hits per token below which no language is named; prose scores 0.2+.
MIN_EVIDENCE = 0.05
MIN_FOREIGN_SHARE = 0.1  # real non-English prose has 15-45 % of its words in our lists
MIN_FOREIGN_HITS = 4
# Letters that mark one Latin-script language; agglutinative languages (Turkish) hit few
# function words, but their letters give them away. English names with them are too few to count.
_MARKED = {
    "tr": frozenset("ıİğĞşŞ"),
    "pl": frozenset("łŁżŻśŚąĄęĘźŹćĆńŃ"),
    "ro": frozenset("șȘțȚăĂ"),
    "cs": frozenset("řŘěĚůŮ"),
    "vi": frozenset("ơƠưƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ"),
}
MIN_MARKED_SHARE = 0.01  # of all letters
MIN_MARKED = 3  # one "Erdoğan" in an English headline is a name, not Turkish
_MARGIN = 1.3  # another language must beat English by this factor to count as the language

# (first, last) code point → script, for the scripts with one dominant news language.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "cyrillic"),
    (0x0530, 0x058F, "hy"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0E00, 0x0E7F, "th"),
    (0x10A0, 0x10FF, "ka"),
    (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7AF, "ko"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
)
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_PERSIAN = frozenset("پچژگکی")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str | None  # ISO 639-1; None when the text is too short or matches no known language
    english_share: float  # share of word tokens that are English function words
    tokens: int
    lowercase_share: float = 0.0  # prose has mostly lowercase words; tables and name lists do not

    def unknown_prose(self, min_tokens: int = 40, max_english: float = 0.08) -> bool:
        """Running text in a language we have no list for (not English by any measure)."""
        return (
            self.code is None
            and self.tokens >= min_tokens
            and self.english_share < max_english
            and self.lowercase_share >= 0.5
        )


def _script(ch: str) -> str | None:
    cp = ord(ch)
    if cp < 0x0250:
        return "latin"
    for first, last, name in _RANGES:
        if first <= cp <= last:
            return name
    return None


def _weights() -> dict[str, list[tuple[str, float]]]:
    """word → (language, weight) for each stopword list holding it; rarer words weigh more."""
    lists = stopwords()
    df = Counter(word for words in lists.values() for word in words)
    index: dict[str, list[tuple[str, float]]] = {}
    for lang, words in lists.items():
        for w in words:
            index.setdefault(w, []).append((lang, 1.0 / df[w]))
    return index


_WEIGHTS: dict[str, list[tuple[str, float]]] = {}


def _scores(tokens: list[str], langs: tuple[str, ...] | None = None) -> dict[str, float]:
    if not _WEIGHTS:
        _WEIGHTS.update(_weights())
    scores = dict.fromkeys(langs if langs is not None else stopwords(), 0.0)
    for w, c in Counter(tokens).items():
        for lang, weight in _WEIGHTS.get(w, ()):
            if lang in scores:
                scores[lang] += weight * c
    return scores


def guess_language(text: str) -> LanguageGuess:
    sample = text[:_SAMPLE]
    chars = Counter(sample)  # counted once in C; the loops below see distinct characters only
    scripts: Counter[str] = Counter()
    for ch, n in chars.items():
        if ch.isalpha() and (name := _script(ch)):
            scripts[name] += n
    words = _WORD.findall(sample)
    tokens = [t.lower() for t in words]
    english = stopwords().get("en", frozenset())
    share = sum(t in english for t in tokens) / len(tokens) if tokens else 0.0
    lower = sum(w.islower() for w in words) / len(words) if words else 0.0
    if not scripts:
        return LanguageGuess(None, share, len(tokens))
    script, count = scripts.most_common(1)[0]
    if script != "latin" and count >= 0.5 * sum(scripts.values()):
        if script == "cyrillic":
            if sum(chars[ch] for ch in _UKRAINIAN) > 0.002 * count:
                return LanguageGuess("uk", share, len(tokens))
            scores = _scores(tokens, ("ru", "uk"))
            return LanguageGuess(max(scores, key=scores.__getitem__), share, len(tokens))
        if script == "arabic":
            persian = sum(chars[ch] for ch in _PERSIAN) > 0.01 * count
            return LanguageGuess("fa" if persian else "ar", share, len(tokens))
        if script == "zh" and scripts.get("ja", 0) > 0.05 * count:
            return LanguageGuess("ja", share, len(tokens))
        return LanguageGuess(script, share, len(tokens))
    if len(tokens) < MIN_TOKENS:
        return LanguageGuess(None, share, len(tokens))
    letters = sum(scripts.values())
    for lang, marks in _MARKED.items():
        marked = sum(chars[ch] for ch in marks)
        if share < 0.15 and marked >= max(MIN_MARKED, MIN_MARKED_SHARE * letters):
            return LanguageGuess(lang, share, len(tokens), lower)
    scores = _scores(tokens)
    best = max(scores, key=scores.__getitem__)
    if scores[best] < MIN_EVIDENCE * len(tokens):
        return LanguageGuess(None, share, len(tokens), lower)  # names, numbers, foreign text
    if best != "en" and scores[best] >= _MARGIN * scores.get("en", 0.0):
        # Names borrow function words ("Le Pen", "La Paz", "al-Sudani met ... in"): a
        # non-English verdict also needs a fair share of plain hits, not two lucky ones.
        hits = sum(t in stopwords()[best] for t in tokens)
        if hits >= max(MIN_FOREIGN_HITS, MIN_FOREIGN_SHARE * len(tokens)):
            return LanguageGuess(best, share, len(tokens))
    if scores.get("en", 0.0) < MIN_EVIDENCE * len(tokens):
        return LanguageGuess(None, share, len(tokens), lower)
    return LanguageGuess("en", share, len(tokens), lower)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when undecidable (short or unknown)."""
    return guess_language(text).code
