"""Registry records and the result of resolving one mention."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from flashpoint.types import Actor, ActorKind, ActorRole, Span

ACTOR_KINDS: frozenset[str] = frozenset(
    ("state", "military", "government", "police", "militia", "rebel", "terrorist", "party",
     "igo", "ngo", "civilians", "person", "media", "other")
)

Method = Literal[
    "name", "alias", "acronym", "translit", "fuzzy", "demonym", "metonym", "head", "title",
    "apposition", "label", "coref",
]
"""How a mention was matched: registry name/alias/acronym, transliteration skeleton, fuzzy
spelling, a country word, a capital used for its government, a head-noun phrase, a personal
title, an unknown name introduced by a head noun ("the militia Liwa X"), a NER label hint, or
an earlier mention in the same document."""


@dataclass(frozen=True, slots=True)
class StateInfo:
    """A country: canonical short name, the adjective used to name its bodies, and its words."""

    iso3: str
    iso2: str | None
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """A named actor: organisation, state body or person."""

    id: str
    name: str
    kind: ActorKind
    country: str | None = None
    sponsor: str | None = None
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    bare: tuple[str, ...] = ()  # aliases that count only as a whole mention ("Congress")
    parent: str | None = None
    role: str | None = None
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedActor:
    """What a mention refers to.

    ``generic`` marks descriptions without a registry identity ("Iran-backed militias",
    "Palestinian civilians"); ``actor_id`` is a registry id, an ISO3 code for a state, or
    ``ISO3.kind`` for a state's military, government or police. ``role`` and ``affiliation``
    are filled for people: the office ("Secretary of Defense") and the body, written
    ``<kind>[/<portfolio>]`` for state offices ("government/defence") or as the canonical
    name of a non-state organisation ("Hamas").
    """

    name: str
    kind: ActorKind
    country: str | None = None
    sponsor: str | None = None
    actor_id: str | None = None
    score: float = 1.0
    matched: str = ""
    method: Method = "name"
    role: str | None = None
    affiliation: str | None = None
    generic: bool = False

    def with_match(self, matched: str, method: Method, score: float) -> ResolvedActor:
        return replace(self, matched=matched, method=method, score=score)

    def to_actor(self, role: ActorRole, text: str, span: Span) -> Actor:
        """The contract record for this mention in an event."""
        return Actor(
            role=role, text=text, name=self.name, country=self.country, kind=self.kind,
            span=span, sponsor=self.sponsor, actor_id=self.actor_id,
        )
