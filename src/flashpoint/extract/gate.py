"""Trigger gating: which paragraphs are worth a full parse.

Tagging, parsing and NER are nearly all of the per-article cost, yet in a typical news page
most paragraphs hold nothing the extractor reads: no event trigger, no casualty word, no quote.
The gate decides that on surface forms alone, before any model runs, so the NLP stage can give
such paragraphs a tokenizer-only doc. It is generous by design: a false "parse it" costs some
milliseconds, a false "skip it" would lose an event, so every inflection of every trigger lemma
(regular rules plus the model's own irregular-form tables) counts, and so does any quote mark.

A second, cheaper look comes after the tagger (``Gate.confirms``): a run whose trigger words
all carry a fine tag under which the model can never give them a trigger's part of speech
("free" as an adjective, "launch" and "visit" as nouns where only the verbs are triggers) is
not worth the parser and NER. Which tags can lead to which parts of speech is read from the
model's own attribute rules, so the check is exactly as strict as the extractor's.

Context that skipped paragraphs still give (countries named, actors named for later "the
group") is recovered by cheap lexicon scans in the extract stage, not by the parser.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spacy.attrs import LOWER, TAG
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .lexicon import Lexicon, inflections, load_lexicon

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_QUOTES = frozenset('"“”«»')


def _forms(lemma: str, irregular: dict[str, set[str]]) -> set[str]:
    """Regular and the model's irregular forms of ``lemma``."""
    return inflections(lemma) | irregular.get(lemma, set())


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
                        forms |= _forms(v, irregular) if is_lemma else {v}
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


def _values(spec: dict[str, Any], key: str) -> frozenset[str] | None:
    """The strings a token pattern allows for ``key`` (None: any)."""
    value = spec.get(key)
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, dict) and set(value) == {"IN"}:
        return frozenset(v for v in value["IN"] if isinstance(v, str))
    return None


def _pos_rules(nlp: Language) -> list[tuple[frozenset[str] | None, frozenset[str] | None, str]]:
    """(tags, lower forms, POS) of every attribute rule that sets a POS; None matches all."""
    if "attribute_ruler" not in nlp.pipe_names:
        return []
    rules = []
    for p in getattr(nlp.get_pipe("attribute_ruler"), "patterns", []):
        pos = p.get("attrs", {}).get("POS")
        if not isinstance(pos, str):
            continue
        for seq in p.get("patterns", []):
            index = int(p.get("index", 0))
            if not -len(seq) <= index < len(seq):
                continue
            spec = seq[index]
            rules.append((_values(spec, "TAG"), _values(spec, "LOWER"), pos))
    return rules


def _trigger_tags(
    lex: Lexicon, irregular: dict[str, set[str]], nlp: Language | None, unrestricted: set[str]
) -> dict[int, frozenset[int]]:
    """form → the fine tags under which the model may give it a POS one of its trigger
    lemmas takes (as string ids). Only forms of single-word triggers are listed: the
    ``unrestricted`` ones (casualty words, parts of two-word triggers) and pattern words pass
    under any tag."""
    if nlp is None or "tagger" not in nlp.pipe_names:
        return {}
    rules = _pos_rules(nlp)
    if not rules:
        return {}
    tags = [str(t) for t in getattr(nlp.get_pipe("tagger"), "labels", ())]
    wanted: dict[str, set[str]] = defaultdict(set)
    for lemma, defs in lex.single.items():
        pos = set().union(*(d.pos for d in defs))
        if "NOUN" in pos:
            pos.add("PROPN")  # the extractor reads a proper noun as a noun
        for form in _forms(lemma, irregular):
            wanted[form] |= pos
    out: dict[int, frozenset[int]] = {}
    for form, pos in wanted.items():
        if form in unrestricted:
            continue
        ok = [
            tag for tag in tags
            if any(
                p in pos and (ts is None or tag in ts) and (lows is None or form in lows)
                for ts, lows, p in rules
            )
        ]
        out[get_string_id(form)] = frozenset(get_string_id(t) for t in ok)
    return out


@dataclass(frozen=True, slots=True)
class Gate:
    """Says whether a paragraph can carry an event or a quote."""

    words: frozenset[str]  # any one of them suffices
    groups: tuple[frozenset[frozenset[str]], ...] = ()  # a pattern: one word of every set
    # after tagging: form id → tag ids under which it can still be a trigger (``confirms``)
    tags: Mapping[int, frozenset[int]] = field(default_factory=dict, hash=False, compare=False)
    # every pattern's word sets, also those whose words are all in ``words``
    patterns: tuple[frozenset[frozenset[str]], ...] = ()

    def __call__(self, text: str) -> str:
        """"event" if a trigger (or casualty word) may be there, else "quote" if a quotation
        is, else ""."""
        present = {m.group().lower() for m in _WORD.finditer(text)}
        if not self.words.isdisjoint(present) or any(
            all(not s.isdisjoint(present) for s in g) for g in self.groups
        ):
            return "event"
        return "" if _QUOTES.isdisjoint(text) else "quote"

    def confirms(self, doc: Doc) -> bool:
        """Whether a tagged run passed as "event" still may hold a trigger: some gate word
        under a tag that can make it one, or every word of a pattern."""
        if not self.tags or not len(doc):
            return True
        words, tags = self.words, self.tags
        present: set[str] = set()
        strings = doc.vocab.strings
        for lower, tag in doc.to_array([LOWER, TAG]).tolist():
            allowed = tags.get(lower)
            if allowed is not None and tag in allowed:
                return True
            form = strings[lower]
            if allowed is None and form in words:
                return True  # a casualty word or part of a two-word trigger: any tag
            present.add(form)
        return any(all(not s.isdisjoint(present) for s in g) for g in self.patterns)


def build_gate(lex: Lexicon, extra: Iterable[str] = (), nlp: Language | None = None) -> Gate:
    irregular = _irregular_forms(nlp)
    # any tag will do for these: extra words (casualty words) and the parts of two-word
    # triggers ("air strike" needs "strike")
    unrestricted: set[str] = {w.lower() for w in extra}
    for _, second in lex.double:
        for part in second.split():
            unrestricted |= _forms(part, irregular)
    words = set(unrestricted)
    for lemma in lex.single:
        for part in lemma.split():
            words |= _forms(part, irregular)
    patterns = tuple(set(_pattern_groups(lex, irregular)))
    groups = tuple(g for g in patterns if not any(s <= words for s in g))
    tags = _trigger_tags(lex, irregular, nlp, unrestricted)
    return Gate(frozenset(words), groups, tags, patterns)


@lru_cache(maxsize=4)
def trigger_gate(nlp: Language | None = None, coder: bool = False) -> Gate:
    """The gate for the shipped lexicon (and the model's irregular forms), built once.

    With the learned coder on, the words its training sentences tie to an event code
    (``data/coder/cues.txt``) open a paragraph too: the coder can type a sentence that has no
    trigger word, but only if the sentence is parsed.
    """
    lex = load_lexicon()
    if not coder:
        return build_gate(lex, lex.gate_words, nlp)
    from .coder import candidate_cues

    return build_gate(lex, sorted(candidate_cues()), nlp)
