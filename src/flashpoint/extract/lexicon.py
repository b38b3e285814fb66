"""The trigger and instrument lexicons, loaded once from ``data/ontology``.

Kept as data so analysts can extend the ontology without touching code; this module only turns
the YAML into fast lookups and a spaCy ``Matcher`` for the multi-word patterns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from spacy.matcher import Matcher
from spacy.tokens import Token
from spacy.vocab import Vocab

from ..errors import Errors, FlashpointError

ONTOLOGY = "data/ontology"


@dataclass(frozen=True, slots=True)
class TriggerDef:
    lemma: str
    type: str
    mode: str | None
    pos: frozenset[str]
    flags: frozenset[str]
    not_after: frozenset[str]
    not_with: frozenset[str]


@dataclass(frozen=True, slots=True)
class PatternDef:
    id: str
    type: str
    mode: str | None
    trigger: int | str  # index in the pattern, or the lemma of the trigger token
    modality: str | None
    pattern: list[dict[str, Any]]


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


@dataclass(frozen=True, slots=True)
class Lexicon:
    single: dict[str, tuple[TriggerDef, ...]]
    double: dict[tuple[str, str], tuple[TriggerDef, ...]]
    patterns: tuple[PatternDef, ...]
    instruments: dict[tuple[str, ...], str]
    mode_rank: dict[str, int]
    version: str
    # Words that are no trigger but make a paragraph worth parsing (casualty words: a toll
    # given in a paragraph of its own attaches to an event named earlier).
    gate_words: tuple[str, ...] = ()
    # Regular inflected forms of one-word trigger lemmas: a token whose lemma the model got
    # wrong ("raped" -> "rap") still matches by its surface form.
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # modes that name a weapon (instruments.yaml ``weapons``)
    weapons: frozenset[str] = frozenset()

    def triggers_for(self, token: Token) -> tuple[TriggerDef, ...]:
        """Definitions whose lemma (or two-word lemma ending here) and POS fit ``token``."""
        lemma = token.lemma_.lower()
        pos = "NOUN" if token.pos_ == "PROPN" else token.pos_
        found: list[TriggerDef] = []
        if token.i > token.doc[0].i:
            prev = token.nbor(-1).lemma_.lower()
            found.extend(d for d in self.double.get((prev, lemma), ()) if pos in d.pos)
        if not found:
            found.extend(d for d in self.single.get(lemma, ()) if pos in d.pos)
            if not found and lemma != token.lower_:
                found.extend(d for d in self.single.get(token.lower_, ()) if pos in d.pos)
            if not found and lemma not in self.single:
                for base in self.forms.get(token.lower_, ()):
                    found.extend(d for d in self.single[base] if pos in d.pos)
        return tuple(found)

    def instrument_mode(self, lemmas: list[str], start: int) -> tuple[str, int] | None:
        """Mode named by the instrument phrase starting at ``lemmas[start]``, and its length."""
        for size in (3, 2, 1):
            key = tuple(lemmas[start : start + size])
            if len(key) == size and key in self.instruments:
                return self.instruments[key], size
        return None

    def best_mode(self, modes: Iterable[str]) -> str | None:
        ranked = sorted(set(modes), key=lambda m: self.mode_rank.get(m, 99))
        return ranked[0] if ranked else None


def _load_yaml(name: str) -> dict[str, Any]:
    path = resources.files("flashpoint").joinpath(f"{ONTOLOGY}/{name}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise FlashpointError(Errors.E050.format(path=str(path), detail=err)) from err
    if not isinstance(data, dict):
        raise FlashpointError(Errors.E050.format(path=str(path), detail="not a mapping"))
    return data


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    trig = _load_yaml("triggers.yaml")
    inst = _load_yaml("instruments.yaml")
    single: dict[str, list[TriggerDef]] = {}
    double: dict[tuple[str, str], list[TriggerDef]] = {}
    for i, raw in enumerate(trig.get("triggers", [])):
        try:
            d = TriggerDef(
                lemma=str(raw["lemma"]).lower(),
                type=str(raw["type"]).upper(),
                mode=raw.get("mode"),
                pos=frozenset(raw.get("pos", ["NOUN", "VERB"])),
                flags=frozenset(raw.get("flags", [])),
                not_after=frozenset(str(x) for x in raw.get("not_after", [])),
                not_with=frozenset(str(x) for x in raw.get("not_with", [])),
            )
        except KeyError as err:
            raise FlashpointError(
                Errors.E050.format(path="triggers.yaml", detail=f"entry {i} lacks {err}")
            ) from err
        words = d.lemma.split()
        if len(words) == 2:
            double.setdefault((words[0], words[1]), []).append(d)
        else:
            single.setdefault(d.lemma, []).append(d)
    patterns = tuple(
        PatternDef(
            id=str(p["id"]),
            type=str(p["type"]).upper(),
            mode=p.get("mode"),
            trigger=p.get("trigger", 0),
            modality=p.get("modality"),
            pattern=list(p["pattern"]),
        )
        for p in trig.get("patterns", [])
    )
    instruments: dict[tuple[str, ...], str] = {}
    for mode, words in inst["modes"].items():
        for w in words:
            instruments[tuple(str(w).lower().split())] = str(mode)
    rank = {m: i for i, m in enumerate(inst.get("priority", []))}
    forms: dict[str, list[str]] = {}
    for base in single:
        for form in sorted(inflections(base)):
            if form != base:
                forms.setdefault(form, []).append(base)
    return Lexicon(
        forms={k: tuple(v) for k, v in forms.items()},
        single={k: tuple(v) for k, v in single.items()},
        double={k: tuple(v) for k, v in double.items()},
        patterns=patterns,
        instruments=instruments,
        mode_rank=rank,
        weapons=frozenset(str(w) for w in inst.get("weapons", [])),
        version=f"{trig.get('version')}.{inst.get('version')}",
        gate_words=tuple(str(w).lower() for w in trig.get("gate_words", [])),
    )


_MATCHERS: dict[int, Matcher] = {}


def pattern_matcher(vocab: Vocab) -> Matcher:
    """One ``Matcher`` per vocab (i.e. per loaded model), built on first use."""
    key = id(vocab)
    if key not in _MATCHERS:
        matcher = Matcher(vocab)
        for p in load_lexicon().patterns:
            matcher.add(p.id, [p.pattern])
        _MATCHERS[key] = matcher
    return _MATCHERS[key]


def pattern_by_id(pattern_id: str) -> PatternDef:
    for p in load_lexicon().patterns:
        if p.id == pattern_id:
            return p
    raise KeyError(pattern_id)
