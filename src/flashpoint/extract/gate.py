"""Trigger gating: which paragraphs are worth a full parse.

Tagging, parsing and NER are nearly all of the per-article cost, yet in a typical news page
most paragraphs hold nothing the extractor reads: no event trigger, no casualty word, no quote.
The gate decides that on surface forms alone, before any model runs, so the NLP stage can give
such paragraphs a tokenizer-only doc. It is generous by design: a false "parse it" costs some
milliseconds, a false "skip it" would lose an event, so every inflection of every trigger lemma
(regular rules plus the model's own irregular-form tables) counts, and so does any quote mark.

Context that skipped paragraphs still give (countries named, actors named for later "the
group") is recovered by cheap lexicon scans in the extract stage, not by the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language

from .lexicon import Lexicon, load_lexicon

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_QUOTES = frozenset('"“”«»')
_VOWELS = frozenset("aeiou")


def inflections(lemma: str) -> set[str]:
    """Regular English noun and verb forms of ``lemma``; over-generation is harmless here."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        forms.add(lemma[:-1] + "ing")
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in _VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if (
        len(lemma) >= 3
        and lemma[-1] not in _VOWELS | {"w", "x", "y"}
        and lemma[-2] in _VOWELS
        and lemma[-3] not in _VOWELS
    ):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def _pattern_groups(
    lex: Lexicon, irregular: dict[str, set[str]]
) -> Iterable[frozenset[frozenset[str]]]:
    """Per multi-token pattern, the word sets of its required literal tokens: all must occur."""
    for p in lex.patterns:
        group: set[frozenset[str]] = set()
        for spec in p.pattern:
            if spec.get("OP") in {"?", "*"}:
                continue
            forms: set[str] = set()
            for attr, is_lemma in (("LEMMA", True), ("LOWER", False), ("ORTH", False)):
                value = spec.get(attr)
                values = value.get("IN", []) if isinstance(value, dict) else [value]
                for v in values:
                    if isinstance(v, str):
                        v = v.lower()
                        forms |= (inflections(v) | irregular.get(v, set())) if is_lemma else {v}
            if forms:
                group.add(frozenset(forms))
        if group:
            yield frozenset(group)


def _irregular_forms(nlp: Language | None) -> dict[str, set[str]]:
    """lemma → irregular forms ("strike" → "struck"), from the model's lemmatizer tables."""
    out: dict[str, set[str]] = {}
    if nlp is None or "lemmatizer" not in nlp.pipe_names:
        return out
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_exc"):
        return out
    table = lookups.get_table("lemma_exc")
    for pos in ("verb", "noun", "adj"):
        for form, lemmas in (table.get(pos) or {}).items():
            for lemma in lemmas:
                out.setdefault(lemma, set()).add(form)
    return out


@dataclass(frozen=True, slots=True)
class Gate:
    """Says whether a paragraph can carry an event or a quote."""

    words: frozenset[str]  # any one of them suffices
    groups: tuple[frozenset[frozenset[str]], ...] = ()  # a pattern: one word of every set

    def __call__(self, text: str) -> str:
        """"event" if a trigger (or casualty word) may be there, else "quote" if a quotation
        is, else ""."""
        present = {m.group().lower() for m in _WORD.finditer(text)}
        if not self.words.isdisjoint(present) or any(
            all(not s.isdisjoint(present) for s in g) for g in self.groups
        ):
            return "event"
        return "" if _QUOTES.isdisjoint(text) else "quote"


def build_gate(lex: Lexicon, extra: Iterable[str] = (), nlp: Language | None = None) -> Gate:
    irregular = _irregular_forms(nlp)
    lemmas: set[str] = set(lex.single)
    lemmas |= {second for _, second in lex.double}  # "air strike" needs "strike"
    words: set[str] = {w.lower() for w in extra}
    for lemma in lemmas:
        for part in lemma.split():
            words |= inflections(part) | irregular.get(part, set())
    groups = tuple(
        g for g in set(_pattern_groups(lex, irregular)) if not any(s <= words for s in g)
    )
    return Gate(frozenset(words), groups)


@lru_cache(maxsize=4)
def trigger_gate(nlp: Language | None = None) -> Gate:
    """The gate for the shipped lexicon (and the model's irregular forms), built once."""
    lex = load_lexicon()
    return build_gate(lex, lex.gate_words, nlp)
