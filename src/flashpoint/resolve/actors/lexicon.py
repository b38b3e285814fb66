"""The closed-class vocabulary of actor phrases: head nouns, titles and modifiers.

Kept apart from the named-actor index because it answers a different question: not "who is
this?" but "what role does this word play in the phrase?" ("backed" marks a sponsor, "troops"
a military, "Secretary" a person's office).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class HeadInfo:
    term: str
    kind: str  # an ActorKind, "state" or "group"
    label: str
    anaphor: bool = False
    armable: bool = False
    plural: bool = False
    owned: bool = False  # an actor only with an owner: "Israeli drones", not "drones"


@dataclass(frozen=True, slots=True)
class TitleInfo:
    term: str
    affiliation: str | None
    portfolio: str | None
    country: str | None
    office: bool = False
    rank: bool = False
    generic: bool = False


class Lexicon:
    """Lookup of folded (possibly multi-word) terms by word class."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.heads: dict[str, HeadInfo] = {}
        for term, (kind, label, flags) in data["heads"].items():
            names = set(filter(None, flags.split(",")))
            self.heads[term] = HeadInfo(
                term, kind, label, "anaphor" in names, "armable" in names, "plural" in names,
                "owned" in names,
            )
        self.titles: dict[str, TitleInfo] = {}
        for term, (affiliation, portfolio, country, flags) in data["titles"].items():
            names = set(filter(None, flags.split(",")))
            self.titles[term] = TitleInfo(
                term, affiliation or None, portfolio or None, country or None,
                "office" in names, "rank" in names, "generic" in names,
            )
        self.modifiers: dict[str, dict[str, str]] = data["modifiers"]
        terms = [*self.heads, *self.titles, *(t for m in self.modifiers.values() for t in m)]
        self.max_words = max((len(t.split()) for t in terms), default=1)

    def word_class(self, cls: str, key: str) -> str | None:
        """The value of ``key`` in modifier class ``cls`` ("" counts as present)."""
        return self.modifiers.get(cls, {}).get(key)

    def has(self, cls: str, key: str) -> bool:
        return key in self.modifiers.get(cls, {})
